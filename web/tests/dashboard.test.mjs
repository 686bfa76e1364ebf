// The dashboard as a user sees it, in Chromium, against a real `vitals serve` collecting
// this machine every second: the overview, a drill-down, the explorer, live charts,
// errors, exports, the heatmap, themes and a lost connection.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';

import { HISTOGRAM, histogramText, launchBrowser, screenshot, SCREENSHOTS, SERVICE, seriesKey, Vitals, waitFor } from './harness.mjs';

/** The overview's panels and a metric each needs: a panel must show data when its metric exists. */
const PANELS = {
  cpu: 'node_cpu_seconds_total',
  'cpu-cores': 'node_cpu_seconds_total',
  load: 'node_load1',
  memory: 'node_memory_MemAvailable_bytes',
  swap: 'node_memory_SwapTotal_bytes',
  pressure: 'node_pressure_cpu_waiting_seconds_total',
  'disk-throughput': 'node_disk_read_bytes_total',
  'disk-latency': 'node_disk_read_time_seconds_total',
  'disk-util': 'node_disk_io_time_seconds_total',
  filesystem: 'node_filesystem_avail_bytes',
  network: 'node_network_receive_bytes_total',
  'network-errors': 'node_network_receive_errs_total',
  processes: '{__name__=~"vitals_top_process_.+"}',
  services: '{__name__=~"vitals_service_.+"}',
};

