import { AnomaliesPanel } from '../anomalies.js';
import { collectionInterval } from '../api.js';
import { capacityPanel } from '../capacity.js';
import { Chart } from '../chart.js';
import { el, inFrame } from '../dom.js';
import { LiveGroup } from '../group.js';
import type { Range } from '../hash.js';
import { limitsText, PANELS, panelState, type PanelDef } from '../panels.js';
import { formatValue } from '../units.js';
import { TableConsumer, ValueConsumer } from '../widgets.js';
import { histogramFamilies, histogramSection } from './histograms.js';
import type { View, ViewContext } from './view.js';

/** One overview panel: title, headline value with its state colour, a chart and maybe a table. */
function panel(def: PanelDef, ctx: ViewContext, group: LiveGroup, ready: () => void): { root: HTMLElement; chart: Chart } {
  const value = el('span', { class: 'value', 'data-testid': 'panel-value' }, '…');
  const open = el('a', { class: 'open', href: `#/panel/${def.id}`, 'data-testid': 'panel-open', title: `Details of ${def.title}` }, 'Details →');
  const root = el(
    'section',
    { class: 'panel', 'data-testid': 'panel', 'data-panel': def.id, 'data-state': 'nodata', tabindex: '0', role: 'group', 'aria-label': def.title },
    el('header', {}, el('h2', {}, def.title), value, open),
    el('div', { class: 'explain', title: thresholdText(def) }, def.explain),
  );
  // Dragging across a panel's chart opens its drill-down over that span.
  const chart = new Chart({ ...def.chart, height: 110, compactLegend: true, onZoom: (from, to) => ctx.go({ view: 'panel', id: def.id, range: { id: 'custom', from, to } }) });
  root.append(chart.root);
  group.add(chart);
  let drawn = false;
  let known = false;
  const check = (): void => {
    if (drawn && known && root.dataset.loaded !== 'true') {
      root.dataset.loaded = 'true';
      ready();
    }
  };
  chart.onDraw = () => {
    drawn = true;
    check();
  };
  group.add(
    new ValueConsumer(def.value.query, (v, from) => {
      known = true;
      inFrame(value, () => {
        value.textContent = v === null ? 'no data' : def.value.format ? def.value.format(v) : formatValue(v, def.value.unit);
        // The exact value, the PromQL sent and its time: anyone can ask the API the same and compare.
        value.dataset.value = v === null ? '' : String(v);
        value.dataset.query = from.query;
        value.dataset.t = String(from.t);
        root.dataset.state = panelState(v, def.value);
        check();
      });
    }),
  );
  if (def.table) {
    const t = new TableConsumer(def.table);
    root.append(t.root);
    group.add(t);
  }
  root.addEventListener('keydown', (e) => {
    if (e.target === root && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      ctx.go({ view: 'panel', id: def.id, range: ctx.range });
    }
  });
  root.querySelector('header')?.addEventListener('click', (e) => {
    if ((e.target as HTMLElement).closest('a,button')) return;
    ctx.go({ view: 'panel', id: def.id, range: ctx.range });
  });
  return { root, chart };
}

function thresholdText(def: PanelDef): string {
  return `${def.explain}; ${limitsText(def.value)}`;
}

/** The overview (`#/`): every panel, live. Marks `vitals-overview-ready` once each panel has drawn its first data. */
export function overview(ctx: ViewContext): View {
  const group = new LiveGroup(ctx.range, ctx.banner);
  let left = PANELS.length;
  const ready = (): void => {
    left--;
    if (left === 0) performance.mark('vitals-overview-ready');
  };
  const parts = PANELS.map((d) => panel(d, ctx, group, ready));
  // The analytics: capacity forecasts (asked on their own, rarely) and anomalies (live with the rest).
  const capacity = capacityPanel();
  // The view's range, for the anomalies panel's explorer links.
  let range = ctx.range;
  const anomalies = new AnomaliesPanel(() => range);
  group.add(anomalies);
  const grid = el('div', { class: 'grid' }, ...parts.map((p) => p.root), capacity.root, anomalies.root);
  const hist = el('div', { class: 'hist-section' });
  ctx.main.replaceChildren(el('h1', { class: 'sr-only' }, 'Overview'), grid, hist);
  const restylable: { restyle(): void }[] = parts.map((p) => p.chart);
  let stopped = false;
  // Histograms join the same stream: find them (while the collection interval is fetched) before starting.
  void Promise.all([histogramFamilies(), collectionInterval()]).then(([fams]) => {
    if (stopped) return;
    restylable.push(...histogramSection(hist, group, fams, true));
    void group.start();
  });
  return {
    stop: () => {
      stopped = true;
      capacity.stop();
      group.stop();
    },
    setRange: (r: Range) => {
      range = r;
      void group.setRange(r);
    },
    restyle: () => restylable.forEach((c) => c.restyle()),
  };
}
