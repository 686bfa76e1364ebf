// The overview's anomalies told as events: flags grouped in time, their size and what was
// involved, and the series most affected. Pure (no DOM, no requests): unit-tested in node.

/** A new event starts after at least this long (seconds) without any flag. */
export const EVENT_GAP = 120;

/** Most events listed; older ones are summed up as "and N earlier events". */
export const MOST_EVENTS = 5;

/** Most metric families named per event; the others are counted as "+N more". */
export const MOST_FAMILIES = 3;

/** Most series in the "most affected" table. */
export const MOST_SERIES = 5;

/** Most buckets over a window: the chart stays readable (one bar is at least a pixel on a phone). */
const MOST_BUCKETS = 360;

/** Bucket lengths, seconds: a whole minute at least (flags are counted per minute), longer for long windows. */
const BUCKETS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400];

/** Namespaces whose metrics have no subsystem word (the client libraries' `process_*`): their family is the namespace. */
const FLAT = new Set(['process']);

/** Flags of one judged series in one bucket: a range query of `sum_over_time(vitals_anomaly_flag[<bucket>])` gives them. */
export interface FlagPoint {
  /** The judged series' identity (its name and labels). */
  series: string;
  /** Its metric name (the anomaly series' `metric` label). */
  metric: string;
  /** End of the bucket, Unix seconds (the bucket is `(t - bucket, t]`). */
  t: number;
  /** Flags in the bucket (at least 1). */
  count: number;
}

/** A metric family within an event: how many of the event's series belong to it. */
export interface Family {
  /** Readable name: the one metric's name, or a prefix with `*` ("node_cpu_*"). */
  name: string;
  /** Distinct series of the event in this family. */
  series: number;
}

/** Flags close together in time: one thing that happened on the host. */
export interface AnomalyEvent {
  /** Start of its first bucket with flags, Unix seconds. */
  start: number;
  /** End of its last bucket with flags, Unix seconds. */
  end: number;
  /** Distinct series flagged. */
  series: number;
  /** Flags counted (a series may be flagged more than once). */
  flags: number;
  /** Every family involved, most series first (then by name). */
  families: Family[];
}

/** One row of the "most affected" table. */
export interface AffectedSeries {
  /** The judged series' identity. */
  series: string;
  /** Flags in the window. */
  flags: number;
  /** Highest anomaly score in the window, null when unknown. */
  score: number | null;
}

/** The bucket length (seconds) for a window of `span` seconds: the shortest of `BUCKETS` giving at most 360 buckets. */
export function bucketSeconds(span: number): number {
  return BUCKETS.find((b) => span / b <= MOST_BUCKETS) ?? BUCKETS[BUCKETS.length - 1] ?? 86400;
}

/**
 * The family of a metric name: its namespace and subsystem, the first two words
 * (`node_cpu_seconds_total` → `node_cpu`, `vitals_top_process_count` → `vitals_top`), without a
 * trailing number (`node_load15` → `node_load`); a flat namespace alone (`process_open_fds` →
 * `process`); a name of one word is its own family.
 */
export function metricFamily(metric: string): string {
  const words = metric.split('_').filter((w) => w !== '');
  const first = words[0] ?? metric;
  if (words.length < 2 || FLAT.has(first)) return first;
  const second = words.length === 2 ? (words[1] ?? '').replace(/\d+$/, '') : (words[1] ?? '');
  return second === '' ? first : `${first}_${second}`;
}

/** How a family is shown: the metric's own name when only one of its metrics is involved, else its prefix with `*`. */
function familyName(family: string, metrics: Set<string>): string {
  if (metrics.size === 1) return [...metrics][0] ?? family;
  return [...metrics].every((m) => m.startsWith(`${family}_`)) ? `${family}_*` : `${family}*`;
}

