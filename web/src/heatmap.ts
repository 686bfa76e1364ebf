import uPlot from 'uplot';
import { queryRange } from './api.js';
import { TIME_INCRS, timeLabel } from './chart.js';
import { cssVar, el, inFrame } from './dom.js';
import type { Consumer, Window } from './group.js';
import { heatmapFromFrame, type Heatmap } from './heatmap-data.js';
import { appendInstant, emptyFrame, frameFromData, instantSamples, type Envelope, type Frame } from './series.js';
import { formatValue, type Unit } from './units.js';

/** Colour of a cell: from the panel background (no observations) to a bright orange (the most). */
function cellColor(share: number): string {
  const a = Math.max(0.08, Math.min(1, share));
  return `rgba(249, 115, 22, ${a.toFixed(3)})`;
}

/**
 * A histogram as a heatmap: time across, buckets (by `le`) up, each cell's colour the rate of
 * observations in that bucket (log scale). Drawn by a uPlot draw hook on the plot's canvas.
 */
export class HeatmapChart implements Consumer {
  /** The heatmap's element. */
  readonly root: HTMLElement;
  private readonly box: HTMLElement;
  private plot: uPlot | undefined;
  private frame: Frame = emptyFrame();
  private map: Heatmap = { les: [], times: [], counts: [], max: 0 };
  private rows = -1;
  private width = 0;
  private readonly info: HTMLElement;
  private win: Window | undefined;

