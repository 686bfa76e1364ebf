import uPlot from 'uplot';
import { ApiError, queryRange } from './api.js';
import { cssVar, download, el, inFrame, seriesColor } from './dom.js';
import { chartToPNG } from './export-png.js';
import { fileName, frameToCSV, frameToJSON } from './export-data.js';
import type { Consumer, Window } from './group.js';
import { parseQueryError } from './parse-error.js';
import { appendInstant, emptyFrame, frameFromData, instantSamples, legendNames, mergeFrames, type Envelope, type Frame } from './series.js';
import { niceScale, ticks, type NiceScale } from './scale.js';
import { tooltipPlugin } from './tooltip.js';
import { formatTicks, formatValue, type Unit } from './units.js';

/** Which of the chart's queries a series came from (keys are prefixed "<index>:" when there are several). */
function queryIndex(key: string): number {
  return Number(/^(\d+):/.exec(key)?.[1] ?? 0);
}

/** A time axis label for ticks `incr` seconds apart: the date for days, else the time (with seconds under a minute). */
export function timeLabel(t: number, incr: number): string {
  const d = new Date(t * 1000);
  const midnight = d.getHours() === 0 && d.getMinutes() === 0 && d.getSeconds() === 0;
  if (incr >= 86400 || (midnight && incr >= 3600)) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  const opts: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hour12: false };
  if (incr < 60) opts.second = '2-digit';
  return d.toLocaleTimeString(undefined, opts);
}

/** Time axis steps, in seconds: whole seconds at least (labels show no fractions), up to 30 days. */
export const TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000];

/** Running sums of the series (nulls count as 0 below, and stay null where the series itself has none). */
function stacked(series: (number | null)[][]): (number | null)[][] {
  const sum: number[] = [];
  return series.map((values) =>
    values.map((v, i) => {
      const below = sum[i] ?? 0;
      sum[i] = below + (v ?? 0);
      return v === null ? null : below + v;
    }),
  );
}

/** Width of the y axis for its labels (11px font: about 7px a character, plus ticks and gap). */
function axisWidth(values: string[] | null): number {
  const longest = Math.max(3, ...(values ?? []).map((v) => v.length));
  return Math.ceil(longest * 7 + 22);
}

/** How a chart looks and what it asks. */
export interface ChartOptions {
  /** Title above the chart. */
  title: string;
  /** PromQL templates, one or more. */
  queries: string[];
  /** Unit of the values. */
  unit: Unit;
  /** Plot height in pixels. */
  height: number;
  /** Whether to show the legend (with series toggles). */
  legend?: boolean;
  /** A legend of names only for up to 6 named series (small charts, where phones cannot hover). */
  compactLegend?: boolean;
  /** Whether the PromQL is shown and editable. */
  editable?: boolean;
  /** Fill the area under the lines. */
  fill?: boolean;
  /** Stack the series (each drawn on top of the ones before, filled): parts of a whole, like CPU modes. */
  stack?: boolean;
  /** Draw bars centred on each point instead of lines: counts per time bucket. */
  bars?: boolean;
  /** Upper bound the y axis always reaches (e.g. 1 for ratios). */
  yMax?: number;
  /** Legend name of each query's series (its labels are added when it gives several). */
  names?: string[];
  /** Extra lines drawn dashed (e.g. the core count on the load chart): query indexes. */
  dashed?: number[];
  /** Called when the user edited and ran the PromQL. */
  onEdit?: (queries: string[]) => void;
  /** Called when the user selected a time span on the chart (drag to zoom), Unix seconds. */
  onZoom?: (from: number, to: number) => void;
}

/**
 * A uPlot chart of one or more PromQL expressions: history from range queries, then live points
 * appended with `setData` in an animation frame (never re-created unless its series change).
 */
