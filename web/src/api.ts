import type { CapacityResult } from './analytics-text.js';
import type { Envelope, QueryData } from './series.js';

/** An API error answer, with the server's message. */
export class ApiError extends Error {
  /** Prometheus' errorType ("bad_data", "execution", ...), or "network". */
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

async function call(path: string, params: URLSearchParams, signal?: AbortSignal): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: params,
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('network', `cannot reach Vitals at ${location.host}: ${String(e)}`);
  }
  let body: { status?: string; data?: unknown; error?: string; errorType?: string };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError('network', `${path} answered ${res.status} ${res.statusText}, not JSON`);
  }
  if (body.status !== 'success') throw new ApiError(body.errorType ?? 'error', body.error ?? `${path} answered ${res.status}`);
  return body.data;
}

/** Runs a range query (`/api/v1/query_range`). */
export function queryRange(query: string, start: number, end: number, step: number, signal?: AbortSignal): Promise<QueryData> {
  const p = new URLSearchParams({ query, start: start.toFixed(3), end: end.toFixed(3), step: String(step) });
  return call('/api/v1/query_range', p, signal) as Promise<QueryData>;
}

/** Runs an instant query (`/api/v1/query`), at `time` (Unix seconds) or now. */
export function queryInstant(query: string, time?: number, signal?: AbortSignal): Promise<QueryData> {
  const p = new URLSearchParams({ query });
  if (time !== undefined) p.set('time', time.toFixed(3));
  return call('/api/v1/query', p, signal) as Promise<QueryData>;
}

/** Label names (`/api/v1/labels`), optionally of the series a selector matches. */
export function labelNames(match?: string): Promise<string[]> {
  const p = new URLSearchParams();
  if (match) p.set('match[]', match);
  return call('/api/v1/labels', p) as Promise<string[]>;
}

/** Values of one label (`/api/v1/label/<name>/values`), optionally of the series a selector matches. */
export async function labelValues(name: string, match?: string): Promise<string[]> {
  const q = match ? `?${new URLSearchParams({ 'match[]': match }).toString()}` : '';
  const res = await fetch(`/api/v1/label/${encodeURIComponent(name)}/values${q}`);
  const body = (await res.json()) as Envelope & { data?: string[] };
  if (body.status !== 'success') throw new ApiError(body.errorType, body.error);
  return body.data ?? [];
}


/** The default capacity checks (`/api/v1/analytics/capacity`: filesystems, memory, inodes). */
export async function capacity(signal?: AbortSignal): Promise<CapacityResult[]> {
  const data = (await call('/api/v1/analytics/capacity', new URLSearchParams(), signal)) as { result?: CapacityResult[] };
  return data.result ?? [];
}

let interval: Promise<number> | undefined;

/** The collection interval in seconds (from `/api/v1/status/collectors`; 1 when unknown). */
export function collectionInterval(): Promise<number> {
  interval ??= fetch('/api/v1/status/collectors')
    .then((r) => r.json() as Promise<{ data?: { interval_seconds?: number }[] }>)
    .then((b) => Math.min(...(b.data ?? []).map((c) => c.interval_seconds ?? Infinity)))
    .then((s) => (Number.isFinite(s) && s > 0 ? s : 1))
    .catch(() => 1);
  return interval;
}