  /**
   * `query` gives per-bucket rates by `le` (a template; `null` for a heatmap fed with `show`);
   * `unit` is the unit of `le` (seconds for latency).
   */
  constructor(
    title: string,
    private readonly query: string | null,
    private readonly unit: Unit,
    private readonly height = 220,
  ) {
    this.box = el('div', { class: 'plot' });
    this.info = el('div', { class: 'heat-info' }, ' ');
    this.root = el('figure', { class: 'chart heatmap', 'data-testid': 'heatmap' }, el('figcaption', {}, el('span', { class: 'chart-title' }, title)), this.box, this.info);
    new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && w !== this.width) {
        this.width = w;
        inFrame(this.box, () => this.plot?.setSize({ width: w, height: this.height }));
      }
    }).observe(this.box);
  }

  /** The rate-by-bucket query. */
  templates(): string[] {
    return this.query ? [this.query] : [];
  }

  /** Loads the history. */
  async load(win: Window, exprs: string[], signal: AbortSignal): Promise<void> {
    const q = exprs[0];
    this.win = win;
    if (!q) return;
    try {
      this.frame = frameFromData(await queryRange(q, win.start, win.end, win.step, signal));
    } catch {
      if (signal.aborted) return;
      this.frame = emptyFrame();
    }
    this.show(heatmapFromFrame(this.frame, false));
  }

  /** Appends a live column. */
  update(t: number, results: Envelope[], win: Window): void {
    const r = results[0];
    this.win = win;
    if (!r) return;
    appendInstant(this.frame, t, instantSamples(r), win.end - win.span);
    this.show(heatmapFromFrame(this.frame, false));
  }

  /** Draws a heatmap; `win` is the time window its x axis spans (else the data's). */
  show(map: Heatmap, win?: Window): void {
    this.map = map;
    if (win) this.win = win;
    inFrame(this, () => this.draw());
  }

  private draw(): void {
    if (!this.root.isConnected) return;
    const m = this.map;
    const data: uPlot.AlignedData = [m.times, m.times.map(() => 0)];
    if (!this.plot || this.rows !== m.les.length) {
      this.rows = m.les.length;
      this.plot?.destroy();
      this.plot = new uPlot(this.options(), data, this.box);
    } else {
      this.plot.setData(data);
    }
    const last = m.times[m.times.length - 1];
    if (last !== undefined) this.root.dataset.lastT = String(Math.round(last * 1000));
    this.root.dataset.loaded = 'true';
    // What was drawn, for people's tools and tests: cells with observations, and each bucket's share of them.
    const totals = m.counts.map((row) => row.reduce<number>((a, c) => a + (c ?? 0), 0));
    const all = totals.reduce((a, c) => a + c, 0);
    this.root.dataset.cells = String(m.counts.reduce((a, row) => a + row.filter((c) => c !== null && c > 0).length, 0));
    this.root.dataset.shares = JSON.stringify(totals.map((c) => (all > 0 ? Math.round((c / all) * 1e4) / 1e4 : 0)));
  }

  private options(): uPlot.Options {
    const axis = (): uPlot.Axis => ({ stroke: () => cssVar('--fg-dim'), grid: { show: false }, ticks: { stroke: () => cssVar('--grid') }, font: '11px system-ui, sans-serif' });
    const label = (b: number): string => {
      const le = this.map.les[b];
      return le === undefined ? '' : le === Infinity ? '+Inf' : `≤${formatValue(le, this.unit)}`;
    };
    return {
      width: this.width || this.box.clientWidth || 300,
      height: this.height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: true, range: (_u, min, max) => (this.win ? [this.win.start, this.win.end] : [min, max]) }, y: { auto: false, range: () => [0, Math.max(1, this.map.les.length)] } },
      axes: [
        { ...axis(), incrs: TIME_INCRS, values: (_u, splits, _ax, _space, incr) => splits.map((t) => timeLabel(t, incr)) },
        {
          ...axis(),
          size: 72,
          // A label every few buckets when rows are too thin for one each (about 13 px a label).
          splits: () => {
            const n = this.map.les.length;
            const every = Math.max(1, Math.ceil((n * 13) / Math.max(1, this.height - 40)));
            return this.map.les.map((_l, b) => b + 0.5).filter((_s, b) => (n - 1 - b) % every === 0);
          },
          values: (_u, splits) => splits.map((s) => label(Math.floor(s))),
        },
      ],
      series: [{}, { paths: () => null, points: { show: false } }],
      hooks: {
        draw: [(u) => this.paint(u)],
        setCursor: [(u) => this.hover(u)],
      },
    };
  }

  private paint(u: uPlot): void {
    const m = this.map;
    // The time span the x axis shows, Unix seconds.
    this.root.dataset.from = String(u.scales.x?.min ?? '');
    this.root.dataset.to = String(u.scales.x?.max ?? '');
    if (m.times.length === 0 || m.max <= 0) return;
    const ctx = u.ctx;
    const logMax = Math.log1p(m.max);
    const step = m.times.length > 1 ? (m.times[1] ?? 0) - (m.times[0] ?? 0) : 1;
    ctx.save();
    ctx.beginPath();
    ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
    ctx.clip();
    m.counts.forEach((row, b) => {
      const y0 = u.valToPos(b + 1, 'y', true);
      const y1 = u.valToPos(b, 'y', true);
      row.forEach((c, i) => {
        if (c === null || c <= 0) return;
        const t = m.times[i] ?? 0;
        const prev = i > 0 ? (m.times[i - 1] ?? t - step) : t - step;
        const x0 = u.valToPos(prev, 'x', true);
        const x1 = u.valToPos(t, 'x', true);
        ctx.fillStyle = cellColor(Math.log1p(c) / logMax);
        ctx.fillRect(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0 - 1));
      });
    });
    ctx.restore();
  }

  private hover(u: uPlot): void {
    const i = u.cursor.idx;
    const top = u.cursor.top ?? -1;
    if (i === null || i === undefined || top < 0) return;
    const b = Math.floor(u.posToVal(top, 'y'));
    const c = this.map.counts[b]?.[i];
    const lo = b > 0 ? this.map.les[b - 1] : 0;
    const hi = this.map.les[b];
    if (hi === undefined) return;
    const t = this.map.times[i];
    this.info.textContent = `${t === undefined ? '' : new Date(t * 1000).toLocaleTimeString(undefined, { hour12: false })}  ${formatValue(lo, this.unit)} – ${hi === Infinity ? '+Inf' : formatValue(hi, this.unit)}: ${formatValue(c, 'count/s')}`;
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

/** The PromQL of a family's per-bucket rates, for `HeatmapChart`. */
export function bucketRateQuery(family: string): string {
  return `sum by (le) (rate(${family}_bucket[$__wide_rate_interval]))`;
}

/** The PromQL of a family's percentile lines (0.5, 0.9, 0.99). */
export function percentileQueries(family: string): string[] {
  return [0.5, 0.9, 0.99].map((q) => `histogram_quantile(${q}, sum by (le) (rate(${family}_bucket[$__wide_rate_interval])))`);
}