export class Chart implements Consumer {
  /** The chart's element, to place in a view. */
  readonly root: HTMLElement;
  /** The shown data. */
  frame: Frame = emptyFrame();
  private plot: uPlot | undefined;
  private readonly plotBox: HTMLElement;
  private readonly errorBox: HTMLElement;
  private readonly editors: HTMLTextAreaElement[] = [];
  private width = 0;
  private seriesKeys = '';
  private queries: string[];
  private exprs: string[] = [];
  /** The window shown; the x axis spans it even where there is no data. */
  private win: Window | undefined;
  /** The y axis' ticks, set with its range. */
  private yTicks: NiceScale = { lo: 0, hi: 1, step: 0.5 };
  /** Called after each draw with the frame (panels read their last values from it). */
  onDraw: ((frame: Frame) => void) | undefined;

  constructor(private readonly opts: ChartOptions) {
    this.queries = opts.queries.slice();
    this.plotBox = el('div', { class: 'plot' });
    this.errorBox = el('div', { class: 'chart-error', role: 'alert', hidden: '' });
    const buttons = el(
      'div',
      { class: 'chart-tools' },
      this.button('PNG', 'export-png', 'Download the chart as PNG', () => this.exportPNG()),
      this.button('CSV', 'export-csv', 'Download the data as CSV', () => this.exportCSV()),
      this.button('JSON', 'export-json', 'Download the data as JSON', () => this.exportJSON()),
    );
    this.root = el('figure', { class: 'chart', 'data-testid': 'chart' }, el('figcaption', {}, el('span', { class: 'chart-title' }, opts.title), buttons));
    if (opts.editable) this.root.append(this.editorBox());
    this.root.append(this.plotBox, this.errorBox);
    new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && w !== this.width) {
        this.width = w;
        inFrame(this.plotBox, () => this.plot?.setSize({ width: w, height: this.opts.height }));
      }
    }).observe(this.plotBox);
  }

  private button(label: string, testid: string, title: string, run: () => void): HTMLButtonElement {
    const b = el('button', { type: 'button', class: 'tool', 'data-testid': testid, title, 'aria-label': title }, label);
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      run();
    });
    return b;
  }

  private editorBox(): HTMLElement {
    const box = el('div', { class: 'promql-box' });
    this.queries.forEach((q, i) => {
      const ta = el('textarea', { class: 'promql', 'data-testid': 'promql', spellcheck: 'false', rows: '1', 'aria-label': `PromQL of ${this.opts.title} (${i + 1})` });
      ta.value = q;
      ta.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !e.shiftKey)) {
          e.preventDefault();
          this.runEdits();
        }
      });
      this.editors.push(ta);
      box.append(ta);
    });
    const run = el('button', { type: 'button', class: 'run', title: 'Run (Enter)' }, 'Run');
    run.addEventListener('click', () => this.runEdits());
    box.append(run);
    return box;
  }

  private runEdits(): void {
    this.queries = this.editors.map((e) => e.value.trim()).filter((q) => q !== '');
    this.opts.onEdit?.(this.queries);
  }

  /** The PromQL templates. */
  templates(): string[] {
    return this.queries;
  }

  /** Loads history with range queries. */
  async load(win: Window, exprs: string[], signal: AbortSignal): Promise<void> {
    this.exprs = exprs;
    this.win = win;
    this.editors.forEach((e, i) => {
      if (document.activeElement !== e) e.value = exprs[i] ?? e.value;
    });
    try {
      const datas = await Promise.all(exprs.map((q) => queryRange(q, win.start, win.end, win.step, signal)));
      this.showError(undefined);
      this.setFrame(mergeFrames(datas.map((d, i) => frameFromData(d, exprs.length > 1 ? `${i}:` : ''))));
    } catch (e) {
      if (signal.aborted) return;
      this.showError(e instanceof ApiError ? e.message : String(e));
      this.setFrame(emptyFrame());
    }
  }

  /** Appends a live update. */
  update(t: number, results: Envelope[], win: Window): void {
    this.win = win;
    const samples = results.flatMap((r, i) => instantSamples(r, results.length > 1 ? `${i}:` : ''));
    const err = results.find((r) => r.status === 'error');
    if (err && err.status === 'error') this.showError(err.error);
    const added = appendInstant(this.frame, t, samples, win.end - win.span);
    if (added) this.seriesKeys = '';
    this.schedule();
  }

  /** Replaces the data; `win`, when given, is the span the x axis shows (for data computed by the caller). */
  setFrame(frame: Frame, win?: Window): void {
    if (win) this.win = win;
    this.frame = frame;
    this.seriesKeys = '';
    this.schedule();
  }

  private schedule(): void {
    inFrame(this, () => this.draw());
  }

  private showError(msg: string | undefined): void {
    inFrame(this.errorBox, () => {
      this.errorBox.hidden = msg === undefined;
      this.errorBox.replaceChildren();
      if (msg === undefined) return;
      const q = this.exprs.find(() => true) ?? '';
      const pe = parseQueryError(msg, q);
      this.errorBox.append(msg);
      if (pe.offset !== undefined && this.exprs.length === 1) {
        this.errorBox.append(el('pre', {}, q.slice(0, pe.offset), el('mark', {}, q.slice(pe.offset, pe.offset + 1) || ' '), q.slice(pe.offset + 1)));
      }
    });
  }

  private draw(): void {
    if (!this.root.isConnected) return;
    const f = this.frame;
    const keys = f.series.map((s) => s.key).join('\n');
    const data = [f.times, ...(this.opts.stack ? stacked(f.series.map((s) => s.values)) : f.series.map((s) => s.values))] as uPlot.AlignedData;
    if (!this.plot || keys !== this.seriesKeys) {
      this.seriesKeys = keys;
      this.plot?.destroy();
      this.plot = new uPlot(this.options(), data, this.plotBox);
    } else {
      this.plot.setData(data);
    }
    const last = f.times[f.times.length - 1];
    if (last !== undefined) this.root.dataset.lastT = String(Math.round(last * 1000));
    this.root.dataset.loaded = 'true';
    this.onDraw?.(f);
  }

  private options(): uPlot.Options {
    const unit = this.opts.unit;
    const names = this.names();
    const dashed = new Set(this.opts.dashed ?? []);
    const axis = (): uPlot.Axis => ({
      stroke: () => cssVar('--fg-dim'),
      grid: { stroke: () => cssVar('--grid'), width: 1 },
      ticks: { stroke: () => cssVar('--grid'), width: 1 },
      font: '11px system-ui, sans-serif',
    });
    return {
      width: this.width || this.plotBox.clientWidth || 300,
      height: this.opts.height,
      legend: {
        show: (this.opts.legend ?? false) || (this.opts.compactLegend === true && this.opts.names !== undefined && this.frame.series.length <= 6),
        live: this.opts.legend ?? false,
      },
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      scales: {
        x: { time: true, range: (_u, min, max) => (this.win ? [this.win.start, this.win.end] : [min, max]) },
        y: { range: (_u, min, max) => this.yScale(min, max) },
      },
      axes: [{ ...axis(), incrs: TIME_INCRS, values: (_u, splits, _ax, _space, incr) => splits.map((t) => timeLabel(t, incr)) }, { ...axis(), size: (_u, values) => axisWidth(values), splits: () => ticks(this.yTicks), values: (_u, vals) => formatTicks(vals, unit, this.yTicks.step) }],
      series: [
        { value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleString(undefined, { hour12: false })) },
        ...this.frame.series.map((s, i) => {
          const q = queryIndex(s.key);
          const color = seriesColor(i);
          return {
            label: names[i] ?? s.key,
            stroke: color,
            width: 1.5,
            dash: dashed.has(q) ? [6, 4] : undefined,
            fill: this.opts.stack ? `${color}55` : this.opts.bars ? `${color}aa` : this.opts.fill && !dashed.has(q) ? `${color}22` : undefined,
            paths: this.opts.bars ? uPlot.paths.bars?.({ size: [0.85, 48] }) : undefined,
            points: this.opts.bars ? { show: false } : undefined,
            value: (_u: uPlot, v: number | null, si: number, idx: number | null) => formatValue(this.opts.stack ? this.raw(si, idx) : v, unit),
          } satisfies uPlot.Series;
        }),
      ],
      bands: this.opts.stack ? this.frame.series.slice(1).map((_s, i) => ({ series: [i + 2, i + 1] as [number, number] })) : undefined,
      plugins: [tooltipPlugin(unit, (si, idx) => this.raw(si, idx))],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 2 || !this.opts.onZoom) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.opts.onZoom(Math.floor(from), Math.ceil(to));
          },
        ],
      },
    };
  }

  /**
   * The y range, on ticks far enough apart to label (18 px on small charts, 30 px on others), so that
   * the top of the range is labelled: from zero, unless the values sit far from it (a counter, a
   * temperature), then around them; always reaching `yMax` when given.
   */
  private yScale(min: number, max: number): [number, number] {
    const yMax = this.opts.yMax;
    const narrow = yMax === undefined && min > 0 && max - min < 0.25 * max;
    const lo = narrow ? min - (max - min) * 0.1 : Math.min(0, min);
    const hi = Math.max(max, yMax ?? max);
    // The plot is the chart's height less the time axis (about 50 px).
    const plot = Math.max(20, this.opts.height - 50);
    const intervals = Math.floor(plot / (this.opts.height < 150 ? 18 : 30));
    const unit = this.opts.unit;
    const kind = unit === 'bytes' || unit === 'bytes/s' ? 'bytes' : unit === 'seconds' ? 'time' : 'decimal';
    this.yTicks = niceScale(lo, Number.isFinite(hi) && hi > lo ? hi : lo + (yMax ?? 1), intervals, kind);
    // The labelled values, for people's tools and tests.
    this.root.dataset.yTicks = JSON.stringify(ticks(this.yTicks));
    return [this.yTicks.lo, this.yTicks.hi];
  }

  /** The value of series `si` (1-based, as uPlot counts) at point `idx`, before stacking. */
  private raw(si: number, idx: number | null): number | null {
    return idx === null ? null : (this.frame.series[si - 1]?.values[idx] ?? null);
  }

  /** Legend names: the query's name when given, with the labels that tell its series apart. */
  private names(): string[] {
    const series = this.frame.series;
    const given = this.opts.names;
    if (!given) return legendNames(series);
    const byQuery = new Map<number, number[]>();
    series.forEach((s, i) => byQuery.set(queryIndex(s.key), [...(byQuery.get(queryIndex(s.key)) ?? []), i]));
    const out = legendNames(series);
    for (const [q, idx] of byQuery) {
      const n = given[q];
      if (!n) continue;
      const sub = legendNames(idx.map((i) => series[i] ?? { labels: {} }));
      idx.forEach((i, j) => (out[i] = idx.length > 1 ? `${n} ${sub[j] ?? ''}` : n));
    }
    return out;
  }

  private exportCSV(): void {
    download(fileName(this.opts.title, 'csv', new Date()), new Blob([frameToCSV(this.frame, this.names())], { type: 'text/csv' }));
  }

  private exportJSON(): void {
    download(fileName(this.opts.title, 'json', new Date()), new Blob([frameToJSON(this.frame, this.opts.title, this.exprs)], { type: 'application/json' }));
  }

  private exportPNG(): void {
    chartToPNG(this.plot?.ctx.canvas, this.opts.title, this.names());
  }

  /** Removes the plot (and its window listeners). */
  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** Redraws with the theme's colours. */
  restyle(): void {
    inFrame(this.root, () => this.plot?.redraw(false, true));
  }
}
