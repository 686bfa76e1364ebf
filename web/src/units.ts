/** Units the dashboard knows how to humanise. `ratio` values are 0..1 and shown as percent. */
export type Unit = 'bytes' | 'bytes/s' | 'seconds' | 'ratio' | 'percent' | 'count' | 'count/s' | 'none';

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Rounds to three significant digits without trailing zeros ("1.5", "12", "0.0123"). */
export function significant(v: number, digits = 3): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 10 ** digits) return Math.round(v).toString();
  const s = v.toPrecision(digits);
  return s.includes('e') ? Number(s).toString() : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function scaled(v: number, base: number, names: string[]): string {
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < names.length - 1) {
    x /= base;
    i++;
  }
  const s = significant(Math.sign(v) * x);
  return names[i] ? `${s} ${names[i]}` : s;
}

function duration(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0 s';
  if (a < 1e-6) return `${significant(v * 1e9)} ns`;
  if (a < 1e-3) return `${significant(v * 1e6)} µs`;
  if (a < 1) return `${significant(v * 1e3)} ms`;
  if (a < 120) return `${significant(v)} s`;
  if (a < 7200) return `${significant(v / 60)} min`;
  if (a < 172800) return `${significant(v / 3600)} h`;
  return `${significant(v / 86400)} d`;
}

/** Formats a value in its unit for people: "1.5 GiB", "12.3 MiB/s", "250 ms", "42%", "1.2k". */
export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  switch (unit) {
    case 'bytes':
      return scaled(v, 1024, IEC);
    case 'bytes/s':
      return `${scaled(v, 1024, IEC)}/s`;
    case 'seconds':
      return duration(v);
    case 'ratio':
      return `${significant(v * 100)}%`;
    case 'percent':
      return `${significant(v)}%`;
    case 'count':
      return scaled(v, 1000, SI).replace(' ', '');
    case 'count/s':
      return `${scaled(v, 1000, SI).replace(' ', '')}/s`;
    case 'none':
      return significant(v);
  }
}

/** Units of time by size, for axis ticks: a tick step is written in the largest that keeps it at least 1. */
const TIME_UNITS: [number, string][] = [
  [86400, 'd'],
  [3600, 'h'],
  [60, 'min'],
  [1, 's'],
  [1e-3, 'ms'],
  [1e-6, 'µs'],
  [1e-9, 'ns'],
];

/**
 * Formats an axis' ticks, `step` apart, all in the unit of the step ("500 MiB, 1000 MiB, 1500 MiB",
 * "30 min, 60 min, 90 min"), not each in its own ("1000 MiB, 1.46 GiB"); other units as `formatValue`.
 */
export function formatTicks(values: number[], unit: Unit, step: number): string[] {
  if (!(step > 0)) return values.map((v) => formatValue(v, unit));
  let divisor: number;
  let name: string;
  if (unit === 'bytes' || unit === 'bytes/s') {
    const k = Math.max(0, Math.min(IEC.length - 1, Math.floor(Math.log(step) / Math.log(1024) + 1e-9)));
    divisor = 1024 ** k;
    name = `${IEC[k] ?? 'B'}${unit === 'bytes/s' ? '/s' : ''}`;
  } else if (unit === 'seconds') {
    [divisor, name] = TIME_UNITS.find(([d]) => step >= d * (1 - 1e-9)) ?? [1e-9, 'ns'];
  } else {
    return values.map((v) => formatValue(v, unit));
  }
  // Enough digits for the step: 2.5 needs one decimal, 500 none.
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step / divisor) + 1e-9) + (Number.isInteger(Number((step / divisor).toPrecision(6))) ? 0 : 1)));
  return values.map((v) => (v === 0 ? `0 ${name}` : `${Number((v / divisor).toFixed(decimals))} ${name}`));
}

/** Guesses a metric's unit from its name, following Prometheus' naming conventions. */
export function unitFromName(name: string): Unit {
  if (/_bytes_total$/.test(name)) return 'bytes/s';
  if (/_bytes$/.test(name)) return 'bytes';
  if (/_seconds_total$/.test(name)) return 'ratio';
  if (/_seconds$/.test(name)) return 'seconds';
  if (/_ratio$/.test(name)) return 'ratio';
  if (/_total$/.test(name)) return 'count/s';
  return 'none';
}

/** Guesses the unit of an expression's result from the first metric it reads and whether it takes a rate. */
export function unitOfExpr(expr: string): Unit {
  const m = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{|\[|\)|$)/.exec(expr.replace(/\b(rate|irate|increase|sum|avg|max|min|by|without)\s*\(/g, ' '));
  const name = m?.[1] ?? '';
  const perSecond = /\b(rate|irate|deriv)\s*\(/.test(expr);
  if (/histogram_quantile/.test(expr)) return /_seconds_bucket/.test(expr) ? 'seconds' : 'none';
  if (perSecond) return unitFromName(name);
  if (/_bytes(_total)?$/.test(name)) return 'bytes';
  if (/_seconds$/.test(name)) return 'seconds';
  if (/_ratio$/.test(name)) return 'ratio';
  return 'none';
}
