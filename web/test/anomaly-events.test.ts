import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketSeconds, familiesText, groupEvents, metricFamily, mostAffected, seriesFlagged, seriesPerBucket, shownEvents, type FlagPoint } from '../src/anomaly-events.js';

/** A flag of `series` (metric name = the series up to its first brace) in the minute ending at `t`. */
const flag = (series: string, t: number, count = 1): FlagPoint => ({ series, metric: series.replace(/\{.*$/, ''), t, count });

const T0 = 1_800_000_000;
const min = (m: number): number => T0 + 60 * m;

test('flags with less than 2 minutes between them are one event; 2 minutes without flags start a new one', () => {
  const points = [
    flag('a', min(1)),
    flag('b', min(2)),
    // One minute without flags (min 3): still the same event.
    flag('c', min(4)),
    // Two minutes without flags (min 5 and 6): a new event.
    flag('a', min(7)),
    flag('d', min(7)),
  ];
  const events = groupEvents(points, 60);
  assert.equal(events.length, 2);
  // Newest first; times are the bucket bounds: the minute ending at min(7) starts at min(6).
  assert.deepEqual(events.map((e) => [e.start, e.end, e.series, e.flags]), [
    [min(6), min(7), 2, 2],
    [min(0), min(4), 3, 3],
  ]);
});

test('the gap is measured between buckets, whatever their order or length', () => {
  // Given out of order; 5-minute buckets: one empty bucket is 5 minutes without flags.
  const b = 300;
  const points = [flag('x', T0 + 4 * b), flag('x', T0 + b), flag('y', T0 + 2 * b)];
  const events = groupEvents(points, b);
  assert.deepEqual(events.map((e) => [e.start, e.end, e.series]), [[T0 + 3 * b, T0 + 4 * b, 1], [T0, T0 + 2 * b, 2]]);
  // With a gap longer than the empty bucket, they are one event.
  assert.deepEqual(groupEvents(points, b, b + 1).map((e) => [e.start, e.end, e.series]), [[T0, T0 + 4 * b, 2]]);
  assert.deepEqual(groupEvents([], 60), []);
});

test('an event counts each series once, and its flags', () => {
  const [e] = groupEvents([flag('a', min(1), 2), flag('a', min(2)), flag('b', min(2))], 60);
  assert.ok(e);
  assert.equal(e.series, 2);
  assert.equal(e.flags, 4);
});

test('metric families: namespace and subsystem, readable', () => {
  assert.equal(metricFamily('node_cpu_seconds_total'), 'node_cpu');
  assert.equal(metricFamily('node_memory_MemAvailable_bytes'), 'node_memory');
  assert.equal(metricFamily('node_load15'), 'node_load');
  assert.equal(metricFamily('node_forks_total'), 'node_forks');
  assert.equal(metricFamily('vitals_top_process_count'), 'vitals_top');
  assert.equal(metricFamily('process_open_fds'), 'process');
  assert.equal(metricFamily('up'), 'up');
  const [e] = groupEvents(
    [
      flag('node_cpu_seconds_total{cpu="0",mode="idle"}', min(1)),
      flag('node_cpu_seconds_total{cpu="1",mode="idle"}', min(1)),
      flag('node_cpu_guest_seconds_total{cpu="0"}', min(1)),
      flag('node_load1', min(1)),
      flag('node_load5', min(1)),
      flag('node_forks_total', min(1)),
      flag('process_open_fds', min(1)),
      flag('process_resident_memory_bytes', min(1)),
    ],
    60,
  );
  assert.ok(e);
  // Most series first, then by name; one metric is named itself, several by their prefix.
  assert.deepEqual(e.families, [
    { name: 'node_cpu_*', series: 3 },
    { name: 'node_load*', series: 2 },
    { name: 'process_*', series: 2 },
    { name: 'node_forks_total', series: 1 },
  ]);
  assert.equal(familiesText(e.families), 'node_cpu_* (3), node_load* (2), process_* (2), +1 more');
  assert.equal(familiesText(e.families.slice(0, 2)), 'node_cpu_* (3), node_load* (2)');
});

test('at most 5 events are shown, the newest, with how many earlier ones are left out', () => {
  // Seven events, 10 minutes apart.
  const events = groupEvents([0, 1, 2, 3, 4, 5, 6].map((i) => flag(`s${i}`, min(10 * i + 1))), 60);
  assert.equal(events.length, 7);
  const { shown, earlier } = shownEvents(events);
  assert.equal(shown.length, 5);
  assert.equal(earlier, 2);
  assert.deepEqual(shown.map((e) => e.end), [min(61), min(51), min(41), min(31), min(21)]);
  assert.deepEqual(shownEvents(events.slice(0, 3)), { shown: events.slice(0, 3), earlier: 0 });
});

test('series flagged: each series once over the window, and per bucket', () => {
  const points = [flag('a', min(1)), flag('a', min(3)), flag('b', min(3), 2), flag('c', min(4))];
  assert.equal(seriesFlagged(points), 3);
  assert.deepEqual(seriesPerBucket(points, [min(1), min(2), min(3), min(4), min(5)]), [1, 0, 2, 1, 0]);
  assert.equal(seriesFlagged([]), 0);
});

test('most affected: by flags, then by highest score, at most 5', () => {
  const points = [
    flag('a', min(1)),
    flag('b', min(1)),
    flag('b', min(9)),
    flag('c', min(1)),
    flag('d', min(1)),
    flag('e', min(1)),
    flag('f', min(1)),
    flag('g', min(1), 3),
  ];
  const scores = new Map([['a', 0.995], ['b', 0.991], ['c', 1], ['d', 0.999], ['e', 0.992], ['f', 0.993], ['g', 0.99]]);
  const rows = mostAffected(points, scores);
  assert.deepEqual(rows.map((r) => [r.series, r.flags, r.score]), [
    ['g', 3, 0.99],
    ['b', 2, 0.991],
    ['c', 1, 1],
    ['d', 1, 0.999],
    ['a', 1, 0.995],
  ]);
  assert.deepEqual(mostAffected([], scores), []);
  assert.deepEqual(mostAffected([flag('z', min(1))], new Map()), [{ series: 'z', flags: 1, score: null }]);
});

test('buckets: a minute for windows up to 6 hours, at most 360 over longer ones', () => {
  assert.equal(bucketSeconds(300), 60);
  assert.equal(bucketSeconds(3600), 60);
  assert.equal(bucketSeconds(21600), 60);
  assert.equal(bucketSeconds(86400), 300);
  assert.equal(bucketSeconds(604800), 1800);
  assert.equal(bucketSeconds(2592000), 7200);
  assert.equal(bucketSeconds(10), 60);
});
