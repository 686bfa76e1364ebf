import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand } from '../src/rate-interval.js';
import { formatHash, parseHash, rangeBounds, rangeIsLive, type Route } from '../src/hash.js';

test('routes survive a round trip through the hash', () => {
  const routes: Route[] = [
    { view: 'overview', range: { id: 'live' } },
    { view: 'panel', id: 'disk-latency', range: { id: '6h' } },
    { view: 'explore', q: 'rate(node_cpu_seconds_total{mode="idle"}[1m]) & more', range: { id: '1h' } },
    { view: 'board', qs: ['node_load1', 'sum(rate(x[5m])) by (a)'], range: { id: 'custom', from: 1700000000, to: 1700003600 } },
  ];
  for (const r of routes) assert.deepEqual(parseHash(formatHash(r)), r);
});

test('hashes read as the contract writes them', () => {
  assert.deepEqual(parseHash('#/'), { view: 'overview', range: { id: 'live' } });
  assert.deepEqual(parseHash(''), { view: 'overview', range: { id: 'live' } });
  assert.deepEqual(parseHash('#/panel/cpu'), { view: 'panel', id: 'cpu', range: { id: 'live' } });
  assert.deepEqual(parseHash('#/explore?q=up&range=24h'), { view: 'explore', q: 'up', range: { id: '24h' } });
  assert.deepEqual(parseHash('#/board?q=a&q=b&q='), { view: 'board', qs: ['a', 'b'], range: { id: 'live' } });
  assert.equal(formatHash({ view: 'explore', q: 'a b', range: { id: 'live' } }), '#/explore?q=a+b');
});

test('unknown ranges and broken custom ranges fall back to live', () => {
  assert.deepEqual(parseHash('#/explore?q=up&range=2y').range, { id: 'live' });
  assert.deepEqual(parseHash('#/?range=custom&from=10&to=5').range, { id: 'live' });
  assert.deepEqual(parseHash('#/whatever'), { view: 'overview', range: { id: 'live' } });
});

test('range bounds and liveness', () => {
  assert.deepEqual(rangeBounds({ id: '1h' }, 10000), [6400, 10000]);
  assert.deepEqual(rangeBounds({ id: 'custom', from: 5, to: 50 }, 10000), [5, 50]);
  assert.equal(rangeIsLive({ id: 'live' }), true);
  assert.equal(rangeIsLive({ id: '7d' }), false);
});

test('rate intervals follow the collection interval and the step', () => {
  assert.equal(expand('rate(x[$__rate_interval])', 1, 1), 'rate(x[4s])');
  assert.equal(expand('rate(x[$__rate_interval])', 15, 1), 'rate(x[60s])');
  assert.equal(expand('rate(x[$__rate_interval])', 1, 4320), 'rate(x[8640s])');
  assert.equal(expand('rate(h_bucket[$__wide_rate_interval]) / rate(y[$__rate_interval])', 1, 1), 'rate(h_bucket[60s]) / rate(y[4s])');
  assert.equal(expand('rate(h_bucket[$__wide_rate_interval])', 1, 100), 'rate(h_bucket[200s])');
});
