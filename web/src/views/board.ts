import { Chart } from '../chart.js';
import { el } from '../dom.js';
import { LiveGroup } from '../group.js';
import type { Range } from '../hash.js';
import { unitOfExpr } from '../units.js';
import type { View, ViewContext } from './view.js';

/** A custom board (`#/board?q=..&q=..`): one live chart per expression, all on one stream; shareable by URL. */
export function board(ctx: ViewContext, qs: string[]): View {
  const group = new LiveGroup(ctx.range, ctx.banner);
  const charts: Chart[] = [];
  const grid = el('div', { class: 'grid board' });
  qs.forEach((q, i) => {
    const chart = new Chart({
      title: q.length > 60 ? `${q.slice(0, 59)}…` : q,
      queries: [q],
      unit: unitOfExpr(q),
      height: 130,
      onEdit: () => void group.restart(),
      onZoom: (from, to) => ctx.go({ view: 'board', qs, range: { id: 'custom', from, to } }),
    });
    chart.root.dataset.index = String(i);
    charts.push(chart);
    group.add(chart);
    const remove = el('button', { type: 'button', class: 'tool remove', title: 'Remove this chart from the board', 'aria-label': 'Remove this chart' }, '×');
    remove.addEventListener('click', () => ctx.go({ view: 'board', qs: qs.filter((_q, j) => j !== i), range: ctx.range }));
    grid.append(el('section', { class: 'panel' }, remove, chart.root));
  });
  const input = el('input', { type: 'text', class: 'add-input', placeholder: 'Add a chart: a PromQL expression, then Enter', 'aria-label': 'PromQL of a chart to add', spellcheck: 'false' });
  const add = (): void => {
    const q = input.value.trim();
    if (q) ctx.go({ view: 'board', qs: [...qs, q], range: ctx.range });
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') add();
  });
  const addButton = el('button', { type: 'button' }, 'Add');
  addButton.addEventListener('click', add);
  const help = el(
    'p',
    { class: 'explain' },
    qs.length === 0 ? 'An empty board: add charts below; the URL keeps them (#/board?q=up&q=node_load1), to share.' : `${qs.length} live charts; the URL keeps them, to share.`,
  );
  ctx.main.replaceChildren(el('h1', {}, 'Board'), help, el('div', { class: 'editor add' }, input, addButton), grid);
  void group.start();
  return {
    stop: () => group.stop(),
    setRange: (r: Range) => void group.setRange(r),
    restyle: () => charts.forEach((c) => c.restyle()),
  };
}
