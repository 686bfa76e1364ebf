import { collectionInterval } from './api.js';
import { rangeBounds, rangeIsLive, rangeSeconds, type Range } from './hash.js';
import { LiveFeed, MAX_QUERIES } from './live.js';
import { expand } from './rate-interval.js';
import type { Envelope } from './series.js';

/** How a part of a view (chart, value, table) gets its data. */
export interface Consumer {
  /** Its PromQL expressions (templates: `$__rate_interval` is filled in by the group). */
  templates(): string[];
  /** Loads history for the window; `exprs` are the filled-in expressions. */
  load(win: Window, exprs: string[], signal: AbortSignal): Promise<void>;
  /** Appends one live update: the cycle time and this consumer's answers, in order. */
  update(t: number, results: Envelope[], win: Window): void;
  /** Releases what it holds outside its elements (uPlot's window listeners), when the view is left. */
  destroy?(): void;
}

/** The time window the consumers show. */
export interface Window {
  /** Start, Unix seconds. */
  start: number;
  /** End, Unix seconds. */
  end: number;
  /** Range query step, seconds. */
  step: number;
  /** Whether live updates are appended. */
  live: boolean;
  /** Length of the window, seconds (live charts keep this much). */
  span: number;
}

/** Most points a chart asks for over its range. */
const POINTS = 600;


/**
 * The consumers of one view: loads their history over the range, then keeps them live with one
 * server-push stream for all of them (when the range is live).
 */
export class LiveGroup {
  private consumers: Consumer[] = [];
  private feed: LiveFeed | undefined;
  private abort = new AbortController();
  private interval = 1;
  /** The current window. */
  win: Window = { start: 0, end: 0, step: 1, live: true, span: 300 };

  constructor(
    private range: Range,
    private readonly banner: (down: boolean) => void,
  ) {}

  /** Adds a consumer (before `start`, or followed by `restart`). */
  add(c: Consumer): void {
    this.consumers.push(c);
  }

  /** Removes every consumer. */
  clear(): void {
    this.consumers = [];
  }

  private exprs(c: Consumer): string[] {
    return c.templates().map((t) => expand(t, this.interval, this.win.step));
  }

  /** Opens the live stream and loads history; resolves when every consumer has its first data. */
  async start(): Promise<void> {
    await this.load(true);
  }

  /** Loads every consumer's history over the range now (and first opens the stream when `open`). */
  private async load(open: boolean): Promise<void> {
    this.interval = await collectionInterval();
    const now = Date.now() / 1000;
    const span = rangeSeconds(this.range);
    const step = Math.max(this.interval, Math.ceil(span / POINTS));
    // A preset range ends on a multiple of the step (a custom one where chosen), so that history points fall on the same
    // whole seconds as the live points appended after them (else the export has an odd step at the join).
    const [start, end] = rangeBounds(this.range, Math.floor(now / step) * step);
    this.win = { start, end, step, live: rangeIsLive(this.range), span };
    this.abort.abort();
    this.abort = new AbortController();
    const signal = this.abort.signal;
    if (open) this.openFeed();
    await Promise.all(this.consumers.map((c) => c.load(this.win, this.exprs(c), signal).catch(() => undefined)));
  }

  private openFeed(): void {
    this.feed?.close();
    this.feed = undefined;
    if (!this.win.live || this.consumers.length === 0) {
      this.banner(false);
      return;
    }
    // Streams of at most MAX_QUERIES expressions; a consumer's queries stay in one stream.
    const streams: { consumers: Consumer[]; queries: string[] }[] = [];
    for (const c of this.consumers) {
      const qs = this.exprs(c);
      if (qs.length === 0) continue;
      let last = streams[streams.length - 1];
      if (!last || last.queries.length + qs.length > MAX_QUERIES) {
        last = { consumers: [], queries: [] };
        streams.push(last);
      }
      last.consumers.push(c);
      last.queries.push(...qs);
    }
    if (streams.length === 0) return;
    this.feed = new LiveFeed(
      {
        streams: streams.map((s) => s.queries),
        update: (stream, t, results) => {
          this.win.end = Math.max(this.win.end, t);
          this.win.start = this.win.end - this.win.span;
          let i = 0;
          for (const c of streams[stream]?.consumers ?? []) {
            const n = c.templates().length;
            c.update(t, results.slice(i, i + n), this.win);
            i += n;
          }
        },
        // Back after a break: load the range again, which fills the gap.
        reconnected: () => void this.load(false),
      },
      this.banner,
    );
  }

  /** Sets another range and starts again. */
  setRange(range: Range): Promise<void> {
    this.range = range;
    return this.start();
  }

  /** Loads again after a consumer changed its queries. */
  restart(): Promise<void> {
    return this.start();
  }

  /** Stops loading and the stream, and releases the consumers (the view is left). */
  stop(): void {
    this.abort.abort();
    this.feed?.close();
    this.feed = undefined;
    for (const c of this.consumers) c.destroy?.();
  }
}
