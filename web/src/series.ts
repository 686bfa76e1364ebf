/** A series' labels as the Prometheus API gives them. */
export type Labels = Record<string, string>;

/** One sample of a vector: [Unix seconds, value as text]. */
export type Sample = [number, string];

/** The `data` of a Prometheus query answer. */
export type QueryData =
  | { resultType: 'vector'; result: { metric: Labels; value: Sample }[] }
  | { resultType: 'matrix'; result: { metric: Labels; values: Sample[] }[] }
  | { resultType: 'scalar'; result: Sample }
  | { resultType: 'string'; result: Sample };

/** A Prometheus API envelope. */
export type Envelope = { status: 'success'; data: QueryData } | { status: 'error'; errorType: string; error: string };

/** Series of one chart aligned on shared timestamps, as uPlot wants them. */
export interface Frame {
  /** Unix seconds, ascending. */
  times: number[];
  /** One entry per series; `values[i]` belongs to `times[i]`, null where the series has no value. */
  series: { key: string; labels: Labels; values: (number | null)[] }[];
}

/** A stable identity for a label set ("name{a="1",b="2"}"). */
export function seriesKey(labels: Labels): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',');
  return rest ? `${name}{${rest}}` : name || '{}';
}

/** Parses a sample value; "NaN", "+Inf" and "-Inf" come as text from the API. */
export function sampleValue(s: string): number | null {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** An empty frame. */
export function emptyFrame(): Frame {
  return { times: [], series: [] };
}

/** Builds a frame from a range query's data (a matrix; a scalar answer becomes one series). */
export function frameFromData(data: QueryData, prefix = ''): Frame {
  const rows: { labels: Labels; values: Sample[] }[] =
    data.resultType === 'matrix'
      ? data.result.map((r) => ({ labels: r.metric, values: r.values }))
      : data.resultType === 'vector'
        ? data.result.map((r) => ({ labels: r.metric, values: [r.value] }))
        : [{ labels: {}, values: [data.result] }];
  const tset = new Set<number>();
  for (const r of rows) for (const s of r.values) tset.add(s[0]);
  const times = [...tset].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series = rows.map((r) => {
    const values: (number | null)[] = new Array<number | null>(times.length).fill(null);
    for (const s of r.values) values[index.get(s[0]) ?? 0] = sampleValue(s[1]);
    return { key: prefix + seriesKey(r.labels), labels: r.labels, values };
  });
  return { times, series };
}

/** Puts the frames of several queries side by side on the union of their timestamps. */
export function mergeFrames(frames: Frame[]): Frame {
  if (frames.length === 1 && frames[0]) return frames[0];
  const tset = new Set<number>();
  for (const f of frames) for (const t of f.times) tset.add(t);
  const times = [...tset].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const series: Frame['series'] = [];
  for (const f of frames) {
    for (const s of f.series) {
      const values: (number | null)[] = new Array<number | null>(times.length).fill(null);
      f.times.forEach((t, i) => (values[index.get(t) ?? 0] = s.values[i] ?? null));
      series.push({ key: s.key, labels: s.labels, values });
    }
  }
  return { times, series };
}

/** The instant samples of a live update for one query, as (key, labels, value); errors give none. */
export function instantSamples(env: Envelope, prefix = ''): { key: string; labels: Labels; value: number | null }[] {
  if (env.status !== 'success') return [];
  const d = env.data;
  if (d.resultType === 'vector') return d.result.map((r) => ({ key: prefix + seriesKey(r.metric), labels: r.metric, value: sampleValue(r.value[1]) }));
  if (d.resultType === 'scalar') return [{ key: prefix + '{}', labels: {}, value: sampleValue(d.result[1]) }];
  return [];
}

/**
 * Appends one instant of samples at `t` (Unix seconds) to the frame in place, adding series that are
 * new, and drops points older than `minT`. Returns whether series were added (the chart must then be
 * rebuilt with the new series) . A `t` not newer than the last point is ignored.
 */
export function appendInstant(frame: Frame, t: number, samples: { key: string; labels: Labels; value: number | null }[], minT: number): boolean {
  const last = frame.times[frame.times.length - 1];
  if (last !== undefined && t <= last) return false;
  let added = false;
  const byKey = new Map(frame.series.map((s, i) => [s.key, i]));
  frame.times.push(t);
  for (const s of frame.series) s.values.push(null);
  for (const s of samples) {
    let i = byKey.get(s.key);
    if (i === undefined) {
      i = frame.series.length;
      byKey.set(s.key, i);
      frame.series.push({ key: s.key, labels: s.labels, values: new Array<number | null>(frame.times.length).fill(null) });
      added = true;
    }
    const row = frame.series[i];
    if (row) row.values[row.values.length - 1] = s.value;
  }
  let drop = 0;
  while (drop < frame.times.length - 1 && (frame.times[drop] ?? 0) < minT) drop++;
  if (drop > 0) {
    frame.times.splice(0, drop);
    for (const s of frame.series) s.values.splice(0, drop);
  }
  return added;
}

/** The labels without `job` and `instance`, which every series of one host shares. */
function withoutTarget(labels: Labels): Labels {
  const { job: _job, instance: _instance, ...rest } = labels;
  return rest;
}

/** Short names for a chart's legend: the series name plus only the labels that differ between series. */
export function legendNames(series: { labels: Labels }[]): string[] {
  const keys = new Set<string>();
  for (const s of series) for (const k of Object.keys(s.labels)) keys.add(k);
  const varying = [...keys].filter((k) => k !== '__name__' && new Set(series.map((s) => s.labels[k])).size > 1).sort();
  const names = new Set(series.map((s) => s.labels.__name__ ?? ''));
  return series.map((s) => {
    const name = names.size > 1 ? (s.labels.__name__ ?? '') : '';
    // One varying label: its value alone ("eth0"), or "cpu 3" when the value is a bare number.
    const shown = varying
      .filter((k) => s.labels[k] !== undefined)
      .map((k) => (varying.length === 1 && !name ? (/^\d+$/.test(s.labels[k] ?? '') ? `${k} ${s.labels[k]}` : `${s.labels[k]}`) : `${k}="${s.labels[k]}"`));
    if (shown.length === 0) return name || s.labels.__name__ || seriesKey(withoutTarget(s.labels));
    if (varying.length === 1 && !name) return shown.join(',');
    return `${name}{${shown.join(',')}}`;
  });
}
