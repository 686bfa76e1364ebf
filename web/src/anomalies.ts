import { flaggedCountQuery, flaggedScoresQuery, flagsQuery, judged, scoreQuery, spanText, TOP_SCORES } from './analytics-text.js';
import { bucketSeconds, EVENT_GAP, familiesText, groupEvents, mostAffected, seriesFlagged, seriesPerBucket, shownEvents, type AffectedSeries, type AnomalyEvent, type FlagPoint } from './anomaly-events.js';
import { ApiError, queryInstant, queryRange } from './api.js';
import { Chart, timeLabel } from './chart.js';
import { el, inFrame } from './dom.js';
import type { Consumer, Window } from './group.js';
import { formatHash, type Range } from './hash.js';
import type { PanelState } from './panels.js';
import { instantSamples, sampleValue, seriesKey, type Envelope, type Labels, type QueryData } from './series.js';
import { significant } from './units.js';

/** How often the live view asks for the flags again, in updates. */
const FLAG_EVERY = 15;

/** The flags of the window, bucketed: what the chart, the events and the table are drawn from. */
interface Flagged {
  /** One point per judged series and bucket with flags. */
  points: FlagPoint[];
  /** Each judged series' labels (for its name and its explorer link). */
  labels: Map<string, Labels>;
  /** Bucket length, seconds. */
  bucket: number;
  /** Ends of the buckets, Unix seconds, oldest first; they tile `(times[0] - bucket, end]`. */
  times: number[];
  /** Where the window ends, Unix seconds. */
  end: number;
  /** Distinct series flagged in the window: the headline. */
  count: number;
  /** The events to list and how many earlier ones are left out. */
  events: { shown: AnomalyEvent[]; earlier: number };
  /** The most affected series. */
  affected: AffectedSeries[];
}

/** The points of a range answer, each put on its bucket's end (`start + i * bucket`, as the buckets are made). */
function matrixPoints(data: QueryData, start: number, bucket: number, n: number): { key: string; labels: Labels; t: number; value: number }[] {
  if (data.resultType !== 'matrix') return [];
  return data.result.flatMap((r) => {
    const key = seriesKey(r.metric);
    return r.values.flatMap(([t, v]) => {
      const i = Math.round((t - start) / bucket);
      const value = sampleValue(v);
      return value === null || i < 0 || i >= n ? [] : [{ key, labels: r.metric, t: start + i * bucket, value }];
    });
  });
}

/** A time for people, as the time axes label a minute: "01:38". */
const clock = (t: number): string => timeLabel(t, 60);

/** A date for people, as the time axes label a day: "Nov 22". */
const day = (t: number): string => timeLabel(t, 86400);

/**
 * When an event happened: "01:38" (within one bucket), "01:38–01:42", with the date first over
 * windows of a day or more ("Nov 22 23:58–00:03" names the start's day; the end's too when it differs).
 */
function eventTime(e: AnomalyEvent, bucket: number, withDate: boolean): string {
  const start = withDate ? `${day(e.start)} ${clock(e.start)}` : clock(e.start);
  if (e.end - e.start <= bucket) return start;
  return `${start}–${withDate && day(e.end) !== day(e.start) ? `${day(e.end)} ` : ''}${clock(e.end)}`;
}

/** "1 series", "45 series". */
function seriesText(n: number): string {
  return `${n} series`;
}

/**
 * The overview's "Anomalies" panel: how many series were flagged in the shown window, a chart of
 * series flagged per time bucket, the flags grouped into events (newest first) with the metric
 * families involved, and the series most affected. With nothing flagged, the highest scores
 * (live). Warning while any series was flagged in the window; ok when none was; no data while
 * no series is scored.
 */
export class AnomaliesPanel implements Consumer {
  /** The panel element. */
  readonly root: HTMLElement;
  private readonly value: HTMLElement;
  private chart: Chart;
  /** The bucket the chart's title names. */
  private chartBucket = 60;
  private readonly events: HTMLElement;
  private readonly head: HTMLElement;
  private readonly rows: HTMLElement;
  private win: Window | undefined;
  private flagged: Flagged | null = null;
  private flagError: string | null = null;
  private top: { name: string; labels: Labels; score: number | null }[] | null = null;
  private sinceFlags = 0;
  private abort: AbortController | undefined;
  /** Flags read so far: each read is drawn once. */
  private loads = 0;
  /** What was last drawn: a live update that changes nothing writes nothing. */
  private drawn = '';

