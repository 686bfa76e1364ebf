import { capacityLine, capacityState } from './analytics-text.js';
import { ApiError, capacity } from './api.js';
import { el, inFrame } from './dom.js';
import type { PanelState } from './panels.js';

/** How often the overview asks again: forecasts move slowly, and each costs the server a fit per series. */
const REFRESH_MS = 10 * 60_000;

/**
 * The overview's "Capacity" panel: when filesystems, memory and inodes will be full, one
 * sentence per check from the server's forecasts (`/api/v1/analytics/capacity`).
 */
export function capacityPanel(): { root: HTMLElement; stop: () => void } {
  const value = el('span', { class: 'value', 'data-testid': 'panel-value' }, '…');
  const list = el('ul', { class: 'sentences', 'data-testid': 'capacity-list' });
  const root = el(
    'section',
    { class: 'panel', 'data-testid': 'panel', 'data-panel': 'capacity', 'data-state': 'nodata', tabindex: '0', role: 'group', 'aria-label': 'Capacity' },
    el('header', {}, el('h2', {}, 'Capacity'), value),
    el('div', { class: 'explain', title: 'forecast of filesystems, memory and inodes; warning when one is full within 7 days, critical within 1 day' }, 'when disks, memory and inodes will be full (30-day forecast)'),
    list,
  );
  const abort = new AbortController();
  const load = async (): Promise<void> => {
    let lines: { text: string; cls: string }[];
    let state: PanelState;
    let headline: string;
    try {
      const results = await capacity(abort.signal);
      state = capacityState(results, Date.now() / 1000);
      lines = results.map((r) => ({ text: capacityLine(r), cls: 'sentence' in r ? 'ok' : 'pending' }));
      const filling = results.filter((r) => 'crossing' in r && r.crossing.mean !== null).length;
      headline = state === 'nodata' ? 'no forecast yet' : filling === 0 ? 'none filling' : `${filling} filling`;
      if (lines.length === 0) lines = [{ text: 'nothing to check', cls: 'pending' }];
    } catch (e) {
      if (abort.signal.aborted) return;
      state = 'nodata';
      headline = 'unavailable';
      lines = [{ text: e instanceof ApiError ? e.message : String(e), cls: 'pending' }];
    }
    inFrame(root, () => {
      value.textContent = headline;
      root.dataset.state = state;
      list.replaceChildren(...lines.map((l) => el('li', { class: l.cls, 'data-testid': 'capacity-line' }, l.text)));
      root.dataset.loaded = 'true';
    });
  };
  void load();
  const timer = setInterval(() => void load(), REFRESH_MS);
  return {
    root,
    stop: () => {
      clearInterval(timer);
      abort.abort();
    },
  };
}
