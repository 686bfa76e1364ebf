import { labelValues } from '../api.js';
import { Chart } from '../chart.js';
import { el } from '../dom.js';
import type { LiveGroup } from '../group.js';
import { bucketRateQuery, HeatmapChart, percentileQueries } from '../heatmap.js';
import { unitFromName } from '../units.js';

/** The histogram families (names of `_bucket` series without the suffix) the server has. */
export async function histogramFamilies(): Promise<string[]> {
  try {
    const names = await labelValues('__name__');
    return names.filter((n) => n.endsWith('_bucket')).map((n) => n.slice(0, -'_bucket'.length));
  } catch {
    return [];
  }
}

/**
 * Fills `box` with every classic histogram family given: a heatmap of per-bucket rates and the
 * 50th/90th/99th percentile lines each, added to the view's group. `compact` (the overview) shows
 * at most six. Returns what to restyle on a theme change.
 */
export function histogramSection(box: HTMLElement, group: LiveGroup, fams: string[], compact: boolean): { restyle(): void }[] {
  if (fams.length === 0) {
    if (!compact) box.replaceChildren(el('p', { class: 'empty' }, 'No classic histograms (series named *_bucket with an le label) yet.'));
    return [];
  }
  const shown = compact ? fams.slice(0, 6) : fams;
  const grid = el('div', { class: compact ? 'grid' : 'details' });
  const charts: { restyle(): void }[] = [];
  for (const f of shown) {
    const unit = unitFromName(f);
    const heat = new HeatmapChart(`${f}: observations per bucket`, bucketRateQuery(f), unit, compact ? 140 : 240);
    const lines = new Chart({
      title: `${f}: percentiles`,
      queries: percentileQueries(f),
      names: ['p50', 'p90', 'p99'],
      unit,
      height: compact ? 110 : 220,
      legend: !compact,
      editable: !compact,
      onEdit: () => void group.restart(),
    });
    group.add(heat);
    group.add(lines);
    charts.push(heat, lines);
    grid.append(el('section', { class: 'panel hist', 'aria-label': f }, el('header', {}, el('h2', {}, f)), heat.root, lines.root));
  }
  box.replaceChildren(
    compact ? el('h2', { class: 'section' }, 'Histograms ', el('a', { href: '#/panel/histograms' }, fams.length > shown.length ? `all ${fams.length} →` : 'details →')) : '',
    grid,
  );
  return charts;
}