/** The families of a set of series (series → metric name), most series first, then by name. */
function families(seriesMetric: Map<string, string>): Family[] {
  const byFamily = new Map<string, { metrics: Set<string>; series: number }>();
  for (const metric of seriesMetric.values()) {
    const key = metricFamily(metric);
    const f = byFamily.get(key) ?? { metrics: new Set<string>(), series: 0 };
    f.metrics.add(metric);
    f.series++;
    byFamily.set(key, f);
  }
  return [...byFamily.entries()]
    .map(([key, f]) => ({ name: familyName(key, f.metrics), series: f.series }))
    .sort((a, b) => b.series - a.series || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Groups flags into events, newest first. Flags are counted per bucket (`bucket` seconds, each
 * point's `t` the end of its bucket); an event is a run of buckets with flags, and a new one
 * starts when at least `gap` seconds without any flag lie between two buckets with flags (with
 * minute buckets: at least two whole minutes without flags).
 */
export function groupEvents(points: FlagPoint[], bucket: number, gap = EVENT_GAP): AnomalyEvent[] {
  const sorted = points.filter((p) => p.count > 0).sort((a, b) => a.t - b.t);
  const runs: FlagPoint[][] = [];
  let run: FlagPoint[] = [];
  for (const p of sorted) {
    const prev = run[run.length - 1];
    // The time without flags between the previous bucket's end and this bucket's start.
    if (prev && p.t - bucket - prev.t >= gap) {
      runs.push(run);
      run = [];
    }
    run.push(p);
  }
  if (run.length > 0) runs.push(run);
  return runs
    .map((r) => {
      const seriesMetric = new Map(r.map((p) => [p.series, p.metric]));
      return {
        start: (r[0]?.t ?? 0) - bucket,
        end: r[r.length - 1]?.t ?? 0,
        series: seriesMetric.size,
        flags: r.reduce((a, p) => a + p.count, 0),
        families: families(seriesMetric),
      };
    })
    .reverse();
}

/** The events to list (the newest `most`) and how many earlier ones are left out. */
export function shownEvents(events: AnomalyEvent[], most = MOST_EVENTS): { shown: AnomalyEvent[]; earlier: number } {
  return { shown: events.slice(0, most), earlier: Math.max(0, events.length - most) };
}

/** "node_cpu_* (16), node_disk_* (12), node_memory_* (9), +4 more": the families most involved. */
export function familiesText(fams: Family[], most = MOST_FAMILIES): string {
  const named = fams.slice(0, most).map((f) => `${f.name} (${f.series})`);
  const more = fams.length - most;
  return more > 0 ? `${named.join(', ')}, +${more} more` : named.join(', ');
}

/** Distinct series flagged in the window (each series counted once, however many flags). */
export function seriesFlagged(points: FlagPoint[]): number {
  return new Set(points.filter((p) => p.count > 0).map((p) => p.series)).size;
}

/** Distinct series flagged per bucket, for each bucket end in `times` (0 where none). */
export function seriesPerBucket(points: FlagPoint[], times: number[]): number[] {
  const per = new Map<number, Set<string>>();
  for (const p of points) {
    if (p.count <= 0) continue;
    const s = per.get(p.t) ?? new Set<string>();
    s.add(p.series);
    per.set(p.t, s);
  }
  return times.map((t) => per.get(t)?.size ?? 0);
}

/**
 * The series most affected: at most `most`, by flags in the window, then by highest score, then
 * by name; series never flagged are left out.
 */
export function mostAffected(points: FlagPoint[], scores: Map<string, number>, most = MOST_SERIES): AffectedSeries[] {
  const flags = new Map<string, number>();
  for (const p of points) if (p.count > 0) flags.set(p.series, (flags.get(p.series) ?? 0) + p.count);
  return [...flags.entries()]
    .map(([series, n]) => ({ series, flags: n, score: scores.get(series) ?? null }))
    .sort((a, b) => b.flags - a.flags || (b.score ?? -1) - (a.score ?? -1) || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0))
    .slice(0, most);
}
