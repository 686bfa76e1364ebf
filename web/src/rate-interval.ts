/**
 * Fills `$__rate_interval` (four collection intervals, or two steps when the step is longer) and
 * `$__wide_rate_interval` (the same but at least a minute: for series that may come less often
 * than Vitals collects, such as imported histograms).
 */
export function expand(template: string, interval: number, step: number): string {
  const w = Math.ceil(Math.max(4 * interval, 2 * step));
  return template.replaceAll('$__wide_rate_interval', `${Math.max(60, w)}s`).replaceAll('$__rate_interval', `${w}s`);
}
