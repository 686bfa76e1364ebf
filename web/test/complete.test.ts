import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completionContext, rankCandidates } from '../src/complete.js';

const at = (s: string): [string, number] => [s.replace('|', ''), s.indexOf('|')];

test('metric names at the start and inside functions', () => {
  assert.deepEqual(completionContext(...at('node_lo|')), { kind: 'metric', prefix: 'node_lo', from: 0 });
  assert.deepEqual(completionContext(...at('rate(node_cpu|')), { kind: 'metric', prefix: 'node_cpu', from: 5 });
  assert.deepEqual(completionContext(...at('sum(rate(x[5m])) / node_m|em')), { kind: 'metric', prefix: 'node_m', from: 19 });
});

test('label names inside braces and grouping', () => {
  assert.deepEqual(completionContext(...at('node_cpu_seconds_total{mo|')), { kind: 'label', prefix: 'mo', from: 23, metric: 'node_cpu_seconds_total' });
  assert.deepEqual(completionContext(...at('up{job="a", |')), { kind: 'label', prefix: '', from: 12, metric: 'up' });
  assert.deepEqual(completionContext(...at('sum by (dev|')), { kind: 'label', prefix: 'dev', from: 8 });
  assert.deepEqual(completionContext(...at('{|')), { kind: 'label', prefix: '', from: 1, metric: undefined });
});

test('label values inside quotes, with the label and metric', () => {
  assert.deepEqual(completionContext(...at('node_cpu_seconds_total{mode="id|')), { kind: 'value', prefix: 'id', from: 29, label: 'mode', metric: 'node_cpu_seconds_total' });
  assert.deepEqual(completionContext(...at('up{job=~"|')), { kind: 'value', prefix: '', from: 9, label: 'job', metric: 'up' });
});

test('nothing inside ranges, numbers or closed strings outside selectors', () => {
  assert.deepEqual(completionContext(...at('rate(x[5|')), { kind: 'none' });
  assert.deepEqual(completionContext(...at('x > 10|')), { kind: 'none' });
  assert.deepEqual(completionContext(...at('label_replace(up, "a|')), { kind: 'none' });
});

test('after a closed selector, metric names again', () => {
  assert.deepEqual(completionContext(...at('up{job="a"} + no|')), { kind: 'metric', prefix: 'no', from: 14 });
});

test('candidates starting with the prefix come first', () => {
  assert.deepEqual(rankCandidates(['node_load1', 'up', 'vitals_node', 'node_cpu'], 'node'), ['node_load1', 'node_cpu', 'vitals_node']);
  assert.deepEqual(rankCandidates(['a', 'b'], '', 1), ['a']);
});
