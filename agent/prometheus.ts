/**
 * Proxies Prometheus HTTP API queries for the control plane. The result is Prometheus'
 * own `data` object, checked against the protocol's typed shapes (vector, matrix,
 * scalar, string) so the control plane never receives something it cannot read.
 */
import { z } from 'zod';
import { prometheusData, prometheusMatrix, type PrometheusData, type PrometheusMatrix } from '@/lib/agent-protocol';
import { RequestError } from '@/agent/request-error';

/** The envelope Prometheus wraps every answer in; errors carry `errorType` and `error`. */
const envelope = z.object({
  status: z.string().optional(),
  data: z.unknown().optional(),
  errorType: z.string().optional(),
  error: z.string().optional(),
});

export type QueryParams = Record<string, string>;

export function queryPrometheus(baseUrl: string, params: QueryParams, signal: AbortSignal): Promise<PrometheusData> {
  return get(baseUrl, '/api/v1/query', params, signal, prometheusData);
}

export function queryPrometheusRange(baseUrl: string, params: QueryParams, signal: AbortSignal): Promise<PrometheusMatrix> {
  return get(baseUrl, '/api/v1/query_range', params, signal, prometheusMatrix);
}

/**
 * GET `<baseUrl><apiPath>?<params>`. Prometheus answers errors (bad PromQL, too many
 * points) with a JSON envelope and a 4xx/5xx, so the body is read whatever the status.
 */
async function get<S extends z.ZodType>(
  baseUrl: string,
  apiPath: string,
  params: QueryParams,
  signal: AbortSignal,
  dataSchema: S,
): Promise<z.infer<S>> {
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
  let json: unknown;
  try {
    json = await res.json();
  } catch (err) {
    if (signal.aborted) throw err;
    throw new RequestError('upstream_error', `Prometheus answered HTTP ${res.status} without a JSON body`);
  }
  const body = envelope.safeParse(json);
  if (!body.success) throw new RequestError('upstream_error', `Prometheus answered HTTP ${res.status} with an unexpected body`);
  if (body.data.status !== 'success') {
    const errorType = body.data.errorType ?? `HTTP ${res.status}`;
    throw new RequestError('upstream_error', `Prometheus ${errorType}: ${body.data.error ?? 'unexpected answer'}`);
  }
  const data = dataSchema.safeParse(body.data.data);
  if (!data.success) {
    const issue = data.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new RequestError('upstream_error', `Prometheus answered a result this agent cannot read${where}: ${issue?.message ?? 'invalid'}`);
  }
  return data.data;
}
