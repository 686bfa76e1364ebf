// What the browser tests share: a real `vitals serve` on 127.0.0.1 with a temporary data
// directory, a 1 s collection interval and one service (the test runner), Debian's Chromium driven by playwright-core, and
// the helpers to import data, query the API and save screenshots.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The `vitals` binary under test: $VITALS_BIN, default target/release/vitals. */
export const VITALS_BIN = resolve(process.env.VITALS_BIN ?? join(ROOT, 'target/release/vitals'));

/** Where each run saves its screenshots and downloads. */
export const SCREENSHOTS = join(ROOT, 'target/web-screenshots');

/** The browser: Debian's Chromium, or $CHROMIUM. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** The flags the browser runs with (a fresh profile comes from playwright's own temporary --user-data-dir). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The service the test server watches: the test runner itself (node), so that the services panel has data. */
export const SERVICE = { name: 'web-tests', processName: '^node$' };

/** A running `vitals serve`; `url` is what it printed, such as `http://127.0.0.1:40123/`. */
export class Vitals {
  /** @param {import('node:child_process').ChildProcess} child @param {string} url @param {string} dir @param {string[]} log */
  constructor(child, url, dir, log) {
    this.child = child;
    this.url = url;
    this.dir = dir;
    this.log = log;
  }

  /** Starts `vitals serve` on a free port (or `listen`) with a 1 s collection interval, and waits until it is ready. */
  static async start(dir = mkdtempSync(join(tmpdir(), 'vitals-web-')), listen = '127.0.0.1:0') {
    const config = join(dir, 'vitals.yml');
    writeFileSync(config, `collection:\n  interval: 1s\n  services:\n  - name: ${SERVICE.name}\n    process_name: '${SERVICE.processName}'\n`);
    const child = spawn(VITALS_BIN, ['serve', '--listen', listen, '--data-dir', join(dir, 'data'), '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = [];
    child.stderr.setEncoding('utf8').on('data', (text) => log.push(text));
    const first = await new Promise((ok, fail) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', ok);
      child.once('error', (e) => fail(new Error(`cannot start ${VITALS_BIN}: ${e.message} (build it with cargo build --release, or set VITALS_BIN)`)));
      child.once('exit', (code) => fail(new Error(`vitals serve exited (${code}) before printing its URL:\n${log.join('')}`)));
    });
    const url = /(http:\/\/\S+\/)/.exec(first)?.[1];
    if (!url) throw new Error(`no dashboard URL in vitals serve's first line: ${first}`);
    const vitals = new Vitals(child, url, dir, log);
    await waitFor('vitals to be ready', 20_000, async () => (await fetch(new URL('-/ready', url)).catch(() => null))?.status === 200);
    return vitals;
  }

  /** The host and port it listens on. */
  get address() {
    return new URL(this.url).host;
  }

  /** GET a JSON API path (with `params`), failing on HTTP errors other than 400 and 422. */
  async api(path, params = {}) {
    const u = new URL(path.replace(/^\//, ''), this.url);
    for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
    const resp = await fetch(u);
    return { status: resp.status, body: await resp.json() };
  }

  /** POSTs a text exposition to the import endpoint. */
  async import(text) {
    const resp = await fetch(new URL('api/v1/import/prometheus', this.url), { method: 'POST', body: text });
    if (resp.status !== 204) throw new Error(`import answered ${resp.status}: ${await resp.text()}`);
  }

  /** Stops it with SIGTERM and waits for it to exit; `keep` keeps the data directory. */
  async stop(keep = false) {
    if (this.child.exitCode === null) {
      const exited = new Promise((ok) => this.child.once('exit', ok));
      this.child.kill('SIGTERM');
      await exited;
    }
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Launches Chromium headless with the project's flags. */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** Polls `check` every 100 ms until it gives a truthy value, which is returned; fails after `ms`. */
export async function waitFor(what, ms, check) {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`not ${what} after ${ms} ms${last ? `: ${last.message}` : ''}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Saves a full-page screenshot as target/web-screenshots/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A classic histogram, `http_request_duration_seconds`, for one handler: 100 requests every
 * 10 s over the last 30 minutes, always spread the same way over the buckets, so that the
 * heatmap has a known shape: the per-bucket counts of one scrape are `SPREAD`.
 */
export const HISTOGRAM = {
  name: 'http_request_duration_seconds',
  les: ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'],
  spread: [5, 10, 20, 30, 15, 10, 5, 3, 2],
};

/** The exposition text of `HISTOGRAM`, ending at `endMs`. */
export function histogramText(endMs) {
  const { name, les, spread } = HISTOGRAM;
  const lines = [`# HELP ${name} How long requests took.`, `# TYPE ${name} histogram`];
  const step = 10_000;
  const first = endMs - 30 * 60_000;
  for (let t = first, n = 1; t <= endMs; t += step, n++) {
    let cumulative = 0;
    les.forEach((le, i) => {
      cumulative += spread[i] * n;
      lines.push(`${name}_bucket{handler="/api",le="${le}"} ${cumulative} ${t}`);
    });
    lines.push(`${name}_sum{handler="/api"} ${(9.5 * n).toFixed(3)} ${t}`);
    lines.push(`${name}_count{handler="/api"} ${cumulative} ${t}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A series' labels as the dashboard writes them: `name{a="1",b="2"}`, labels sorted. */
export function seriesKey(labels) {
  const { __name__: name = '', ...rest } = labels;
  const inner = Object.keys(rest)
    .sort()
    .map((k) => `${k}="${rest[k]}"`)
    .join(',');
  return inner ? `${name}{${inner}}` : name || '{}';
}

/** The directory of the web build that `VITALS_BIN` embeds: the newest `build/vitals-api-HASH/out/web` beside it. */
export function builtWebDir() {
  const build = join(dirname(VITALS_BIN), 'build');
  const dirs = readdirSync(build)
    .filter((d) => d.startsWith('vitals-api-'))
    .map((d) => join(build, d, 'out/web'))
    .filter((d) => {
      try {
        return statSync(join(d, 'index.html')).isFile();
      } catch {
        return false;
      }
    })
    .sort((a, b) => statSync(join(b, 'index.html')).mtimeMs - statSync(join(a, 'index.html')).mtimeMs);
  if (dirs.length === 0) throw new Error(`no web build under ${build}`);
  return dirs[0];
}

/** The median of `xs`. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