describe('the web dashboard', () => {
  /** @type {Vitals} */ let vitals;
  /** @type {import('playwright-core').Browser} */ let browser;
  /** @type {import('playwright-core').BrowserContext} */ let context;

  before(async () => {
    vitals = await Vitals.start();
    await vitals.import(histogramText(Date.now() - 5_000));
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, colorScheme: 'dark' });
  });

  after(async () => {
    await browser?.close();
    await vitals?.stop();
  });

  // A failed test leaves its page open: close it, or its live streams take the browser's six
  // connections to the server and every later test times out.
  afterEach(async () => {
    for (const p of context?.pages() ?? []) await p.close();
  });

  /** A new page on `hash` that fails the test on uncaught page errors. */
  async function open(hash) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.errors = errors;
    await page.goto(new URL(hash, vitals.url).href);
    return page;
  }

  /** The largest value of an instant query's answer at `t`, as the API gives it (null when empty). */
  async function largestAt(query, t) {
    const { status, body } = await vitals.api('/api/v1/query', { query, time: String(t) });
    assert.equal(status, 200, `${query}: ${JSON.stringify(body)}`);
    const values = body.data.resultType === 'scalar' ? [body.data.result[1]] : body.data.result.map((r) => r.value[1]);
    return values.length ? Math.max(...values.map(Number)) : null;
  }

  /** A panel's headline as the page shows it, with its exact value, the PromQL sent and its time (one read). */
  function headline(panel) {
    return panel.locator('[data-testid=panel-value]').first().evaluate((e) => ({ text: e.textContent?.trim() ?? '', ...e.dataset }));
  }

  test('the overview renders every panel, and each headline is what the API answers for its PromQL', async () => {
    // Let the collectors fill a few cycles (rates need two samples).
    await waitFor('two cycles collected', 15_000, async () => {
      const { body } = await vitals.api('/api/v1/query', { query: 'count_over_time(node_load1[1m])' });
      return Number(body.data.result[0]?.value[1] ?? 0) >= 3;
    });
    const page = await open('#/');
    await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
    for (const [id, metric] of Object.entries(PANELS)) {
      const panel = page.locator(`[data-testid=panel][data-panel="${id}"]`);
      assert.equal(await panel.count(), 1, `panel ${id} is on the overview`);
      assert.equal(await panel.getAttribute('data-loaded'), 'true', `panel ${id} has drawn`);
      const state = await panel.getAttribute('data-state');
      const { body } = await vitals.api('/api/v1/query', { query: `count(${metric})` });
      const exists = body.data.result.length > 0;
      if (!exists) {
        assert.equal(state, 'nodata', `panel ${id} says it has no data, as ${metric} does not exist here`);
        continue;
      }
      assert.ok(['ok', 'warning', 'critical', 'neutral'].includes(state), `panel ${id} shows a state, not ${state}, as ${metric} exists`);
      const shown = await headline(panel);
      assert.match(shown.text, id === 'services' ? /^all up$|^\d+ down$/ : /\d/, `panel ${id} shows a value: ${JSON.stringify(shown.text)}`);
      assert.doesNotMatch(shown.query, /\$__/, `panel ${id} sends its PromQL with the rate interval filled in`);
      const expected = await largestAt(shown.query, shown.t);
      assert.equal(Number(shown.value), expected, `panel ${id} shows ${shown.value}, the API answers ${expected} for ${shown.query} at ${shown.t}`);
    }
    await screenshot(page, 'overview');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('panels with thresholds are coloured by them; the others are neutral', async () => {
    const page = await open('#/');
    await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
    for (const id of ['processes', 'network', 'disk-throughput']) {
      const state = await page.locator(`[data-testid=panel][data-panel="${id}"]`).getAttribute('data-state');
      assert.ok(['neutral', 'nodata'].includes(state), `panel ${id} has no thresholds, so no ok/warning colour: ${state}`);
    }
    assert.ok(['ok', 'warning', 'critical'].includes(await page.locator('[data-testid=panel][data-panel="memory"]').getAttribute('data-state')));
    await page.close();
  });

  test('the pressure headline takes CPU, memory and I/O pressure into account', async (t) => {
    const { body } = await vitals.api('/api/v1/query', { query: 'count({__name__=~"node_pressure_(cpu|memory|io)_waiting_seconds_total"})' });
    const resources = Number(body.data.result[0]?.value[1] ?? 0);
    if (resources === 0) return t.skip('no pressure stall information on this host');
    const page = await open('#/');
    await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
    const shown = await headline(page.locator('[data-testid=panel][data-panel="pressure"]'));
    // The same expression counted instead of maxed: every resource's series must reach the max.
    const counted = await largestAt(shown.query.replace(/^max\(/, 'count('), shown.t);
    assert.equal(counted, resources, `the headline's PromQL combines all ${resources} resources: ${shown.query}`);
    for (const r of ['cpu', 'memory', 'io']) {
      const one = await largestAt(`rate(node_pressure_${r}_waiting_seconds_total[${/\[(\d+s)\]/.exec(shown.query)?.[1]}])`, shown.t);
      if (one !== null) assert.ok(Number(shown.value) >= one, `pressure ${shown.value} is at least ${r}'s ${one}`);
    }
    await page.close();
  });

  test('the services panel shows each service with its CPU summed over modes', async () => {
    await waitFor('the service collected', 15_000, async () => (await largestAt(`vitals_service_up{service="${SERVICE.name}"}`, Date.now() / 1000)) === 1);
    const page = await open('#/');
    await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
    const panel = page.locator('[data-testid=panel][data-panel="services"]');
    assert.equal((await headline(panel)).text, 'all up');
    const table = panel.locator('table');
    const row = await waitFor('the service in the table', 10_000, () =>
      table.evaluate((tb, name) => {
        const tr = [...tb.querySelectorAll('tbody tr')].find((r) => r.querySelector('td.key')?.textContent === name);
        if (!tr) return null;
        const cells = [...tr.querySelectorAll('td')];
        return { t: tb.dataset.t, up: cells[1]?.textContent, cpu: cells[2]?.dataset.value, cpuText: cells[2]?.textContent, rows: tb.querySelectorAll('tbody tr').length };
      }, SERVICE.name),
    );
    assert.equal(row.up, '✔ up');
    // The rate interval the page uses (the CPU headline's).
    const interval = /\[(\d+s)\]/.exec((await headline(page.locator('[data-testid=panel][data-panel="cpu"]'))).query)?.[1];
    assert.ok(interval);
    const expected = await largestAt(`sum by (service) (rate(vitals_service_cpu_seconds_total{service="${SERVICE.name}"}[${interval}]))`, row.t);
    assert.equal(Number(row.cpu), expected, `CPU of ${SERVICE.name}: the page shows ${row.cpuText} (${row.cpu}), user + system is ${expected}`);
    assert.equal(row.rows, 1, 'one row per service');
    await screenshot(page, 'overview-services');
    await page.close();
  });

  test('small charts label at least two values on their y axis, the top one above the data', async () => {
    const page = await open('#/');
    await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
    const charts = await page.locator('[data-testid=panel] [data-testid=chart][data-loaded=true]').evaluateAll((cs) =>
      cs.map((c) => ({ panel: c.closest('[data-panel]')?.getAttribute('data-panel'), ticks: JSON.parse(c.dataset.yTicks ?? '[]') })),
    );
    assert.ok(charts.length >= 10, `${charts.length} charts drawn`);
    for (const c of charts) assert.ok(c.ticks.length >= 2, `panel ${c.panel}: y ticks ${JSON.stringify(c.ticks)}`);
    await page.close();
  });

  test('drill-down legends stay within the page on a laptop and a phone', async () => {
    for (const [width, height] of [[1440, 900], [390, 844]]) {
      const ctx = await browser.newContext({ viewport: { width, height }, colorScheme: 'light' });
      const page = await ctx.newPage();
      for (const id of ['filesystem', 'network', 'disk-latency']) {
        await page.goto(new URL(`#/panel/${id}`, vitals.url).href);
        await page.locator('[data-testid=drilldown] [data-testid=chart][data-loaded=true]').first().waitFor({ timeout: 10_000 });
        await page.waitForTimeout(300);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width === 390) await screenshot(page, `panel-${id}-phone`);
        assert.ok(wide <= width, `#/panel/${id} at ${width} px is ${wide} px wide`);
      }
      await ctx.close();
    }
  });

  test('a live chart advances with each collection', async () => {
    const page = await open('#/');
    const chart = page.locator('[data-panel="load"] [data-testid=chart], [data-panel="cpu"] [data-testid=chart]').first();
    await chart.waitFor();
    const first = Number(await waitFor('a first point drawn', 10_000, () => chart.getAttribute('data-last-t')));
    const second = Number(await waitFor('a later point drawn', 10_000, async () => (Number(await chart.getAttribute('data-last-t')) > first ? chart.getAttribute('data-last-t') : null)));
    const third = Number(await waitFor('a third point drawn', 10_000, async () => (Number(await chart.getAttribute('data-last-t')) > second ? chart.getAttribute('data-last-t') : null)));
    assert.ok(second > first && third > second, `${first} < ${second} < ${third}`);
    assert.equal((third - second) % 1000, 0, 'points are the collection cycles, on whole seconds');
    await page.close();
  });

  test('a panel opens its drill-down with the PromQL behind each chart', async () => {
    const page = await open('#/');
    await page.locator('[data-testid=panel][data-panel="cpu"] [data-testid=panel-open]').first().click();
    const drill = page.locator('[data-testid=drilldown]');
    await drill.waitFor({ timeout: 10_000 });
    assert.match(page.url(), /#\/panel\/cpu/);
    const promql = drill.locator('[data-testid=promql]');
    assert.ok((await promql.count()) > 0, 'the drill-down shows its queries');
    const text = (await promql.first().inputValue().catch(() => promql.first().textContent())) ?? '';
    assert.match(text, /node_cpu_seconds_total/);
    // The headline's PromQL as sent, the rate interval filled in, and its value.
    const code = drill.locator('[data-testid=headline-query]');
    await waitFor('the headline query filled in', 10_000, async () => !(await code.textContent())?.includes('$__'));
    assert.match((await code.textContent()) ?? '', /node_cpu_seconds_total\{mode="idle"\}\[\d+s\]/);
    assert.match((await drill.locator('[data-testid=headline-value]').textContent()) ?? '', /\d+(\.\d+)?%/);
    await waitFor('a drill-down chart drawn', 10_000, async () => (await drill.locator('[data-testid=chart][data-loaded=true]').count()) > 0);
    await screenshot(page, 'drilldown');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the explorer lists the series the API returns', async () => {
    const query = 'node_cpu_seconds_total{mode="idle"}';
    const page = await open('#/explore');
    await page.locator('[data-testid=explore-input]').fill(query);
    await page.locator('[data-testid=explore-run]').click();
    const rows = page.locator('[data-testid=explore-table] tr[data-testid=series-row]');
    await rows.first().waitFor({ state: 'attached', timeout: 10_000 });
    const { body } = await vitals.api('/api/v1/query', { query });
    const expected = body.data.result.map((s) => seriesKey(s.metric)).sort();
    assert.ok(expected.length > 0);
    const shown = (await page.locator('[data-testid=explore-table] tr[data-testid=series-row] td.key').allTextContents()).map((t) => t.trim()).sort();
    assert.deepEqual(shown, expected);
    await page.locator('[data-testid=chart][data-loaded=true]').first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'explorer');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test("a wrong query shows the server's error", async () => {
    const query = 'sum(rate(node_cpu_seconds_total[1m])';
    const page = await open('#/explore');
    await page.locator('[data-testid=explore-input]').fill(query);
    await page.locator('[data-testid=explore-input]').press('Control+Enter');
    const error = page.locator('[data-testid=explore-error]');
    await error.waitFor({ state: 'visible', timeout: 10_000 });
    const { status, body } = await vitals.api('/api/v1/query', { query });
    assert.equal(status, 400);
    // "invalid parameter "query": 1:37: parse error: unclosed left parenthesis": the part after the position.
    const reason = body.error.replace(/^.*?\d+:\d+: /, '');
    assert.ok((await error.textContent()).includes(reason), `the page shows ${JSON.stringify(reason)}: ${await error.textContent()}`);
    await screenshot(page, 'explorer-error');
    await page.close();
  });

  test('a chart exports a PNG and a CSV', async () => {
    const page = await open(`#/explore?q=${encodeURIComponent('node_load1')}&range=5m`);
    const chart = page.locator('[data-testid=chart][data-loaded=true]').first();
    await chart.waitFor({ timeout: 10_000 });

    const [png] = await Promise.all([page.waitForEvent('download'), chart.locator('[data-testid=export-png]').click()]);
    const pngPath = join(SCREENSHOTS, 'export.png');
    await png.saveAs(pngPath);
    const bytes = readFileSync(pngPath);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.ok(bytes.length > 2000, `a drawn chart, ${bytes.length} bytes`);
    assert.match(png.suggestedFilename(), /\.png$/);

    const [csv] = await Promise.all([page.waitForEvent('download'), chart.locator('[data-testid=export-csv]').click()]);
    const csvPath = join(SCREENSHOTS, 'export.csv');
    await csv.saveAs(csvPath);
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
    assert.match(lines[0], /node_load1/, `the header names the series: ${lines[0]}`);
    assert.ok(lines.length >= 3, `a row per point: ${lines.length} lines`);
    // Each row is the API's value at its time, on whole collection intervals (history and live alike).
    const rows = lines.slice(1).map((l) => l.split(','));
    const times = rows.map((r) => Date.parse(r[0]) / 1000);
    times.forEach((t, i) => assert.ok(Number.isInteger(t) && (i === 0 || t > times[i - 1]), `row ${i + 1} at ${rows[i][0]}, on a whole second after the one before`));
    for (const r of [rows[0], rows[Math.floor(rows.length / 2)], rows[rows.length - 1]]) {
      const { body } = await vitals.api('/api/v1/query', { query: 'node_load1', time: String(Date.parse(r[0]) / 1000) });
      assert.equal(Number(r[1]), Number(body.data.result[0]?.value[1]), `node_load1 at ${r[0]}`);
    }
    await page.close();
  });

  test('histograms show as a heatmap', async () => {
    const page = await open(`#/explore?q=${encodeURIComponent(`${HISTOGRAM.name}_bucket`)}&range=1h`);
    const tab = page.locator('[data-testid=tab-heatmap]');
    await tab.waitFor({ timeout: 10_000 });
    await tab.click();
    const heatmap = page.locator('[data-testid=heatmap]').first();
    await heatmap.waitFor({ state: 'visible', timeout: 10_000 });
    await waitFor('the heatmap drawn', 10_000, () => heatmap.getAttribute('data-shares'));
    // The imported histogram puts its observations in the buckets in the proportions of SPREAD.
    const shares = JSON.parse(await heatmap.getAttribute('data-shares'));
    const total = HISTOGRAM.spread.reduce((a, b) => a + b, 0);
    assert.equal(shares.length, HISTOGRAM.les.length, `one row per bucket: ${JSON.stringify(shares)}`);
    HISTOGRAM.spread.forEach((n, i) => assert.ok(Math.abs(shares[i] - n / total) < 0.002, `bucket le=${HISTOGRAM.les[i]} holds ${shares[i]}, not ${n / total}`));
    assert.ok(Number(await heatmap.getAttribute('data-cells')) >= HISTOGRAM.les.length, 'cells drawn');
    // The cells are painted: orange pixels inside the plot area (not the axes' grey text).
    const orange = await heatmap.evaluate((root) => {
      const canvas = root.querySelector('canvas');
      const over = root.querySelector('.u-over');
      if (!canvas || !over) return 0;
      const k = canvas.width / canvas.getBoundingClientRect().width;
      const c = canvas.getBoundingClientRect();
      const o = over.getBoundingClientRect();
      const [x, y, w, h] = [(o.left - c.left) * k, (o.top - c.top) * k, o.width * k, o.height * k].map(Math.round);
      const data = canvas.getContext('2d')?.getImageData(x, y, w, h).data ?? [];
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] - data[i + 2] > 60) n++;
      return n;
    });
    assert.ok(orange > 100, `the plot area has painted cells (${orange} orange pixels)`);
    // The x axis spans the chosen hour, not just the data's 30 minutes.
    const span = Number(await heatmap.getAttribute('data-to')) - Number(await heatmap.getAttribute('data-from'));
    assert.ok(Math.abs(span - 3600) < 5, `the heatmap spans the range: ${span} s`);
    await screenshot(page, 'heatmap');
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test('the capacity panel says when each default check will be full, as the API answers', async () => {
    const page = await open('#/');
    const panel = page.locator('[data-testid=panel][data-panel="capacity"]');
    await waitFor('the capacity panel loaded', 60_000, async () => (await panel.getAttribute('data-loaded')) === 'true');
    const shown = await panel.locator('[data-testid=capacity-line]').allTextContents();
    const { status, body } = await vitals.api('/api/v1/analytics/capacity');
    assert.equal(status, 200, JSON.stringify(body));
    const results = body.data.result;
    assert.ok(results.some((r) => r.check === 'memory'), `the default checks include memory: ${JSON.stringify(results)}`);
    assert.equal(shown.length, results.length, `one line per check: ${JSON.stringify(shown)}`);
    for (const r of results) {
      const line = r.sentence ?? (/at least|too gappy/.test(r.error) ? `${r.subject}: not enough history yet` : `${r.subject}: ${r.error}`);
      assert.ok(shown.includes(line), `the panel shows ${JSON.stringify(line)}: ${JSON.stringify(shown)}`);
    }
    await page.close();
  });

  /** Exposition lines of an imported flag (and the score that made it) of a made-up judged series at `ms`. */
  function flagLines(labels, ms, score = 0.995) {
    const l = Object.entries({ ...labels, job: 'web-tests', instance: 'import' }).map(([k, v]) => `${k}="${v}"`).join(',');
    return [`vitals_anomaly_flag{${l}} 1 ${ms}`, `vitals_anomaly_score{${l}} ${score} ${ms}`];
  }

  /** What the anomalies panel shows, read at once (a refresh may redraw it between two reads). */
  function anomaliesShown(panel) {
    return panel.evaluate((p) => {
      const value = p.querySelector('[data-testid=panel-value]');
      return {
        state: p.dataset.state,
        text: value?.textContent ?? '',
        value: Number(value?.dataset.value),
        query: value?.dataset.query ?? '',
        t: Number(value?.dataset.t),
        events: [...p.querySelectorAll('[data-testid=anomaly-event]')].map((e) => ({ text: e.textContent ?? '', series: Number(e.dataset.series), start: Number(e.dataset.start), end: Number(e.dataset.end) })),
        earlier: p.querySelector('[data-testid=anomaly-earlier]')?.textContent ?? null,
        flags: p.querySelector('[data-testid=anomaly-flags]')?.textContent ?? '',
        rows: [...p.querySelectorAll('[data-testid=anomaly-row]')].map((tr) => {
          const cells = [...tr.querySelectorAll('td')];
          return { name: cells[0]?.textContent ?? '', href: cells[0]?.querySelector('a')?.getAttribute('href') ?? '', values: cells.slice(1).map((c) => Number(c.dataset.value)) };
        }),
        none: p.querySelectorAll('[data-testid=anomaly-none]').length,
        yTicks: JSON.parse(p.querySelector('[data-testid=chart]')?.dataset.yTicks ?? '[]'),
        height: p.getBoundingClientRect().height,
      };
    });
  }

  test('the anomalies panel counts the series flagged in the window as the API does, and tells them as events', async () => {
    // Scores appear from the first cycles (0 while a detector learns).
    await waitFor('anomaly scores', 60_000, async () => (await vitals.api('/api/v1/query', { query: 'count(vitals_anomaly_score)' })).body.data.result.length > 0);
    // Two series flagged a minute and a half ago, beside whatever the host's own scoring flags.
    await vitals.import(`${[0, 1].flatMap((i) => flagLines({ metric: 'webtest_live_total', i: String(i) }, Date.now() - 90_000)).join('\n')}\n`);
    const page = await open('#/');
    const panel = page.locator('[data-testid=panel][data-panel="anomalies"]');
    await waitFor('the anomalies panel drawn', 15_000, async () => (await panel.getAttribute('data-loaded')) === 'true');
    const shown = await anomaliesShown(panel);
    // The headline: the series flagged in the shown 5 minutes, as the API counts them at the same time.
    assert.equal(shown.query, 'count(sum_over_time(vitals_anomaly_flag[300s]) > 0)');
    const { body } = await vitals.api('/api/v1/query', { query: shown.query, time: String(shown.t) });
    const flagged = Number(body.data.result[0]?.value[1] ?? 0);
    assert.equal(shown.value, flagged, `the panel shows ${shown.text}, the API counts ${flagged} at ${shown.t}`);
    assert.ok(flagged >= 2, `the two imported series at least: ${flagged}`);
    assert.equal(shown.state, 'warning');
    assert.equal(shown.text, `${flagged} series`);
    assert.ok(shown.events.length >= 1 && shown.events.length <= 5, `1 to 5 events: ${JSON.stringify(shown.events)}`);
    for (const e of shown.events) {
      assert.ok(e.series >= 1 && e.series <= flagged, `an event of ${e.series} series, ${flagged} flagged in all: ${e.text}`);
      assert.match(e.text, new RegExp(`^\\S.* ${e.series} series: \\S`), `the event says when, how many series and which families: ${e.text}`);
    }
    assert.ok(shown.events.some((e) => e.text.includes('webtest_live_total (2)')), `an event names the imported family: ${JSON.stringify(shown.events)}`);
    // Every series flagged is in an event; a series flagged in two events counts in each.
    const sum = shown.events.reduce((a, e) => a + e.series, 0);
    if (shown.earlier === null) assert.ok(sum >= flagged, `the events hold every series flagged: ${sum} >= ${flagged}`);
    assert.ok(shown.rows.length >= 2 && shown.rows.length <= 5, `2 to 5 most affected series: ${JSON.stringify(shown.rows)}`);
    const flags = shown.rows.map((r) => r.values[0]);
    assert.deepEqual(flags, [...flags].sort((a, b) => b - a), 'most flags first');
    for (const r of shown.rows) assert.ok(r.values[0] >= 1 && r.values[1] > 0 && r.values[1] <= 1, `${r.name} was flagged, scoring ${r.values[1]}`);
    // Each series named is a scored series, and links to its score in the explorer.
    const { body: all } = await vitals.api('/api/v1/query', { query: 'max_over_time(vitals_anomaly_score[10m])' });
    const judged = new Set(all.data.result.map((r) => { const { __name__, metric, job, instance, ...rest } = r.metric; return seriesKey({ __name__: metric, ...rest }); }));
    for (const r of shown.rows) {
      assert.ok(judged.has(r.name), `${r.name} is a scored series`);
      assert.match(decodeURIComponent(r.href), /^#\/explore\?q=vitals_anomaly_score\{.*metric="/, `${r.name} links to the explorer: ${r.href}`);
    }
    await screenshot(page, 'overview-analytics');
    await page.close();
  });

  test('the anomalies panel tells imported flags as events, newest first, at most 5, on a laptop and a phone', async () => {
    // Two hours ago (before this server started): only these flags are there. Seven events, 8 minutes
    // apart, of 1 to 7 series; the newest spans two minutes and four metric families, and one of its
    // series is flagged three times.
    const to = Math.floor(Date.now() / 60_000) * 60 - 7200;
    const from = to - 3600;
    const at = (minute, second) => (from + minute * 60 + second) * 1000;
    const lines = [];
    const flag = (labels, ms, score) => lines.push(...flagLines(labels, ms, score));
    for (let k = 0; k < 6; k++) for (let i = 0; i <= k; i++) flag({ metric: 'webtest_other_total', event: String(k), i: String(i) }, at(3 + 8 * k, 30));
    for (const cpu of ['0', '1', '2']) flag({ metric: 'webtest_cpu_seconds_total', cpu }, at(51, 10), cpu === '0' ? 0.999 : 0.995);
    flag({ metric: 'webtest_cpu_seconds_total', cpu: '0' }, at(51, 40));
    flag({ metric: 'webtest_cpu_seconds_total', cpu: '0' }, at(52, 10));
    for (const device of ['a', 'b']) flag({ metric: 'webtest_disk_reads_total', device }, at(51, 20));
    flag({ metric: 'webtest_memory_free_bytes' }, at(51, 30));
    flag({ metric: 'webtest_net_errs_total' }, at(52, 20));
    await vitals.import(`${lines.join('\n')}\n`);

    for (const [width, height] of [[1440, 900], [390, 844]]) {
      const ctx = await browser.newContext({ viewport: { width, height }, colorScheme: 'light' });
      const page = await ctx.newPage();
      await page.goto(new URL(`#/?range=custom&from=${from}&to=${to}`, vitals.url).href);
      const panel = page.locator('[data-testid=panel][data-panel="anomalies"]');
      await waitFor('the anomalies panel drawn', 15_000, async () => (await panel.getAttribute('data-loaded')) === 'true');
      const shown = await anomaliesShown(panel);
      assert.equal(shown.query, 'count(sum_over_time(vitals_anomaly_flag[3600s]) > 0)');
      assert.equal(shown.t, to);
      const { body } = await vitals.api('/api/v1/query', { query: shown.query, time: String(to) });
      assert.equal(Number(body.data.result[0]?.value[1]), 28, 'the API counts the 28 series imported');
      assert.equal(shown.text, '28 series');
      assert.equal(shown.state, 'warning');
      // The newest five events, the newest first, then the two earlier ones counted.
      assert.deepEqual(shown.events.map((e) => e.series), [7, 6, 5, 4, 3]);
      assert.equal(shown.earlier, 'and 2 earlier events');
      const newest = shown.events[0];
      assert.deepEqual([newest.start, newest.end], [from + 51 * 60, from + 53 * 60], 'the newest event spans minutes 51 and 52 of the window');
      const clock = (t) => page.evaluate((s) => new Date(s * 1000).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hour12: false }), t);
      assert.equal(
        newest.text,
        `${await clock(newest.start)}–${await clock(newest.end)} 7 series: webtest_cpu_seconds_total (3), webtest_disk_reads_total (2), webtest_memory_free_bytes (1), +1 more`,
      );
      assert.equal(shown.events[1].text, `${await clock(from + 43 * 60)} 6 series: webtest_other_total (6)`, 'an event within one minute says its start only');
      // The most affected series: the one flagged three times first, with its highest score and a link to its score.
      assert.equal(shown.rows.length, 5);
      assert.deepEqual([shown.rows[0].name, ...shown.rows[0].values], ['webtest_cpu_seconds_total{cpu="0"}', 3, 0.999]);
      assert.deepEqual(shown.rows.slice(1).map((r) => r.values[0]), [1, 1, 1, 1]);
      const q = new URLSearchParams(shown.rows[0].href.replace(/^#\/explore\?/, '')).get('q');
      assert.equal(q, 'vitals_anomaly_score{cpu="0",instance="import",job="web-tests",metric="webtest_cpu_seconds_total"}');
      const { body: score } = await vitals.api('/api/v1/query', { query: `max_over_time(${q}[3600s])`, time: String(to) });
      assert.equal(Number(score.data.result[0]?.value[1]), 0.999, 'the link queries that series');
      // The chart's y axis reaches the busiest minute: 6 series (minutes 43 and 51).
      assert.ok(shown.yTicks.at(-1) >= 6 && shown.yTicks.at(-1) <= 10, `y ticks ${JSON.stringify(shown.yTicks)}`);
      // Bounded: nothing wider than the page, and the panel not taller than a screen.
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= width, `the overview at ${width} px is ${wide} px wide`);
      assert.ok(shown.height < 600, `the anomalies panel is ${shown.height} px tall at ${width} px`);
      await panel.screenshot({ path: join(SCREENSHOTS, `anomalies-events-${width}.png`) });
      await ctx.close();
    }
  });

  test('the anomalies panel is ok with scores and no flag, and has no data without scores', async () => {
    // Four hours ago: one series scored 0.3, none flagged; six hours ago: nothing scored.
    const to = Math.floor(Date.now() / 60_000) * 60 - 4 * 3600;
    const l = 'metric="webtest_quiet_bytes",job="web-tests",instance="import"';
    await vitals.import(`vitals_anomaly_score{${l}} 0.3 ${(to - 60) * 1000}\nvitals_anomaly_flag{${l}} 0 ${(to - 60) * 1000}\n`);
    const page = await open(`#/?range=custom&from=${to - 3600}&to=${to}`);
    const panel = page.locator('[data-testid=panel][data-panel="anomalies"]');
    await waitFor('the anomalies panel drawn', 15_000, async () => (await panel.getAttribute('data-loaded')) === 'true');
    const quiet = await anomaliesShown(panel);
    assert.deepEqual([quiet.state, quiet.text, quiet.value, quiet.flags], ['ok', 'none', 0, 'No anomaly flagged in the last 60 min.']);
    assert.deepEqual(quiet.rows.map((r) => [r.name, ...r.values]), [['webtest_quiet_bytes', 0.3]], 'the highest scores instead');
    await page.goto(new URL(`#/?range=custom&from=${to - 3 * 3600}&to=${to - 2 * 3600}`, vitals.url).href);
    await waitFor('nothing scored', 15_000, async () => (await anomaliesShown(panel)).text === 'no scores');
    const none = await anomaliesShown(panel);
    assert.deepEqual([none.state, none.value, none.rows.length, none.none], ['nodata', 0, 0, 1]);
    await page.close();
  });

  test('a custom range that ends before it starts says so', async () => {
    const page = await open('#/');
    await page.locator('[data-testid=range]').selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill('2026-01-02T10:00');
    await page.getByLabel('To', { exact: true }).fill('2026-01-02T09:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    const problem = page.locator('[data-testid=range-error]');
    await problem.waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await problem.textContent(), 'The end must be after the start.');
    await page.close();
  });

  test('dark and light themes', async () => {
    const shots = {};
    for (const scheme of ['dark', 'light']) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: scheme });
      const page = await ctx.newPage();
      await page.goto(vitals.url);
      await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
      shots[scheme] = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await screenshot(page, `overview-${scheme}`);
      // The toggle may step through auto, light and dark: one of its next states differs.
      const toggle = page.locator('[data-testid=theme]');
      const seen = [];
      for (let i = 0; i < 3; i++) {
        await toggle.click();
        seen.push(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
      }
      assert.ok(seen.some((c) => c !== shots[scheme]), `the theme toggle changes the colours: ${shots[scheme]}, then ${seen.join(', ')}`);
      await ctx.close();
    }
    assert.notEqual(shots.dark, shots.light, 'the system theme is followed');
  });

  test('a lost connection shows a banner, and the page recovers when Vitals is back', async () => {
    const page = await open('#/');
    const chart = page.locator('[data-testid=chart][data-loaded=true]').first();
    await chart.waitFor({ timeout: 10_000 });
    const banner = page.locator('[data-testid=connection-banner]');
    assert.ok(!(await banner.isVisible()), 'no banner while connected');

    const { address, dir } = vitals;
    await vitals.stop(true);
    await banner.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'connection-lost');
    const before = Number(await chart.getAttribute('data-last-t'));

    vitals = await Vitals.start(dir, address);
    await banner.waitFor({ state: 'hidden', timeout: 30_000 });
    await waitFor('the chart advancing again', 15_000, async () => Number(await chart.getAttribute('data-last-t')) > before);
    await page.close();
  });
});