  /** `range` gives the view's range, for the explorer links. */
  constructor(private readonly range: () => Range) {
    this.value = el('span', { class: 'value', 'data-testid': 'panel-value' }, '…');
    this.chart = AnomaliesPanel.newChart(this.chartBucket);
    this.events = el('ul', { class: 'events', 'data-testid': 'anomaly-flags' });
    this.head = el('tr');
    this.rows = el('tbody');
    const rule = `distinct series flagged (vitals_anomaly_flag) in the window; flags ${EVENT_GAP / 60} min or more apart are separate events (a series flagged in two events counts in each); warning while any series was flagged`;
    this.root = el(
      'section',
      { class: 'panel anomalies', 'data-testid': 'panel', 'data-panel': 'anomalies', 'data-state': 'nodata', tabindex: '0', role: 'group', 'aria-label': 'Anomalies' },
      el('header', {}, el('h2', {}, 'Anomalies'), this.value),
      el('div', { class: 'explain', title: rule }, 'series flagged as unusual, grouped into events'),
      this.chart.root,
      this.events,
      el('table', { class: 'values', 'data-testid': 'anomaly-scores' }, el('thead', {}, this.head), this.rows),
    );
  }

  /** The live query: the top scores (shown while nothing is flagged; none at all means nothing is scored). */
  templates(): string[] {
    return [TOP_SCORES];
  }

  /** Reads the scores and flags at the window's end. */
  async load(win: Window, exprs: string[], signal: AbortSignal): Promise<void> {
    this.win = win;
    this.sinceFlags = 0;
    // A live refresh of the flags still in flight is for the old window: its answer must not
    // land after this one's.
    this.abort?.abort();
    this.abort = undefined;
    try {
      const [scores] = await Promise.all([queryInstant(exprs[0] ?? TOP_SCORES, win.end, signal), this.loadFlags(win, signal)]);
      this.setScores({ status: 'success', data: scores });
    } catch {
      if (signal.aborted) return;
      this.top = [];
      this.draw();
    }
  }

  /**
   * Asks for the flags of the window per bucket (one range query; buckets end at the window's end
   * and tile it) and the highest scores of the series flagged.
   */
  private async loadFlags(win: Window, signal: AbortSignal): Promise<void> {
    const bucket = bucketSeconds(win.span);
    const n = Math.max(1, Math.ceil(win.span / bucket));
    const end = win.end;
    const start = end - (n - 1) * bucket;
    try {
      const [flags, scores] = await Promise.all([queryRange(flagsQuery(bucket), start, end, bucket, signal), queryRange(flaggedScoresQuery(bucket), start, end, bucket, signal)]);
      const labels = new Map<string, Labels>();
      const points: FlagPoint[] = matrixPoints(flags, start, bucket, n).map((p) => {
        labels.set(p.key, p.labels);
        return { series: p.key, metric: p.labels.metric ?? '', t: p.t, count: p.value };
      });
      const best = new Map<string, number>();
      for (const p of matrixPoints(scores, start, bucket, n)) best.set(p.key, Math.max(best.get(p.key) ?? -Infinity, p.value));
      this.flagged = {
        points,
        labels,
        bucket,
        times: Array.from({ length: n }, (_v, i) => start + i * bucket),
        end,
        count: seriesFlagged(points),
        events: shownEvents(groupEvents(points, bucket)),
        affected: mostAffected(points, best),
      };
      this.loads++;
      this.flagError = null;
    } catch (e) {
      if (signal.aborted) return;
      this.flagError = e instanceof ApiError ? e.message : String(e);
    }
    this.drawChart();
    this.draw();
  }

  /** Takes the live scores; asks for the flags again every few updates. */
  update(_t: number, results: Envelope[], win: Window): void {
    this.win = win;
    const r = results[0];
    if (r) this.setScores(r);
    if (++this.sinceFlags >= FLAG_EVERY) {
      this.sinceFlags = 0;
      this.abort?.abort();
      this.abort = new AbortController();
      void this.loadFlags(win, this.abort.signal);
    }
  }

  private setScores(env: Envelope): void {
    this.top = instantSamples(env)
      .map((s) => ({ name: judged(s.labels), labels: s.labels, score: s.value }))
      .sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
    this.draw();
  }

  /** Stops asking for flags; releases the chart. */
  destroy(): void {
    this.abort?.abort();
    this.chart.destroy();
  }

  /** A bar chart of series flagged per bucket of `bucket` seconds. */
  private static newChart(bucket: number): Chart {
    const title = `Series flagged per ${bucketName(bucket)}`;
    // Reaching 2 at least, the axis labels whole numbers of series (0, 1, 2), never "0.5".
    return new Chart({ title, queries: [flagsQuery(bucket)], unit: 'count', height: 90, bars: true, yMax: 2 });
  }

