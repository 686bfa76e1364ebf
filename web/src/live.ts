import type { Envelope } from './series.js';

/** What a view registers with the feed: its queries, in streams, and what to do with each update's answers. */
export interface LiveClient {
  /** The PromQL expressions of each stream (at most `MAX_QUERIES` each), in order. */
  streams: string[][];
  /** Called with a stream's index, the cycle time (Unix seconds) and one answer per query of that stream. */
  update(stream: number, t: number, results: Envelope[]): void;
  /** Called after a reconnect: the view fetches the gap again. */
  reconnected(): void;
}

/** The most expressions one stream may carry (the server's limit). */
export const MAX_QUERIES = 100;

/**
 * The server-push stream (`GET /api/v1/live`, SSE) for every live chart of a view (one stream,
 * or one per 100 expressions on very large boards). EventSource
 * reconnects by itself after network errors; when the server refuses (the stream closes for good),
 * this retries with backoff. While the stream is down the connection banner shows.
 */
export class LiveFeed {
  private sources: EventSource[] = [];
  private closed = false;
  private retry = 0;
  private timer = 0;
  private everOpen = false;
  private down = false;

  constructor(
    private readonly client: LiveClient,
    private readonly banner: (down: boolean) => void,
  ) {
    this.open();
  }

  private open(): void {
    if (this.closed) return;
    this.sources = this.client.streams.map((qs, c) => {
      const p = new URLSearchParams();
      for (const q of qs) p.append('query', q);
      const es = new EventSource(`/api/v1/live?${p.toString()}`);
      es.addEventListener('hello', () => this.up());
      es.addEventListener('update', (ev) => {
        this.up();
        let msg: { t: number; results: Envelope[] };
        try {
          msg = JSON.parse((ev as MessageEvent<string>).data) as typeof msg;
        } catch {
          return;
        }
        this.client.update(c, msg.t, msg.results);
      });
      es.onerror = () => {
        this.setDown(true);
        if (es.readyState === EventSource.CLOSED) this.scheduleReopen();
      };
      return es;
    });
  }

  private up(): void {
    this.retry = 0;
    if (this.down || !this.everOpen) {
      const again = this.everOpen;
      this.everOpen = true;
      this.setDown(false);
      if (again) this.client.reconnected();
    }
  }

  private setDown(down: boolean): void {
    this.down = down;
    this.banner(down);
  }

  private scheduleReopen(): void {
    for (const s of this.sources) s.close();
    this.sources = [];
    window.clearTimeout(this.timer);
    const wait = Math.min(30000, 1000 * 2 ** this.retry++);
    this.timer = window.setTimeout(() => this.open(), wait);
  }

  /** Stops the stream (the view is left). */
  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    for (const s of this.sources) s.close();
    this.sources = [];
  }
}
