/**
 * The y range of a chart, ending on ticks: small charts (40 px of plot) otherwise often label only
 * "0", as the next tick above the data falls outside a range that stops at the largest value.
 */

/** Tick steps for bytes: 1, 2, 5, 10, 20, 50, 100, 200, 500 of each binary unit, so that ticks read "2 GiB", "4 GiB". */
export const BYTE_STEPS = [0, 1, 2, 3, 4, 5, 6].flatMap((k) => [1, 2, 5, 10, 20, 50, 100, 200, 500].map((m) => m * 1024 ** k));

/** Steps for durations of a second and more, in seconds: whole minutes, hours and days. */
export const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 432000, 864000, 1728000, 4320000, 8640000];

/** Decimal steps (1, 2, 5 times a power of ten) from the first not smaller than `least`. */
function decimalSteps(least: number): number[] {
  const base = 10 ** Math.floor(Math.log10(least));
  return [1, 2, 5, 10, 20, 50, 100].map((m) => m * base);
}

/** A y range on ticks: from `lo` to `hi` by `step`. */
export interface NiceScale {
  /** Bottom, a multiple of `step`. */
  lo: number;
  /** Top, a multiple of `step`, above `lo`. */
  hi: number;
  /** Distance between ticks. */
  step: number;
}

/** Which steps a scale takes: binary for bytes, whole time units for durations, else 1, 2, 5 × 10ⁿ. */
export type StepKind = 'bytes' | 'time' | 'decimal';

/**
 * The smallest step (of `kind`) that covers `min`..`max` with at most `intervals` steps between
 * ticks on multiples of it, and that range.
 */
export function niceScale(min: number, max: number, intervals: number, kind: StepKind = 'decimal'): NiceScale {
  const n = Math.max(1, Math.floor(intervals));
  const span = max > min ? max - min : Math.abs(max) || 1;
  const least = span / n;
  const special = kind === 'bytes' ? BYTE_STEPS : kind === 'time' ? TIME_STEPS : [];
  const steps = least >= 1 && least <= (special[special.length - 1] ?? 0) ? special.filter((s) => s >= least) : decimalSteps(least);
  // Rounding errors of the divisions must not push a bound one step out.
  const eps = 1e-9;
  for (const step of steps) {
    const lo = Math.floor(min / step + eps) * step;
    let hi = Math.ceil(max / step - eps) * step;
    if (hi <= lo) hi = lo + step;
    if (Math.round((hi - lo) / step) <= n) return { lo, hi, step };
  }
  // Only reached for non-finite input: keep a valid range.
  return { lo: min, hi: min + span, step: span };
}

/** The ticks of a scale: `lo`, `lo + step`, …, `hi`. */
export function ticks(s: NiceScale): number[] {
  const count = Math.round((s.hi - s.lo) / s.step);
  return Array.from({ length: count + 1 }, (_v, i) => s.lo + i * s.step);
}
