// The dashboard's performance figures, printed (speed is reported, not asserted: the
// machine is shared): first render of the overview, the bundle's size gzipped, the main
// thread's load with 30 live panels, and the latency from a collection cycle to its pixel.
// The tests fail only when a figure cannot be measured.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { builtWebDir, launchBrowser, median, Vitals, waitFor } from './harness.mjs';

/** 30 live panels: distinct queries over what every Linux host has. */
const BOARD = [
  ...['user', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'nice'].map((m) => `sum(rate(node_cpu_seconds_total{mode="${m}"}[1m]))`),
  'node_load1',
  'node_load5',
  'node_load15',
  'node_memory_MemAvailable_bytes',
  'node_memory_MemFree_bytes',
  'node_memory_Cached_bytes',
  'node_memory_Buffers_bytes',
  'node_memory_SwapFree_bytes',
  'sum(rate(node_network_receive_bytes_total[1m]))',
  'sum(rate(node_network_transmit_bytes_total[1m]))',
  'sum(rate(node_network_receive_packets_total[1m]))',
  'sum(rate(node_network_transmit_packets_total[1m]))',
  'sum(rate(node_disk_read_bytes_total[1m]))',
  'sum(rate(node_disk_written_bytes_total[1m]))',
  'sum(rate(node_disk_io_time_seconds_total[1m]))',
  'node_filesystem_avail_bytes',
  'rate(node_context_switches_total[1m])',
  'rate(node_intr_total[1m])',
  'node_procs_running',
  'process_resident_memory_bytes',
  'rate(process_cpu_seconds_total[1m])',
  'vitals_store_series',
];

/** Figures as one line each, easy to find in CI's log. */
function figure(name, value) {
  console.log(`figure: ${name}: ${value}`);
}

describe('dashboard performance figures', () => {
  /** @type {Vitals} */ let vitals;
  /** @type {import('playwright-core').Browser} */ let browser;

  before(async () => {
    vitals = await Vitals.start();
    browser = await launchBrowser();
    await waitFor('a minute of rates computable', 15_000, async () => {
      const { body } = await vitals.api('/api/v1/query', { query: 'count_over_time(node_load1[1m])' });
      return Number(body.data.result[0]?.value[1] ?? 0) >= 3;
    });
  });

  after(async () => {
    await browser?.close();
    await vitals?.stop();
  });

  test('first render of the overview (navigation start to vitals-overview-ready), median of 5 cold loads', async () => {
    const times = [];
    for (let i = 0; i < 5; i++) {
      // A new context each time: an empty cache, as on a first visit.
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(vitals.url);
      await page.waitForFunction(() => performance.getEntriesByName('vitals-overview-ready').length > 0, null, { timeout: 15_000 });
      times.push(await page.evaluate(() => performance.getEntriesByName('vitals-overview-ready')[0].startTime));
      await ctx.close();
    }
    figure('overview first render ms (median of 5)', `${median(times).toFixed(0)} (runs: ${times.map((t) => t.toFixed(0)).join(', ')}; target < 1000)`);
    assert.equal(times.length, 5);
  });

  test('JS and CSS bytes, gzipped, from the build output', () => {
    const assets = join(builtWebDir(), 'assets');
    const files = readdirSync(assets).filter((f) => /\.(js|css)$/.test(f));
    assert.ok(files.length > 0, `scripts and styles in ${assets}`);
    let raw = 0;
    let gzipped = 0;
    for (const f of files) {
      const bytes = readFileSync(join(assets, f));
      raw += bytes.length;
      gzipped += gzipSync(bytes, { level: 9 }).length;
    }
    figure('JS+CSS gzipped KB', `${(gzipped / 1024).toFixed(1)} (${files.length} files, ${(raw / 1024).toFixed(1)} KB before gzip; target <= 300)`);
  });

  test('main thread busy with 30 live panels over 10 s, and collection-to-pixel latency', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    const hash = `#/board?${BOARD.map((q) => `q=${encodeURIComponent(q)}`).join('&')}`;
    await page.goto(new URL(hash, vitals.url).href);
    const charts = page.locator('[data-testid=chart]');
    await waitFor('30 charts drawn', 20_000, async () => (await page.locator('[data-testid=chart][data-loaded=true]').count()) === BOARD.length);
    // Each time a chart draws a newer point: how long after that cycle's time it was drawn.
    await page.evaluate(() => {
      window.__latencies = [];
      new MutationObserver((changes) => {
        const now = Date.now();
        for (const c of changes) {
          const t = Number(c.target.getAttribute('data-last-t'));
          if (t > Number(c.oldValue)) window.__latencies.push(now - t);
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-last-t'], attributeOldValue: true });
    });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskDuration = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;
    const firstLast = Number(await charts.first().getAttribute('data-last-t'));
    const busy0 = await taskDuration();
    const wall0 = performance.now();
    await new Promise((ok) => setTimeout(ok, 10_000));
    const busy = (await taskDuration()) - busy0;
    const wall = (performance.now() - wall0) / 1000;
    const latencies = await page.evaluate(() => window.__latencies);
    const lastLast = Number(await charts.first().getAttribute('data-last-t'));
    await ctx.close();

    assert.ok(lastLast - firstLast >= 5000, `the board kept updating: ${firstLast} -> ${lastLast}`);
    assert.ok(latencies.length >= BOARD.length * 5, `updates seen: ${latencies.length}`);
    figure('main thread busy % with 30 live panels', `${((100 * busy) / wall).toFixed(1)} (TaskDuration ${busy.toFixed(2)} s over ${wall.toFixed(1)} s; target < 20)`);
    const sorted = [...latencies].sort((a, b) => a - b);
    figure(
      'collection-to-pixel ms (cycle time to chart drawn)',
      `median ${median(sorted).toFixed(0)}, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)} over ${sorted.length} chart updates; target < 1000`,
    );
  });
});
