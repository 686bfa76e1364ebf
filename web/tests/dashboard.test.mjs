// The dashboard as a user sees it, in Chromium, against a real `vitals serve` collecting
// this machine every second: the overview, a drill-down, the explorer, live charts,
// errors, exports, the heatmap, themes and a lost connection.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { HISTOGRAM, histogramText, launchBrowser, screenshot, SCREENSHOTS, seriesKey, Vitals, waitFor } from './harness.mjs';

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

  /** A new page on `hash` that fails the test on uncaught page errors. */
  async function open(hash) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.errors = errors;
    await page.goto(new URL(hash, vitals.url).href);
    return page;
  }

  test('the overview renders every panel, with data wherever the metrics exist', async () => {
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
      if (exists) {
        assert.ok(['ok', 'warning', 'critical'].includes(state), `panel ${id} shows a state, not ${state}, as ${metric} exists`);
        const value = (await panel.locator('[data-testid=panel-value]').first().textContent())?.trim() ?? '';
        assert.match(value, /\d/, `panel ${id} shows a number: ${JSON.stringify(value)}`);
      } else {
        assert.equal(state, 'nodata', `panel ${id} says it has no data, as ${metric} does not exist here`);
      }
    }
    await screenshot(page, 'overview');
    assert.deepEqual(page.errors, []);
    await page.close();
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
    const cells = lines[lines.length - 1].split(',');
    assert.ok(cells.length >= 2 && cells.slice(1).some((c) => c !== '' && Number.isFinite(Number(c))), `values: ${lines[lines.length - 1]}`);
    await page.close();
  });

  test('histograms show as a heatmap', async () => {
    const page = await open(`#/explore?q=${encodeURIComponent(`${HISTOGRAM.name}_bucket`)}&range=1h`);
    const tab = page.locator('[data-testid=tab-heatmap]');
    await tab.waitFor({ timeout: 10_000 });
    await tab.click();
    const heatmap = page.locator('[data-testid=heatmap]').first();
    await heatmap.waitFor({ state: 'visible', timeout: 10_000 });
    // A drawn canvas: not all one colour.
    const colours = await heatmap.evaluate((root) => {
      const canvas = root.querySelector('canvas');
      if (!canvas) return 0;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4 * 97) seen.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
      return seen.size;
    });
    assert.ok(colours > 3, `the heatmap is drawn (${colours} colours)`);
    await screenshot(page, 'heatmap');
    assert.deepEqual(page.errors, []);
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
