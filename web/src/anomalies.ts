import { flagsQuery, judged, spanText, TOP_SCORES } from './analytics-text.js';
import { queryInstant } from './api.js';
import { el, inFrame } from './dom.js';
import type { Consumer, Window } from './group.js';
import type { PanelState } from './panels.js';
import { instantSamples, type Envelope } from './series.js';
import { significant } from './units.js';

/** How often the live view asks for the flags again, in updates. */
const FLAG_EVERY = 15;

/**
 * The overview's "Anomalies" panel: the series with the highest anomaly scores (live), and the
 * anomalies flagged within the shown window. Warning while any was flagged in the window.
 */
export class AnomaliesPanel implements Consumer {
  /** The panel element. */
  readonly root: HTMLElement;
  private readonly value: HTMLElement;
  private readonly scores: HTMLElement;
  private readonly flags: HTMLElement;
  private win: Window | undefined;
  private flagged: { name: string; count: number }[] | null = null;
  private top: { name: string; score: number | null }[] | null = null;
  private sinceFlags = 0;
  private abort: AbortController | undefined;

  constructor() {
    this.value = el('span', { class: 'value', 'data-testid': 'panel-value' }, '…');
    this.scores = el('tbody');
    this.flags = el('p', { class: 'flags', 'data-testid': 'anomaly-flags' });
    this.root = el(
      'section',
      { class: 'panel', 'data-testid': 'panel', 'data-panel': 'anomalies', 'data-state': 'nodata', tabindex: '0', role: 'group', 'aria-label': 'Anomalies' },
      el('header', {}, el('h2', {}, 'Anomalies'), this.value),
      el('div', { class: 'explain', title: `highest ${TOP_SCORES}; flags from vitals_anomaly_flag in the window (warning while any)` }, 'most unusual series (score 0 to 1, last 10 min) and anomalies flagged'),
      this.flags,
      el('table', { class: 'values', 'data-testid': 'anomaly-scores' }, el('thead', {}, el('tr', {}, el('th', {}, 'series'), el('th', {}, 'score'))), this.scores),
    );
  }

  /** The live query: the top scores. */
  templates(): string[] {
    return [TOP_SCORES];
  }

  /** Reads the scores and flags at the window's end. */
  async load(win: Window, exprs: string[], signal: AbortSignal): Promise<void> {
    this.win = win;
    this.sinceFlags = 0;
    try {
      const [scores] = await Promise.all([queryInstant(exprs[0] ?? TOP_SCORES, win.end, signal), this.loadFlags(win, signal)]);
      this.setScores({ status: 'success', data: scores });
    } catch {
      if (signal.aborted) return;
      this.top = [];
      this.draw();
    }
  }

  private async loadFlags(win: Window, signal: AbortSignal): Promise<void> {
    const data = await queryInstant(flagsQuery(win.span), win.end, signal);
    this.flagged = instantSamples({ status: 'success', data })
      .map((s) => ({ name: judged(s.labels), count: s.value ?? 0 }))
      .sort((a, b) => b.count - a.count);
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
      void this.loadFlags(win, this.abort.signal).catch(() => undefined);
    }
  }

  private setScores(env: Envelope): void {
    this.top = instantSamples(env)
      .map((s) => ({ name: judged(s.labels), score: s.value }))
      .sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
    this.draw();
  }

  /** Stops asking for flags. */
  destroy(): void {
    this.abort?.abort();
  }

  private draw(): void {
    const top = this.top;
    const flagged = this.flagged;
    if (top === null) return;
    const state: PanelState = flagged && flagged.length > 0 ? 'warning' : 'ok';
    const total = (flagged ?? []).reduce((a, f) => a + f.count, 0);
    const span = this.win ? spanText(this.win.span) : 'the window';
    inFrame(this, () => {
      this.root.dataset.state = state;
      this.value.textContent = `${total} flagged`;
      this.flags.textContent =
        flagged === null ? '' : flagged.length === 0 ? `No anomaly flagged in ${span}.` : `Flagged in ${span}: ${flagged.map((f) => `${f.name} (${f.count})`).join(', ')}.`;
      const rows = top.map((s) => el('tr', { 'data-testid': 'anomaly-row' }, el('td', { class: 'key' }, s.name), el('td', { 'data-value': String(s.score ?? '') }, s.score === null ? '–' : significant(s.score, 2))));
      if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '2', class: 'empty', 'data-testid': 'anomaly-none' }, 'no series scored above 0 in the last 10 min')));
      this.scores.replaceChildren(...rows);
      this.root.dataset.loaded = 'true';
    });
  }
}
