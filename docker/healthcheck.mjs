/* global fetch, AbortSignal, console, process */
// Docker HEALTHCHECK: GET http://127.0.0.1:<port><path>, exit 0 on a 2xx answer, 1 otherwise (within 4 s).
// The port is MYRAGDB_HEALTHCHECK_PORT, else PORT (the services' HTTP port), else 3002. No curl in the image.
const path = process.argv[2] ?? '/api/v1/health/live';
const port = process.env.MYRAGDB_HEALTHCHECK_PORT || process.env.PORT || '3002';
const url = `http://127.0.0.1:${port}${path}`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) {
    console.error(`unhealthy: ${url} answered HTTP ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`unhealthy: ${url}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
