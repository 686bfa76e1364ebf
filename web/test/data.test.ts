import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileName, frameToCSV, frameToJSON } from '../src/export-data.js';
import { heatmapFromFrame, isBucketFrame } from '../src/heatmap-data.js';
import { parseQueryError } from '../src/parse-error.js';
import { appendInstant, frameFromData, legendNames, mergeFrames, sampleValue, type Envelope } from '../src/series.js';

const matrix = frameFromData({
  resultType: 'matrix',
  result: [
    { metric: { __name__: 'x', device: 'sda' }, values: [[100, '1'], [101, '2'], [102, 'NaN']] },
    { metric: { __name__: 'x', device: 'sd"b,c' }, values: [[101, '5']] },
  ],
});

test('sample values read as the API writes them', () => {
  assert.equal(sampleValue('1.5e3'), 1500);
  assert.equal(sampleValue('+Inf'), Infinity);
  assert.equal(sampleValue('-Inf'), -Infinity);
  assert.equal(sampleValue('NaN'), null);
});

test('a matrix becomes aligned columns with gaps as null', () => {
  assert.deepEqual(matrix.times, [100, 101, 102]);
  assert.deepEqual(matrix.series.map((s) => s.values), [[1, 2, null], [null, 5, null]]);
  assert.deepEqual(legendNames(matrix.series), ['sda', 'sd"b,c']);
});

test('legend names keep only the labels that differ', () => {
  assert.deepEqual(legendNames([{ labels: { cpu: '0', job: 'n' } }, { labels: { cpu: '1', job: 'n' } }]), ['cpu 0', 'cpu 1']);
  assert.deepEqual(
    legendNames([{ labels: { a: 'x', b: 'y' } }, { labels: { a: 'z', b: 'w' } }]),
    ['{a="x",b="y"}', '{a="z",b="w"}'],
  );
  assert.deepEqual(legendNames([{ labels: { __name__: 'node_load1' } }, { labels: { __name__: 'node_load5' } }]), ['node_load1', 'node_load5']);
  // A lone series: its name, or its labels but the ones every series of the host has.
  assert.deepEqual(legendNames([{ labels: { __name__: 'node_netstat_Tcp_CurrEstab', instance: 'h:7482', job: 'node' } }]), ['node_netstat_Tcp_CurrEstab']);
  assert.deepEqual(legendNames([{ labels: { cpu: '0', instance: 'h:7482', job: 'node' } }]), ['{cpu="0"}']);
});

test('CSV has a time column, one column per series, quoted where needed', () => {
  assert.equal(
    frameToCSV(matrix, legendNames(matrix.series)),
    'time,sda,"sd""b,c"\n1970-01-01T00:01:40.000Z,1,\n1970-01-01T00:01:41.000Z,2,5\n1970-01-01T00:01:42.000Z,,\n',
  );
});

test('JSON export keeps labels and only real points', () => {
  const j = JSON.parse(frameToJSON(matrix, 'Disk', ['x'])) as { title: string; series: { metric: object; values: number[][] }[] };
  assert.equal(j.title, 'Disk');
  assert.deepEqual(j.series[0]?.values, [[100, 1], [101, 2]]);
  assert.deepEqual(j.series[1]?.metric, { __name__: 'x', device: 'sd"b,c' });
  assert.equal(fileName('Disk latency / device', 'csv', new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), 'vitals-disk-latency-device-20260102T030405Z.csv');
});

test('live updates append, add new series and drop old points', () => {
  const f = frameFromData({ resultType: 'matrix', result: [{ metric: { a: '1' }, values: [[10, '1'], [11, '2']] }] });
  const env: Envelope = {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: { a: '1' }, value: [12, '3'] }, { metric: { a: '2' }, value: [12, '7'] }] },
  };
  const samples = env.status === 'success' && env.data.resultType === 'vector' ? env.data.result.map((r) => ({ key: `{a="${r.metric.a}"}`, labels: r.metric, value: Number(r.value[1]) })) : [];
  assert.equal(appendInstant(f, 12, samples, 11), true);
  assert.deepEqual(f.times, [11, 12]);
  assert.deepEqual(f.series.map((s) => s.values), [[2, 3], [null, 7]]);
  assert.equal(appendInstant(f, 12, samples, 11), false, 'a repeated cycle is ignored');
  assert.deepEqual(f.times, [11, 12]);
});

test('frames of several queries merge on the union of times', () => {
  const a = frameFromData({ resultType: 'matrix', result: [{ metric: {}, values: [[1, '1'], [2, '2']] }] }, '0:');
  const b = frameFromData({ resultType: 'matrix', result: [{ metric: {}, values: [[2, '20'], [3, '30']] }] }, '1:');
  const m = mergeFrames([a, b]);
  assert.deepEqual(m.times, [1, 2, 3]);
  assert.deepEqual(m.series.map((s) => [s.key, s.values]), [['0:{}', [1, 2, null]], ['1:{}', [null, 20, 30]]]);
});

test('bucket counters become per-bucket rates', () => {
  const f = frameFromData({
    resultType: 'matrix',
    result: [
      { metric: { __name__: 'h_bucket', le: '0.1' }, values: [[0, '10'], [10, '30']] },
      { metric: { __name__: 'h_bucket', le: '1' }, values: [[0, '15'], [10, '45']] },
      { metric: { __name__: 'h_bucket', le: '+Inf' }, values: [[0, '15'], [10, '55']] },
    ],
  });
  assert.equal(isBucketFrame(f), true);
  const h = heatmapFromFrame(f, true);
  assert.deepEqual(h.les, [0.1, 1, Infinity]);
  assert.deepEqual(h.counts, [[null, 2], [null, 1], [null, 1]]);
  assert.equal(h.max, 2);
  const rates = heatmapFromFrame(f, false);
  assert.deepEqual(rates.counts.map((r) => r[1]), [30, 15, 10]);
});

test('parse errors give their position in the query', () => {
  assert.deepEqual(parseQueryError('invalid parameter "query": 1:5: parse error: unclosed left parenthesis', 'foo('), {
    message: 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis',
    line: 1,
    column: 5,
    offset: 4,
  });
  assert.equal(parseQueryError('2:3: parse error: x', 'ab\ncdef').offset, 5);
  assert.deepEqual(parseQueryError('query timed out', 'up'), { message: 'query timed out' });
});
