/**
 * Proxies Prometheus HTTP API queries for the control plane. The result is Prometheus'
 * own `data` object, untouched, so the control plane sees exactly what Grafana would.
 */
import { RequestError } from '@/agent/request-error';

interface PrometheusEnvelope {
  status?: unknown;
  data?: unknown;
  errorType?: unknown;
  error?: unknown;
}

export interface PrometheusData {
  resultType: string;
  result: unknown;
}

function isPrometheusData(value: unknown): value is PrometheusData {
  return typeof value === 'object' && value !== null && typeof (value as { resultType?: unknown }).resultType === 'string';
}

/**
 * GET `<baseUrl><apiPath>?<params>`. Prometheus answers errors (bad PromQL, too many
 * points) with a JSON envelope and a 4xx/5xx, so the body is read whatever the status.
 */
export async function queryPrometheus(
  baseUrl: string,
  apiPath: '/api/v1/query' | '/api/v1/query_range',
  params: Record<string, string>,
  signal: AbortSignal,
): Promise<PrometheusData> {
  const url = new URL(apiPath, baseUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (err) {
    if (signal.aborted) throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new RequestError('upstream_error', `Prometheus at ${baseUrl} is unreachable: ${cause}`);
  }
  let body: PrometheusEnvelope;
  try {
    body = (await res.json()) as PrometheusEnvelope;
  } catch {
    throw new RequestError('upstream_error', `Prometheus answered HTTP ${res.status} without a JSON body`);
  }
  if (body.status === 'success' && isPrometheusData(body.data)) return body.data;
  const errorType = typeof body.errorType === 'string' ? body.errorType : `HTTP ${res.status}`;
  const message = typeof body.error === 'string' ? body.error : 'unexpected answer';
  throw new RequestError('upstream_error', `Prometheus ${errorType}: ${message}`);
}
