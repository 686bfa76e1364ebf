// What the analytics panels say, apart from the page: unit-tested without a browser.

import type { PanelState } from './panels.js';
import { seriesKey, type Labels } from './series.js';

/** One answer of the capacity check (`/api/v1/analytics/capacity`): a sentence, or why there is none. */
export type CapacityResult = { check: string; subject: string; sentence: string; crossing: { mean: number | null } } | { check: string; subject: string; error: string };

/** A day, in seconds. */
const DAY = 86400;

/** The panel's state from the soonest expected crossing: critical within a day, warning within a week. */
export function capacityState(results: CapacityResult[], now: number): PanelState {
  const soonest = Math.min(...results.map((r) => ('crossing' in r && r.crossing.mean !== null ? r.crossing.mean - now : Infinity)));
  if (!results.some((r) => 'sentence' in r)) return 'nodata';
  if (soonest <= DAY) return 'critical';
  if (soonest <= 7 * DAY) return 'warning';
  return 'ok';
}

/** What a check that could not be forecast says: history too short is normal on a new install. */
export function capacityLine(r: CapacityResult): string {
  if ('sentence' in r) return r.sentence;
  return /at least|too gappy|no (points|values|history)/i.test(r.error) ? `${r.subject}: not enough history yet` : `${r.subject}: ${r.error}`;
}

/**
 * The series with the highest anomaly score over the last 10 minutes (scores come from `vitals
 * serve`). Scores of 0 are kept in the answer (the page leaves them out): an empty answer means
 * no series is scored at all (scoring off, or nothing collected yet: a learning detector scores 0).
 */
export const TOP_SCORES = 'topk(5, max_over_time(vitals_anomaly_score[10m]))';

/** Whole seconds of a duration, at least 1, as PromQL writes a range ("300s"). */
function range(seconds: number): string {
  return `${Math.max(1, Math.round(seconds))}s`;
}

/** Anomalies flagged within the last `seconds`, counted per judged series (flags are 1 where one starts). */
export function flagsQuery(seconds: number): string {
  return `sum_over_time(vitals_anomaly_flag[${range(seconds)}]) > 0`;
}

/** How many series were flagged within the last `seconds`: what the anomalies panel's headline shows. */
export function flaggedCountQuery(seconds: number): string {
  return `count(${flagsQuery(seconds)})`;
}

/** The highest score within the last `seconds` of each series flagged then (a flag is a score at or above the threshold). */
export function flaggedScoresQuery(seconds: number): string {
  return `max_over_time(vitals_anomaly_score[${range(seconds)}]) and (${flagsQuery(seconds)})`;
}

/** The score series of a judged series, for the explorer: `vitals_anomaly_score{...}` with all its labels. */
export function scoreQuery(labels: Labels): string {
  const { __name__: _name, ...rest } = labels;
  const matchers = Object.keys(rest)
    .sort()
    .map((k) => `${k}=${JSON.stringify(rest[k])}`);
  return `vitals_anomaly_score{${matchers.join(',')}}`;
}

/** The judged series of an anomaly series: its `metric` label as the name, the rest as labels but `job` and `instance` (the host's). */
export function judged(labels: Labels): string {
  const { __name__: _name, metric, exported_metric: exported, job: _job, instance: _instance, ...rest } = labels;
  return seriesKey({ ...rest, ...(exported !== undefined ? { metric: exported } : {}), __name__: metric ?? '' });
}

/** "the last 5 min", "the last 24 h" for a window length in seconds. */
export function spanText(seconds: number): string {
  if (seconds < 7200) return `the last ${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `the last ${Math.round(seconds / 3600)} h`;
  return `the last ${Math.round(seconds / 86400)} days`;
}
