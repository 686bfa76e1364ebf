import { el } from './dom.js';
import { RANGES, type Range, type RangeId } from './hash.js';

const LABELS: Record<RangeId, string> = {
  live: 'Live (5 min)',
  '5m': 'Last 5 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom…',
};

function localInput(t: number): string {
  const d = new Date(t * 1000 - new Date().getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

/** The time range picker: a select of presets, and from/to inputs for a custom range. */
export function rangePicker(range: Range, onChange: (r: Range) => void): HTMLElement {
  const select = el('select', { 'data-testid': 'range', 'aria-label': 'Time range' }, ...RANGES.map((r) => el('option', { value: r }, LABELS[r])));
  select.value = range.id;
  const now = Date.now() / 1000;
  const from = el('input', { type: 'datetime-local', 'aria-label': 'From', value: localInput(range.from ?? now - 3600) });
  const to = el('input', { type: 'datetime-local', 'aria-label': 'To', value: localInput(range.to ?? now) });
  const apply = el('button', { type: 'button' }, 'Apply');
  const problem = el('span', { class: 'range-error', role: 'alert', 'data-testid': 'range-error', hidden: '' });
  const custom = el('span', { class: 'custom-range' }, from, '–', to, apply, problem);
  custom.hidden = range.id !== 'custom';
  const emitCustom = (): void => {
    const f = new Date(from.value).getTime() / 1000;
    const t = new Date(to.value).getTime() / 1000;
    const msg = !Number.isFinite(f) || !Number.isFinite(t) ? 'Give both a start and an end.' : t <= f ? 'The end must be after the start.' : '';
    problem.textContent = msg;
    problem.hidden = msg === '';
    if (!msg) onChange({ id: 'custom', from: f, to: t });
  };
  select.addEventListener('change', () => {
    const id = select.value as RangeId;
    custom.hidden = id !== 'custom';
    if (id === 'custom') emitCustom();
    else onChange({ id });
  });
  apply.addEventListener('click', emitCustom);
  return el('span', { class: 'range' }, select, custom);
}
