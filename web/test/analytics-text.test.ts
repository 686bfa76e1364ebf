import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacityLine, capacityState, flaggedCountQuery, flaggedScoresQuery, flagsQuery, judged, scoreQuery, type CapacityResult } from '../src/analytics-text.js';
import { limitsText, panelState, PANELS } from '../src/panels.js';

const now = 1_800_000_000;
const full = (subject: string, days: number | null): CapacityResult => ({
  check: 'filesystem',
  subject,
  sentence: days === null ? `${subject} not full within 30.0 days` : `${subject} full in ${days.toFixed(1)} days`,
  crossing: { mean: days === null ? null : now + days * 86400 },
});
const short: CapacityResult = { check: 'memory', subject: 'memory', error: 'a forecast needs at least 10 points, got 2 (at a step of 7200 s; a shorter step or history gives more points)' };

test('capacity: the soonest crossing sets the state; short history is said gently', () => {
  assert.equal(capacityState([full('filesystem /', null), full('filesystem /data', 3)], now), 'warning');
  assert.equal(capacityState([full('filesystem /', 0.5)], now), 'critical');
  assert.equal(capacityState([full('filesystem /', 12), full('memory', null)], now), 'ok');
  assert.equal(capacityState([short], now), 'nodata');
  assert.equal(capacityLine(short), 'memory: not enough history yet');
  assert.equal(capacityLine(full('filesystem /', 9.3)), 'filesystem / full in 9.3 days');
  assert.equal(capacityLine({ check: 'inodes', subject: 'inodes /', error: 'query failed: out of memory' }), 'inodes /: query failed: out of memory');
});

test('anomalies: the judged series is named by its metric label; flags are counted over the window', () => {
  assert.equal(judged({ __name__: 'vitals_anomaly_score', metric: 'node_load1', instance: 'h', job: 'node' }), 'node_load1');
  assert.equal(judged({ __name__: 'vitals_anomaly_score', metric: 'x', exported_metric: 'm', cpu: '0', job: 'node' }), 'x{cpu="0",metric="m"}');
  assert.equal(flagsQuery(300), 'sum_over_time(vitals_anomaly_flag[300s]) > 0');
  assert.equal(flaggedCountQuery(3600), 'count(sum_over_time(vitals_anomaly_flag[3600s]) > 0)');
  assert.equal(flaggedScoresQuery(60), 'max_over_time(vitals_anomaly_score[60s]) and (sum_over_time(vitals_anomaly_flag[60s]) > 0)');
  // The explorer link's query: the one score series, every label matched, quotes escaped.
  assert.equal(scoreQuery({ metric: 'node_cpu_seconds_total', mode: 'idle', cpu: '0', job: 'node' }), 'vitals_anomaly_score{cpu="0",job="node",metric="node_cpu_seconds_total",mode="idle"}');
  assert.equal(scoreQuery({ __name__: 'x', metric: 'm', name: 'a"b' }), 'vitals_anomaly_score{metric="m",name="a\\"b"}');
});

test('panels without thresholds are neutral, not ok', () => {
  assert.equal(panelState(1.68, {}), 'neutral');
  assert.equal(panelState(0.2, { warning: 0.8, critical: 0.95 }), 'ok');
  assert.equal(panelState(null, {}), 'nodata');
  const services = PANELS.find((p) => p.id === 'services')?.value;
  assert.ok(services);
  assert.equal(limitsText(services), 'critical at 1');
  assert.equal(panelState(0, services), 'ok');
  assert.equal(panelState(1, services), 'critical');
  assert.equal(limitsText({ query: 'x', unit: 'ratio', warning: 0.8, critical: 0.95 }), 'warning at 80%, critical at 95%');
});
