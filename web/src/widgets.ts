import { queryInstant } from './api.js';
import { el, inFrame } from './dom.js';
import type { Consumer, Window } from './group.js';
import type { TableDef } from './panels.js';
import { instantSamples, type Envelope, type QueryData } from './series.js';
import { formatValue, type Unit } from './units.js';

function envelope(data: QueryData): Envelope {
  return { status: 'success', data };
}

/** The largest value of an answer, or null when it has none. */
export function largest(env: Envelope): number | null {
  const vs = instantSamples(env)
    .map((s) => s.value)
    .filter((v): v is number => v !== null);
  return vs.length ? Math.max(...vs) : null;
}

/** The larger of two values, null counting as none. */
function larger(a: number | null | undefined, b: number | null): number | null {
  if (a === null || a === undefined) return b;
  return b === null || a >= b ? a : b;
}

/** Waits up to 1.5 s for `answered` to become true (checked every 50 ms); false if it did not. */
function streamAnswered(answered: () => boolean, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const started = performance.now();
    const tick = (): void => {
      if (answered()) resolve(true);
      else if (signal.aborted || performance.now() - started > 1500) resolve(answered());
      else setTimeout(tick, 50);
    };
    tick();
  });
}

/** Where a headline value comes from: the PromQL sent (templates filled in) and its evaluation time, Unix seconds. */
export interface ValueSource {
  /** The expression as sent. */
  query: string;
  /** Evaluation time. */
  t: number;
}

/** A panel's headline value: an instant query at the window's end, then each live update. */
export class ValueConsumer implements Consumer {
  private expr = '';

  constructor(
    private readonly query: string,
    private readonly show: (v: number | null, from: ValueSource) => void,
  ) {}

  /** The value's query. */
  templates(): string[] {
    return [this.query];
  }

  private updated = false;

  /**
   * Reads the value at the window's end. A live window gets it from the stream's first update,
   * which comes at once (one request fewer per panel); only if none came within 1.5 s, it asks.
   */
  async load(win: Window, exprs: string[], signal: AbortSignal): Promise<void> {
    this.updated = false;
    this.expr = exprs[0] ?? '';
    if (win.live && (await streamAnswered(() => this.updated, signal))) return;
    let v: number | null = null;
    try {
      v = largest(envelope(await queryInstant(this.expr, win.end, signal)));
    } catch {
      if (signal.aborted) return;
    }
    this.show(v, { query: this.expr, t: win.end });
  }

  /** Takes the live value. */
  update(t: number, results: Envelope[]): void {
    const r = results[0];
    this.updated = true;
    if (r) this.show(largest(r), { query: this.expr, t });
  }
}

/** A table of current values: one row per value of the key label, one column per query. */
export class TableConsumer implements Consumer {
  /** The table element. */
  readonly root: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;

  constructor(private readonly def: TableDef) {
    this.body = el('tbody');
    this.root = el(
      'table',
      { class: 'values' },
      el('thead', {}, el('tr', {}, el('th', {}, def.key), ...def.columns.map((c) => el('th', {}, c.heading)))),
      this.body,
    );
  }

  /** One query per column. */
  templates(): string[] {
    return this.def.columns.map((c) => c.query);
  }

  private updated = false;

  /** Reads the values at the window's end (from the stream's first update when live, as `ValueConsumer`). */
  async load(win: Window, exprs: string[], signal: AbortSignal): Promise<void> {
    this.updated = false;
    if (win.live && (await streamAnswered(() => this.updated, signal))) return;
    try {
      const datas = await Promise.all(exprs.map((q) => queryInstant(q, win.end, signal)));
      this.update(win.end, datas.map(envelope));
    } catch {
      if (!signal.aborted) this.update(win.end, []);
    }
  }

  /** Redraws the rows from one update's answers; rows follow the first column's order (largest first). */
  update(t: number, results: Envelope[]): void {
    this.updated = true;
    const cols = this.def.columns.map((_c, i) => {
      const m = new Map<string, number | null>();
      const r = results[i];
      // Several series with one key (a query not aggregated by it) would hide each other: keep the largest.
      if (r) for (const s of instantSamples(r)) m.set(s.labels[this.def.key] ?? '', larger(m.get(s.labels[this.def.key] ?? ''), s.value));
      return m;
    });
    const first = cols[0] ?? new Map<string, number | null>();
    const keys = [...first.keys()].sort((a, b) => (first.get(b) ?? -Infinity) - (first.get(a) ?? -Infinity));
    const units: Unit[] = this.def.columns.map((c) => c.unit);
    inFrame(this, () => {
      const rows = keys.slice(0, 10).map((k) =>
        el(
          'tr',
          {},
          el('td', { class: 'key' }, k),
          ...cols.map((m, i) => {
            const v = m.get(k);
            const shown = this.def.columns[i]?.up ? (v === 1 ? '✔ up' : '✖ down') : formatValue(v, units[i] ?? 'none');
            return el('td', { 'data-value': v === null || v === undefined ? '' : String(v) }, shown);
          }),
        ),
      );
      if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: String(cols.length + 1), class: 'empty' }, 'no data')));
      this.body.replaceChildren(...rows);
      this.root.dataset.t = String(t);
    });
  }
}
