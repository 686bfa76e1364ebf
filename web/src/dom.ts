/** Creates an element with attributes and children; `text` sets textContent. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: (Node | string | null | undefined)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const vars = new Map<string, string>();

/**
 * Reads a CSS custom property of the document (theme colours), cached: charts ask on every
 * draw, and a style read in the middle of DOM writes would force a style recalculation.
 */
export function cssVar(name: string): string {
  let v = vars.get(name);
  if (v === undefined) {
    v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    vars.set(name, v);
  }
  return v;
}

/** Forgets the cached CSS properties (the theme changed). */
export function forgetCssVars(): void {
  vars.clear();
}

/** The colour of the n-th series: a palette readable on dark and light backgrounds. */
export function seriesColor(n: number): string {
  const palette = ['#3b82f6', '#22c55e', '#f59e0b', '#ef4444', '#a855f7', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#14b8a6', '#6366f1', '#eab308'];
  return palette[n % palette.length] ?? '#3b82f6';
}

const pending = new Map<unknown, () => void>();
let scheduled = false;

/**
 * Runs `write` in the next animation frame together with every other DOM write (no layout
 * thrash). Only the latest write of each `key` runs: while a tab is hidden (no frames), updates
 * pile up as one pending draw per chart, not one per update.
 */
export function inFrame(key: unknown, write: () => void): void {
  pending.set(key, write);
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const jobs = [...pending.values()];
    pending.clear();
    for (const j of jobs) j();
  });
}

/** Offers `data` as a file download. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
