import { ApiError, queryInstant } from '../api.js';
import { Chart } from '../chart.js';
import { attachCompleter } from '../completer.js';
import { el, inFrame } from '../dom.js';
import { LiveGroup } from '../group.js';
import { expand } from '../rate-interval.js';
import { formatHash, type Range } from '../hash.js';
import { HeatmapChart } from '../heatmap.js';
import { heatmapFromFrame, isBucketFrame } from '../heatmap-data.js';
import { parseQueryError } from '../parse-error.js';
import { instantSamples, seriesKey, type QueryData } from '../series.js';
import { formatValue, unitOfExpr } from '../units.js';
import type { View, ViewContext } from './view.js';

/** The explorer (`#/explore?q=..&range=..`): a PromQL editor with completion, graph, table and heatmap. */
export function explore(ctx: ViewContext, initial: string): View {
  let range = ctx.range;
  let group: LiveGroup | undefined;
  let chart: Chart | undefined;
  let heat: HeatmapChart | undefined;
  let mode: 'graph' | 'table' | 'heatmap' = 'graph';

  const input = el('textarea', {
    class: 'explore-input',
    'data-testid': 'explore-input',
    spellcheck: 'false',
    rows: '2',
    placeholder: 'PromQL, e.g. rate(node_network_receive_bytes_total[1m])   (Ctrl+Enter runs, Ctrl+Space completes)',
    'aria-label': 'PromQL expression',
  });
  input.value = initial;
  const completions = attachCompleter(input);
  const run = el('button', { type: 'button', class: 'run primary', 'data-testid': 'explore-run', title: 'Run (Ctrl+Enter)' }, 'Run');
  const toBoard = el('a', { class: 'tool', title: 'Open this query as a live board' }, 'Board →');
  const error = el('div', { class: 'explore-error', 'data-testid': 'explore-error', role: 'alert', hidden: '' });
  const tabs = el('div', { class: 'tabs', role: 'tablist' });
  const graphBox = el('div', { class: 'result-graph' });
  const tableBox = el('div', { class: 'result-table' });
  const heatBox = el('div', { class: 'result-heatmap' });
  const stats = el('span', { class: 'stats' });

  ctx.main.replaceChildren(
    el('section', { class: 'explore' }, el('h1', {}, 'Explore'), el('div', { class: 'editor' }, el('div', { class: 'input-wrap' }, input, completions), run), el('div', { class: 'bar' }, tabs, stats, toBoard), error, graphBox, tableBox, heatBox),
  );

  const setTabs = (bucket: boolean): void => {
    const names: ('graph' | 'table' | 'heatmap')[] = bucket ? ['graph', 'table', 'heatmap'] : ['graph', 'table'];
    if (!names.includes(mode)) mode = 'graph';
    tabs.replaceChildren(
      ...names.map((n) => {
        const b = el('button', { type: 'button', role: 'tab', 'aria-selected': String(n === mode), 'data-testid': `tab-${n}`, class: n === mode ? 'active' : undefined }, n === 'heatmap' ? 'Heatmap' : n === 'graph' ? 'Graph' : 'Table');
        b.addEventListener('click', () => {
          mode = n;
          setTabs(bucket);
          show();
          if (n === 'heatmap') drawHeat();
        });
        return b;
      }),
    );
  };

  const show = (): void => {
    graphBox.hidden = mode !== 'graph';
    tableBox.hidden = mode !== 'table';
    heatBox.hidden = mode !== 'heatmap';
  };

  const drawHeat = (): void => {
    if (!chart) return;
    const f = chart.frame;
    if (!isBucketFrame(f)) return;
    const counters = f.series.some((s) => (s.labels.__name__ ?? '').endsWith('_bucket'));
    const unit = unitOfExpr(input.value.replace(/_bucket\b/, ''));
    heat ??= new HeatmapChart('Observations per bucket (per second)', null, unit === 'none' ? 'seconds' : unit, 300);
    heatBox.replaceChildren(heat.root);
    heat.show(heatmapFromFrame(f, counters), group?.win);
  };

  const showError = (msg: string | undefined, q: string): void => {
    error.hidden = msg === undefined;
    error.replaceChildren();
    if (msg === undefined) return;
    const pe = parseQueryError(msg, q);
    error.append(el('div', { class: 'msg' }, pe.message));
    if (pe.offset !== undefined) {
      error.append(el('pre', { 'data-testid': 'explore-error-position' }, q.slice(0, pe.offset), el('mark', { title: `line ${pe.line}, column ${pe.column}` }, q.slice(pe.offset, pe.offset + 1) || ' '), q.slice(pe.offset + 1)));
      input.focus();
      input.setSelectionRange(pe.offset, pe.offset);
    }
  };

  const table = (data: QueryData, q: string): void => {
    const unit = unitOfExpr(q);
    const rows =
      data.resultType === 'vector' || data.resultType === 'scalar'
        ? instantSamples({ status: 'success', data }).map((s) => ({ labels: s.labels, value: s.value, raw: s.value === null ? 'NaN' : String(s.value) }))
        : data.resultType === 'matrix'
          ? data.result.map((r) => ({ labels: r.metric, value: Number(r.values[r.values.length - 1]?.[1]), raw: `${r.values.length} samples, last ${r.values[r.values.length - 1]?.[1] ?? ''}` }))
          : [{ labels: {}, value: null, raw: data.result[1] }];
    inFrame(tableBox, () =>
      tableBox.replaceChildren(
        el(
          'table',
          { class: 'values explore-table', 'data-testid': 'explore-table' },
          el('thead', {}, el('tr', {}, el('th', {}, 'series'), el('th', {}, 'value'), el('th', {}, 'exact'))),
          el(
            'tbody',
            {},
            ...rows.map((r) => el('tr', { 'data-testid': 'series-row' }, el('td', { class: 'key' }, seriesKey(r.labels)), el('td', {}, formatValue(r.value, unit)), el('td', { class: 'raw' }, r.raw))),
            rows.length === 0 ? el('tr', {}, el('td', { colspan: '3', class: 'empty' }, 'empty result: no series match')) : null,
          ),
        ),
      ),
    );
    return;
  };

  const execute = async (): Promise<void> => {
    const q = input.value.trim();
    ctx.go({ view: 'explore', q, range }, true);
    toBoard.href = formatHash({ view: 'board', qs: [q], range });
    group?.stop();
    graphBox.replaceChildren();
    heatBox.replaceChildren();
    heat = undefined;
    if (!q) return;
    const started = performance.now();
    let data: QueryData;
    try {
      data = await queryInstant(expand(q, 1, 1));
    } catch (e) {
      showError(e instanceof ApiError ? e.message : String(e), q);
      tableBox.replaceChildren();
      setTabs(false);
      return;
    }
    showError(undefined, q);
    const n = data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length : 1;
    stats.textContent = `${n} series · ${Math.round(performance.now() - started)} ms`;
    table(data, q);
    group = new LiveGroup(range, ctx.banner);
    chart = new Chart({
      title: q,
      queries: [q],
      unit: unitOfExpr(q),
      height: 320,
      legend: true,
      onZoom: (from, to) => {
        range = { id: 'custom', from, to };
        ctx.go({ view: 'explore', q, range });
      },
    });
    group.add(chart);
    graphBox.replaceChildren(chart.root);
    setTabs(false);
    show();
    await group.start();
    const bucket = isBucketFrame(chart.frame);
    setTabs(bucket);
    if (bucket && mode === 'heatmap') drawHeat();
  };

  run.addEventListener('click', () => void execute());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !e.shiftKey)) {
      e.preventDefault();
      void execute();
    }
  });
  setTabs(false);
  show();
  if (initial.trim()) void execute();
  else input.focus();
  return {
    stop: () => group?.stop(),
    setRange: (r: Range) => {
      range = r;
      void execute();
    },
    restyle: () => {
      chart?.restyle();
      heat?.restyle();
    },
  };
}
