import assert from 'node:assert/strict';
import { test } from 'node:test';
import { niceScale, ticks } from '../src/scale.js';

test('a small chart ends its y range on a tick, so at least two ticks are labelled', () => {
  // Load at 7 days: points from 2 to 8 on a chart with room for 3 labels.
  assert.deepEqual(niceScale(0, 8, 3), { lo: 0, hi: 10, step: 5 });
  assert.deepEqual(ticks(niceScale(0, 8, 3)), [0, 5, 10]);
  // Room for a single interval still labels 0 and the top.
  assert.deepEqual(ticks(niceScale(0, 0.37, 1)), [0, 0.5]);
  // A value on a tick keeps it as the top.
  assert.deepEqual(niceScale(0, 1, 3), { lo: 0, hi: 1, step: 0.5 });
});

test('bytes step by binary units; ranges away from zero start on a tick', () => {
  const gib = 1024 ** 3;
  assert.deepEqual(niceScale(0, 22 * gib, 3, 'bytes'), { lo: 0, hi: 30 * gib, step: 10 * gib });
  assert.deepEqual(niceScale(0, 1.3 * 1024 ** 2, 2, 'bytes'), { lo: 0, hi: 2 * 1024 ** 2, step: 1024 ** 2 });
  const s = niceScale(95, 103, 4);
  assert.deepEqual(s, { lo: 95, hi: 105, step: 5 });
});

test('every tick of a scale is inside it, with the bounds among them', () => {
  for (const [min, max, n] of [[0, 0.0042, 2], [0, 123456, 5], [-3, 7, 3], [0, 1e-9, 1]] as const) {
    const s = niceScale(min, max, n);
    const t = ticks(s);
    assert.ok(t.length >= 2 && t.length <= n + 1, `${min}..${max} in ${n}: ${t.join(' ')}`);
    assert.ok(s.lo <= min && s.hi >= max, `${min}..${max}: ${s.lo}..${s.hi}`);
  }
});

test('durations step by whole minutes and hours', () => {
  // "Full in" of a filesystem: 83.3 min steps gave "83.3 min, 2.78 h, 4.17 h".
  assert.deepEqual(niceScale(0, 5 * 3600, 4, 'time'), { lo: 0, hi: 6 * 3600, step: 7200 });
  assert.deepEqual(niceScale(0, 0.03, 2, 'time'), { lo: 0, hi: 0.04, step: 0.02 });
});
