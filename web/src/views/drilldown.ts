import { Chart } from '../chart.js';
import { el, inFrame } from '../dom.js';
import { LiveGroup } from '../group.js';
import type { Range } from '../hash.js';
import { limitsText, PANELS } from '../panels.js';
import { formatValue } from '../units.js';
import { TableConsumer, ValueConsumer } from '../widgets.js';
import { histogramFamilies, histogramSection } from './histograms.js';
import type { View, ViewContext } from './view.js';

/** The drill-down of a panel (`#/panel/<id>`): detailed charts whose PromQL is shown and editable in place. */
export function drilldown(ctx: ViewContext, id: string): View {
  const group = new LiveGroup(ctx.range, ctx.banner);
  const restylable: { restyle(): void }[] = [];
  const def = PANELS.find((p) => p.id === id);
  const body = el('div', { class: 'details' });
  const root = el('section', { class: 'drilldown', 'data-testid': 'drilldown', 'data-panel': id }, el('nav', { class: 'crumbs' }, el('a', { href: '#/' }, '← Overview')));
  ctx.main.replaceChildren(root);
  let stopped = false;
  if (id === 'histograms') {
    const box = el('div');
    root.append(el('h1', {}, 'Histograms'), box);
    void histogramFamilies().then((fams) => {
      if (stopped) return;
      restylable.push(...histogramSection(box, group, fams, false));
      void group.start();
    });
  } else if (!def) {
    root.append(el('h1', {}, 'No such panel'), el('p', {}, `There is no panel "${id}". Panels: ${PANELS.map((p) => p.id).join(', ')}.`));
  } else {
    const v = def.value;
    const limits = limitsText(v);
    // The headline's PromQL as sent (the rate interval filled in) and its current value.
    const code = el('code', { 'data-testid': 'headline-query' }, v.query);
    const now = el('span', { class: 'headline-value', 'data-testid': 'headline-value' }, '…');
    group.add(
      new ValueConsumer(v.query, (x, from) =>
        inFrame(now, () => {
          code.textContent = from.query;
          now.textContent = x === null ? 'no data' : v.format ? v.format(x) : formatValue(x, v.unit);
        }),
      ),
    );
    root.append(el('h1', {}, def.title), el('p', { class: 'explain' }, `Headline value: ${def.explain} (${limits}): `, code, ' = ', now), body);
    for (const d of def.details) {
      const chart = new Chart({
        ...d,
        height: 220,
        legend: true,
        editable: true,
        onEdit: () => void group.restart(),
        onZoom: (from, to) => ctx.go({ view: 'panel', id, range: { id: 'custom', from, to } }),
      });
      group.add(chart);
      restylable.push(chart);
      body.append(chart.root);
    }
    if (def.table) {
      const t = new TableConsumer(def.table);
      group.add(t);
      body.append(el('figure', { class: 'chart' }, el('figcaption', {}, el('span', { class: 'chart-title' }, 'Now')), t.root));
    }
    void group.start();
  }
  return {
    stop: () => {
      stopped = true;
      group.stop();
    },
    setRange: (r: Range) => void group.setRange(r),
    restyle: () => restylable.forEach((c) => c.restyle()),
  };
}
