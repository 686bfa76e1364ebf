import type { Frame } from './series.js';

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A frame as CSV: a `time` column (ISO 8601, UTC) then one column per series named by `names`. */
export function frameToCSV(frame: Frame, names: string[]): string {
  const head = ['time', ...frame.series.map((s, i) => names[i] ?? s.key)].map(csvCell).join(',');
  const lines = [head];
  frame.times.forEach((t, i) => {
    const cells = [new Date(t * 1000).toISOString()];
    for (const s of frame.series) {
      const v = s.values[i];
      cells.push(v === null || v === undefined ? '' : String(v));
    }
    lines.push(cells.join(','));
  });
  return lines.join('\n') + '\n';
}

/** A frame as JSON in the shape of a Prometheus matrix: labels and [Unix seconds, value] pairs. */
export function frameToJSON(frame: Frame, title: string, queries: string[]): string {
  const series = frame.series.map((s) => ({
    metric: s.labels,
    values: frame.times.flatMap((t, i) => {
      const v = s.values[i];
      return v === null || v === undefined ? [] : [[t, v]];
    }),
  }));
  return JSON.stringify({ title, queries, series }, null, 1);
}

/** A file name from a chart title ("Disk latency" at t -> "vitals-disk-latency-20260101T120000Z.csv"). */
export function fileName(title: string, ext: string, now: Date): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `vitals-${slug}-${stamp}.${ext}`;
}