  /** The chart: distinct series flagged per bucket, each bar centred on its bucket. */
  private drawChart(): void {
    const f = this.flagged;
    if (!f) return;
    if (f.bucket !== this.chartBucket) {
      const old = this.chart;
      this.chartBucket = f.bucket;
      this.chart = AnomaliesPanel.newChart(f.bucket);
      old.destroy();
      old.root.replaceWith(this.chart.root);
    }
    const counts = seriesPerBucket(f.points, f.times);
    const span = f.times.length * f.bucket;
    this.chart.setFrame(
      { times: f.times.map((t) => t - f.bucket / 2), series: [{ key: 'series flagged', labels: { __name__: 'series flagged' }, values: counts }] },
      { start: f.end - span, end: f.end, step: f.bucket, live: this.win?.live ?? false, span },
    );
  }

  /** A link to the explorer with the score series of a judged series. */
  private link(name: string, labels: Labels): HTMLElement {
    const href = formatHash({ view: 'explore', q: scoreQuery(labels), range: this.range() });
    return el('a', { href, title: `${name}: its anomaly score in the explorer` }, name);
  }

  private draw(): void {
    const top = this.top;
    const f = this.flagged;
    if (top === null || (f === null && this.flagError === null)) return;
    const scored = top.length > 0;
    const count = f?.count ?? 0;
    const state: PanelState = count > 0 ? 'warning' : scored && this.flagError === null ? 'ok' : 'nodata';
    const span = this.win ? spanText(this.win.span) : 'the window';
    const events = f?.events ?? { shown: [], earlier: 0 };
    const affected = f?.affected ?? [];
    const fallback = count === 0 ? top.filter((s) => (s.score ?? 0) > 0) : [];
    const key = JSON.stringify([state, this.loads, this.flagError, span, fallback.map((s) => [s.name, s.score])]);
    if (key === this.drawn) return;
    this.drawn = key;
    const withDate = (this.win?.span ?? 0) >= 86400;
    inFrame(this, () => {
      this.root.dataset.state = state;
      this.value.textContent = count > 0 ? seriesText(count) : state === 'ok' ? 'none' : this.flagError !== null ? 'unavailable' : 'no scores';
      // The exact number, the PromQL that gives it and its time: anyone can ask the API the same and compare.
      this.value.dataset.value = String(count);
      this.value.dataset.query = f ? flaggedCountQuery(f.times.length * f.bucket) : '';
      this.value.dataset.t = f ? String(f.end) : '';
      const items: HTMLElement[] = events.shown.map((e) =>
        el(
          'li',
          { 'data-testid': 'anomaly-event', 'data-series': String(e.series), 'data-start': String(e.start), 'data-end': String(e.end) },
          el('span', { class: 'when' }, eventTime(e, f?.bucket ?? 60, withDate)),
          ' ',
          el('span', { class: 'size' }, seriesText(e.series)),
          ': ',
          el('span', { class: 'families' }, familiesText(e.families)),
        ),
      );
      if (events.earlier > 0) items.push(el('li', { class: 'earlier', 'data-testid': 'anomaly-earlier' }, `and ${events.earlier} earlier event${events.earlier === 1 ? '' : 's'}`));
      if (this.flagError !== null) items.push(el('li', { class: 'empty' }, `Flags unavailable: ${this.flagError}`));
      else if (count === 0) items.push(el('li', { class: 'empty' }, scored ? `No anomaly flagged in ${span}.` : 'No anomaly scores (scoring is off, or still learning).'));
      this.events.replaceChildren(...items);
      let rows: HTMLElement[];
      if (count > 0) {
        this.head.replaceChildren(el('th', {}, 'most affected series'), el('th', { title: 'flags in the window' }, 'flags'), el('th', { title: 'highest anomaly score in the window' }, 'score'));
        rows = affected.map((a) => {
          const labels = f?.labels.get(a.series) ?? {};
          const name = judged(labels);
          return el(
            'tr',
            { 'data-testid': 'anomaly-row' },
            el('td', { class: 'key' }, this.link(name, labels)),
            el('td', { 'data-value': String(a.flags) }, String(a.flags)),
            el('td', { 'data-value': a.score === null ? '' : String(a.score) }, a.score === null ? '–' : significant(a.score, 3)),
          );
        });
      } else {
        this.head.replaceChildren(el('th', {}, 'highest scores, last 10 min'), el('th', {}, 'score'));
        rows = fallback.map((s) => el('tr', { 'data-testid': 'anomaly-row' }, el('td', { class: 'key' }, this.link(s.name, s.labels)), el('td', { 'data-value': String(s.score ?? '') }, s.score === null ? '–' : significant(s.score, 2))));
        if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '2', class: 'empty', 'data-testid': 'anomaly-none' }, 'no series scored above 0 in the last 10 min')));
      }
      this.rows.replaceChildren(...rows);
      this.root.dataset.loaded = 'true';
    });
  }
}

/** A bucket's length for a title: "minute", "5 min", "2 h", "day". */
function bucketName(seconds: number): string {
  if (seconds === 60) return 'minute';
  if (seconds === 86400) return 'day';
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${significant(seconds / 60)} min`;
}
