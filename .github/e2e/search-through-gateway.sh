#!/usr/bin/env bash
# e2e (GitHub Actions, kind): waits until the indexer has indexed the MyRAGDB's repository, then searches it through
# the search gateway's Service with the instance's API key. Usage: search-through-gateway.sh NAMESPACE NAME QUERY
set -Eeuo pipefail
namespace=$1
name=$2
query=$3
key=$(kubectl -n "$namespace" get secret "$name-app-credentials" -o jsonpath='{.data.api-key}' | base64 -d)
kubectl -n "$namespace" port-forward "service/$name-search-gateway" 13002:3002 >/tmp/port-forward.log 2>&1 &
forward=$!
trap 'kill $forward' EXIT
for _ in $(seq 1 30); do curl -fsS http://127.0.0.1:13002/api/v1/health/live >/dev/null 2>&1 && break; sleep 1; done
curl -fsS http://127.0.0.1:13002/api/v1/health/ready
for attempt in $(seq 1 60); do
  response=$(curl -fsS -X POST http://127.0.0.1:13002/api/v1/search \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d "$(jq -n --arg query "$query" '{query: $query, limit: 5}')" || true)
  if [[ -n $response ]] && jq -e '.results | length > 0' >/dev/null <<<"$response"; then
    jq '{mode, tookMs, results: (.results | length)}' <<<"$response"
    exit 0
  fi
  echo "attempt $attempt: no results yet"
  sleep 10
done
echo "no search results after 10 minutes" >&2
exit 1
