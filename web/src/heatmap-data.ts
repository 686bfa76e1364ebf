import type { Frame } from './series.js';

/** A histogram over time: one row per bucket (by upper bound), one column per time. */
export interface Heatmap {
  /** Upper bounds of the buckets, ascending (the last may be +Inf). */
  les: number[];
  /** Unix seconds of each column. */
  times: number[];
  /** counts[b][i]: observations in bucket b (between les[b-1] and les[b]) at times[i], per second; null if unknown. */
  counts: (number | null)[][];
  /** Largest count, for the colour scale. */
  max: number;
}

/** Reads a bucket bound as Prometheus writes it ("0.25", "+Inf"). */
export function parseLe(s: string): number {
  const t = s.trim();
  if (t === '+Inf' || t === 'Inf') return Infinity;
  if (t === '-Inf') return -Infinity;
  return t === '' ? Number.NaN : Number(t);
}

/** Whether every series of the frame is a classic histogram bucket (has `le`). */
export function isBucketFrame(frame: Frame): boolean {
  return frame.series.length > 0 && frame.series.every((s) => s.labels.le !== undefined);
}

/**
 * Turns `_bucket` series (cumulative by `le`) into per-bucket rates. Series with the same `le` are
 * summed. When `counters` is set, the values are raw counters and are turned into per-second rates
 * between successive points (a drop is a counter reset: the new value counts from zero).
 */
export function heatmapFromFrame(frame: Frame, counters: boolean): Heatmap {
  const byLe = new Map<number, (number | null)[]>();
  for (const s of frame.series) {
    const le = parseLe(s.labels.le ?? '');
    if (Number.isNaN(le)) continue;
    const acc = byLe.get(le) ?? new Array<number | null>(frame.times.length).fill(null);
    s.values.forEach((v, i) => {
      if (v !== null) acc[i] = (acc[i] ?? 0) + v;
    });
    byLe.set(le, acc);
  }
  const les = [...byLe.keys()].sort((a, b) => a - b);
  const cumulative = les.map((le) => {
    const row = byLe.get(le) ?? [];
    if (!counters) return row;
    return row.map((v, i) => {
      const prev = i > 0 ? row[i - 1] : null;
      const dt = i > 0 ? (frame.times[i] ?? 0) - (frame.times[i - 1] ?? 0) : 0;
      if (v === null || prev === null || prev === undefined || dt <= 0) return null;
      return (v >= prev ? v - prev : v) / dt;
    });
  });
  let max = 0;
  const counts = cumulative.map((row, b) =>
    row.map((v, i) => {
      if (v === null || v === undefined) return null;
      const below = b > 0 ? (cumulative[b - 1]?.[i] ?? 0) : 0;
      const c = Math.max(0, v - (below ?? 0));
      if (c > max) max = c;
      return c;
    }),
  );
  return { les, times: frame.times.slice(), counts, max };
}
