import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTicks, formatValue, significant, unitFromName, unitOfExpr } from '../src/units.js';

test('bytes use binary prefixes with three significant digits', () => {
  assert.equal(formatValue(0, 'bytes'), '0 B');
  assert.equal(formatValue(512, 'bytes'), '512 B');
  assert.equal(formatValue(1536, 'bytes'), '1.5 KiB');
  assert.equal(formatValue(19.96 * 1024 ** 3, 'bytes'), '20 GiB');
  assert.equal(formatValue(5.5 * 1024 ** 2, 'bytes/s'), '5.5 MiB/s');
});

test('durations pick a readable unit', () => {
  assert.equal(formatValue(0.0042, 'seconds'), '4.2 ms');
  assert.equal(formatValue(0.00000025, 'seconds'), '250 ns');
  assert.equal(formatValue(1.5, 'seconds'), '1.5 s');
  assert.equal(formatValue(5400, 'seconds'), '90 min');
  assert.equal(formatValue(3 * 86400, 'seconds'), '3 d');
});

test('ratios are percent, counts use SI prefixes', () => {
  assert.equal(formatValue(0.123456, 'ratio'), '12.3%');
  assert.equal(formatValue(1, 'ratio'), '100%');
  assert.equal(formatValue(1234, 'count'), '1.23k');
  assert.equal(formatValue(2_500_000, 'count/s'), '2.5M/s');
  assert.equal(formatValue(-1500, 'count'), '-1.5k');
});

test('missing and infinite values are shown as such', () => {
  assert.equal(formatValue(null, 'bytes'), '–');
  assert.equal(formatValue(Number.NaN, 'ratio'), '–');
  assert.equal(formatValue(Infinity, 'seconds'), '+Inf');
});

test('significant drops trailing zeros', () => {
  assert.equal(significant(2.5), '2.5');
  assert.equal(significant(100), '100');
  assert.equal(significant(0.01234), '0.0123');
  assert.equal(significant(123456), '123456');
});

test('units follow Prometheus naming', () => {
  assert.equal(unitFromName('node_network_receive_bytes_total'), 'bytes/s');
  assert.equal(unitFromName('node_memory_MemAvailable_bytes'), 'bytes');
  assert.equal(unitFromName('node_cpu_seconds_total'), 'ratio');
  assert.equal(unitFromName('http_request_duration_seconds'), 'seconds');
  assert.equal(unitOfExpr('rate(node_network_receive_bytes_total[1m])'), 'bytes/s');
  assert.equal(unitOfExpr('node_memory_MemAvailable_bytes{instance="a"}'), 'bytes');
  assert.equal(unitOfExpr('histogram_quantile(0.9, sum by (le) (rate(req_seconds_bucket[1m])))'), 'seconds');
  assert.equal(unitOfExpr('node_load1'), 'none');
});

test('axis ticks are all written in the unit of their step', () => {
  const mib = 1024 ** 2;
  assert.deepEqual(formatTicks([0, 500 * mib, 1000 * mib, 1500 * mib], 'bytes', 500 * mib), ['0 MiB', '500 MiB', '1000 MiB', '1500 MiB']);
  assert.deepEqual(formatTicks([0, 2.5 * mib, 5 * mib], 'bytes/s', 2.5 * mib), ['0 MiB/s', '2.5 MiB/s', '5 MiB/s']);
  assert.deepEqual(formatTicks([0, 1800, 3600, 5400], 'seconds', 1800), ['0 min', '30 min', '60 min', '90 min']);
  assert.deepEqual(formatTicks([0, 0.02, 0.04], 'seconds', 0.02), ['0 ms', '20 ms', '40 ms']);
  assert.deepEqual(formatTicks([0, 0.5, 1], 'ratio', 0.5), ['0%', '50%', '100%']);
});
