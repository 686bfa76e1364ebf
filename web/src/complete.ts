/** What the cursor position in a PromQL expression asks to be completed. */
export type CompletionContext =
  | { kind: 'metric'; prefix: string; from: number }
  | { kind: 'label'; prefix: string; from: number; metric?: string }
  | { kind: 'value'; prefix: string; from: number; label: string; metric?: string }
  | { kind: 'none' };

/** PromQL's functions and aggregations, offered next to metric names. */
export const FUNCTIONS = [
  'abs', 'absent', 'absent_over_time', 'avg', 'avg_over_time', 'bottomk', 'ceil', 'changes', 'clamp', 'clamp_max', 'clamp_min',
  'count', 'count_over_time', 'count_values', 'day_of_month', 'day_of_week', 'delta', 'deriv', 'exp', 'floor', 'group',
  'histogram_quantile', 'holt_winters', 'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time',
  'ln', 'log10', 'log2', 'max', 'max_over_time', 'min', 'min_over_time', 'minute', 'month', 'predict_linear', 'quantile',
  'quantile_over_time', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sort', 'sort_desc', 'sqrt', 'stddev', 'stddev_over_time',
  'stdvar', 'sum', 'sum_over_time', 'time', 'timestamp', 'topk', 'vector', 'year',
];

const IDENT = /[a-zA-Z0-9_:]/;

/** Finds what to complete at `pos` in `text`: a metric (or function) name, a label name, or a label's value. */
export function completionContext(text: string, pos: number): CompletionContext {
  const before = text.slice(0, pos);
  // Inside a string: a label value when the string follows a matcher inside braces.
  const quote = openQuote(before);
  if (quote >= 0) {
    const m = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*$/.exec(before.slice(0, quote));
    const brace = openBrace(before.slice(0, quote));
    if (!m || brace < 0) return { kind: 'none' };
    return { kind: 'value', prefix: before.slice(quote + 1), from: quote + 1, label: m[1] ?? '', metric: metricBefore(before, brace) };
  }
  let start = pos;
  while (start > 0 && IDENT.test(before[start - 1] ?? '')) start--;
  const prefix = before.slice(start);
  if (/^[0-9]/.test(prefix)) return { kind: 'none' };
  const brace = openBrace(before);
  if (brace >= 0) return { kind: 'label', prefix, from: start, metric: metricBefore(before, brace) };
  // Inside `by (...)` / `without (...)` grouping: label names.
  if (/\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*$/.test(before.slice(0, start))) return { kind: 'label', prefix, from: start };
  // Inside a range `[5m]`: nothing to complete.
  if (/\[[^\]]*$/.test(before)) return { kind: 'none' };
  return { kind: 'metric', prefix, from: start };
}

/** Index of the quote that opens the string the cursor is in, or -1. */
function openQuote(s: string): number {
  let open = -1;
  let q = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (open >= 0) {
      if (c === '\\') i++;
      else if (c === q) open = -1;
    } else if (c === '"' || c === "'" || c === '`') {
      open = i;
      q = c;
    }
  }
  return open;
}

/** Index of the `{` that opens the selector the cursor is in, or -1 (strings skipped). */
function openBrace(s: string): number {
  let open = -1;
  let q = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (q) {
      if (c === '\\') i++;
      else if (c === q) q = '';
    } else if (c === '"' || c === "'" || c === '`') q = c;
    else if (c === '{') open = i;
    else if (c === '}') open = -1;
  }
  return open;
}

function metricBefore(s: string, brace: number): string | undefined {
  const m = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(s.slice(0, brace));
  return m?.[1];
}

/** The candidates that start with the prefix first, then those that contain it; at most `limit`. */
export function rankCandidates(candidates: readonly string[], prefix: string, limit = 50): string[] {
  const p = prefix.toLowerCase();
  const starts: string[] = [];
  const contains: string[] = [];
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (l.startsWith(p)) starts.push(c);
    else if (p && l.includes(p)) contains.push(c);
  }
  return starts.concat(contains).slice(0, limit);
}
