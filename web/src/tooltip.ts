import type uPlot from 'uplot';
import { el, seriesColor } from './dom.js';
import { formatValue, type Unit } from './units.js';

/**
 * A uPlot plugin showing the exact values under the cursor, with units, next to it; `raw` gives
 * a series' value at a point (stacked charts draw sums but show each series' own value).
 */
export function tooltipPlugin(unit: Unit, raw: (si: number, idx: number) => number | null): uPlot.Plugin {
  let tip: HTMLElement;
  return {
    hooks: {
      init: (u) => {
        tip = el('div', { class: 'tooltip', hidden: '' });
        u.over.append(tip);
        u.over.addEventListener('mouseleave', () => (tip.hidden = true));
      },
      setCursor: (u) => {
        const i = u.cursor.idx;
        const left = u.cursor.left ?? -1;
        if (i === null || i === undefined || left < 0) {
          tip.hidden = true;
          return;
        }
        const t = u.data[0][i];
        const rows: [number, string, number][] = [];
        for (let s = 1; s < u.series.length; s++) {
          const v = raw(s, i);
          if (v === null || v === undefined || !u.series[s]?.show) continue;
          rows.push([s, String(u.series[s]?.label ?? ''), v]);
        }
        rows.sort((a, b) => b[2] - a[2]);
        tip.replaceChildren(
          el('div', { class: 'tt-time' }, t === undefined ? '' : new Date(t * 1000).toLocaleTimeString(undefined, { hour12: false })),
          ...rows.slice(0, 10).map(([s, label, v]) =>
            el('div', { class: 'tt-row' }, el('i', { style: `background:${seriesColor(s - 1)}` }), el('span', {}, label), el('b', {}, formatValue(v, unit))),
          ),
        );
        if (rows.length > 10) tip.append(el('div', { class: 'tt-more' }, `+${rows.length - 10} more`));
        tip.hidden = false;
        const w = u.over.clientWidth;
        tip.style.transform = `translate(${left > w / 2 ? left - 12 : left + 12}px, 4px) translateX(${left > w / 2 ? '-100%' : '0'})`;
      },
    },
  };
}
