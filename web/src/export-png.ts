import { cssVar, download, seriesColor } from './dom.js';
import { fileName } from './export-data.js';

/** Draws a chart's title, its plot (uPlot's canvas) and its legend on one canvas and downloads it as PNG. */
export function chartToPNG(src: HTMLCanvasElement | undefined, title: string, names: string[]): void {
  const ratio = window.devicePixelRatio || 1;
  const w = src ? src.width : 600 * ratio;
  const line = 18 * ratio;
  const column = 220 * ratio;
  const perRow = Math.max(1, Math.floor(w / column));
  const legendRows = Math.ceil(names.length / perRow);
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = (src ? src.height : 200 * ratio) + line * (2 + legendRows);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const fg = cssVar('--fg') || '#000';
  ctx.fillStyle = cssVar('--bg-panel') || '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = fg;
  ctx.font = `${14 * ratio}px system-ui, sans-serif`;
  ctx.fillText(title, 8 * ratio, line);
  if (src) ctx.drawImage(src, 0, line * 1.5);
  ctx.font = `${11 * ratio}px system-ui, sans-serif`;
  const top = (src ? src.height : 0) + line * 2;
  names.forEach((n, i) => {
    const x = (i % perRow) * column + 8 * ratio;
    const y = top + Math.floor(i / perRow) * line;
    ctx.fillStyle = seriesColor(i);
    ctx.fillRect(x, y - 9 * ratio, 10 * ratio, 10 * ratio);
    ctx.fillStyle = fg;
    ctx.fillText(n.length > 34 ? `${n.slice(0, 33)}…` : n, x + 14 * ratio, y);
  });
  canvas.toBlob((b) => {
    if (b) download(fileName(title, 'png', new Date()), b);
  }, 'image/png');
}
