import type { Registry } from 'prom-client';

/** Somewhere a gateway's Prometheus text comes from: its `/api/v1/metrics`, or the registry in local mode. */
export interface MetricsSource {
  /** Stable per instance: counters are diffed per source between rounds. */
  id: string;
  read(signal: AbortSignal): Promise<string>;
}

export function httpMetricsSource(id: string, url: string): MetricsSource {
  return {
    id,
    async read(signal) {
      const response = await fetch(url, { signal, headers: { accept: 'text/plain' } });
      if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
      return response.text();
    },
  };
}

/** `myragdb up` runs the gateway in the same process: read its registry instead of scraping over HTTP. */
export function registryMetricsSource(id: string, registry: Registry): MetricsSource {
  return { id, read: () => registry.metrics() };
}
