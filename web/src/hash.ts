/** Time ranges the picker offers; `live` is the last five minutes, kept moving by server push. */
export const RANGES = ['live', '5m', '1h', '6h', '24h', '7d', '30d', 'custom'] as const;

/** One of the picker's ranges. */
export type RangeId = (typeof RANGES)[number];

/** A time range: a preset relative to now, or custom bounds in Unix seconds. */
export interface Range {
  /** Which picker entry. */
  id: RangeId;
  /** Start of a custom range, Unix seconds. */
  from?: number;
  /** End of a custom range, Unix seconds. */
  to?: number;
}

/** A view and its state, as kept in the URL's hash so that it can be shared. */
export type Route =
  | { view: 'overview'; range: Range }
  | { view: 'panel'; id: string; range: Range }
  | { view: 'explore'; q: string; range: Range }
  | { view: 'board'; qs: string[]; range: Range };

const SECONDS: Record<string, number> = { live: 300, '5m': 300, '1h': 3600, '6h': 21600, '24h': 86400, '7d': 604800, '30d': 2592000 };

/** The range's length in seconds. */
export function rangeSeconds(r: Range): number {
  if (r.id === 'custom') return Math.max(1, (r.to ?? 0) - (r.from ?? 0));
  return SECONDS[r.id] ?? 300;
}

/** Whether charts over this range follow the server's pushes (the short ranges); longer ones are fixed. */
export function rangeIsLive(r: Range): boolean {
  return r.id === 'live' || r.id === '5m' || r.id === '1h';
}

/** Start and end (Unix seconds) of a range at `now`. */
export function rangeBounds(r: Range, now: number): [number, number] {
  if (r.id === 'custom' && r.from !== undefined && r.to !== undefined) return [r.from, r.to];
  return [now - rangeSeconds(r), now];
}

function parseRange(p: URLSearchParams): Range {
  const id = p.get('range') ?? 'live';
  if (!(RANGES as readonly string[]).includes(id)) return { id: 'live' };
  if (id === 'custom') {
    const from = Number(p.get('from'));
    const to = Number(p.get('to'));
    if (Number.isFinite(from) && Number.isFinite(to) && to > from) return { id: 'custom', from, to };
    return { id: 'live' };
  }
  return { id: id as RangeId };
}

/** Reads a route from a location hash ("#/explore?q=up&range=1h"); anything unknown is the overview. */
export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const qi = h.indexOf('?');
  const path = qi < 0 ? h : h.slice(0, qi);
  const p = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
  const range = parseRange(p);
  const parts = path.split('/').filter((s) => s !== '');
  if (parts[0] === 'panel' && parts[1]) return { view: 'panel', id: decodeURIComponent(parts[1]), range };
  if (parts[0] === 'explore') return { view: 'explore', q: p.get('q') ?? '', range };
  if (parts[0] === 'board') return { view: 'board', qs: p.getAll('q').filter((q) => q.trim() !== ''), range };
  return { view: 'overview', range };
}

/** Writes a route as a location hash; the inverse of `parseHash`. */
export function formatHash(route: Route): string {
  const p = new URLSearchParams();
  if (route.view === 'explore') p.set('q', route.q);
  if (route.view === 'board') for (const q of route.qs) p.append('q', q);
  if (route.range.id !== 'live') p.set('range', route.range.id);
  if (route.range.id === 'custom') {
    p.set('from', String(route.range.from ?? 0));
    p.set('to', String(route.range.to ?? 0));
  }
  const qs = p.toString();
  const path = route.view === 'overview' ? '/' : route.view === 'panel' ? `/panel/${encodeURIComponent(route.id)}` : `/${route.view}`;
  return `#${path}${qs ? `?${qs}` : ''}`;
}
