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
    grid.append(el('section', { class: 'panel' }, chart.root));
  });
  const help = el(
    'p',
    { class: 'explain' },
    qs.length === 0 ? 'An empty board: add expressions to the URL (#/board?q=up&q=node_load1), or build one from the explorer.' : `${qs.length} live charts`,
  );
  ctx.main.replaceChildren(el('h1', {}, 'Board'), help, grid);
  void group.start();
  return {
    stop: () => group.stop(),
    setRange: (r: Range) => void group.setRange(r),
    restyle: () => charts.forEach((c) => c.restyle()),
  };
}
