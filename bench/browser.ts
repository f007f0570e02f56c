/**
 * The browser side of the benchmark: the built app served by `vite preview`, driven in headless Chromium.
 *
 * Page-side code is passed to `page.evaluate` as plain JavaScript text (not as functions) so that nothing the
 * TypeScript loader adds to compiled functions has to exist in the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import config from '../playwright.config.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = (config.use?.launchOptions?.args ?? []) as string[];

/** A port nobody listens on (the machine may run other preview servers). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Serve a built app with `vite preview` on its own port; resolves once it answers. */
export async function preview(dist: string, port: number): Promise<{ url: string; stop: () => void }> {
  const url = `http://localhost:${port}`;
  if (await fetch(url).then(() => true, () => false)) throw new Error(`port ${port} is already in use`);
  const child: ChildProcess = spawn('npx', ['vite', 'preview', '--outDir', dist, '--port', String(port), '--strictPort'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = () => {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
  };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`vite preview exited: ${output.trim()}`);
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  stop();
  throw new Error(`vite preview did not answer on ${url}: ${output.trim()}`);
}

/** Peak resident memory of the browser's renderer processes, read from /proc while a run goes on. */
export class RendererMemory {
  #timer: NodeJS.Timeout | undefined;
  #peakRss = 0;
  #pids = new Set<number>();

  async start(browser: Browser): Promise<void> {
    const cdp = await browser.newBrowserCDPSession();
    const poll = async () => {
      try {
        const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
        for (const p of processInfo) if (p.type === 'renderer') this.#pids.add(p.id);
      } catch {
        // the browser is closing
      }
      for (const pid of this.#pids) this.#peakRss = Math.max(this.#peakRss, status(pid).rss);
    };
    await poll();
    this.#timer = setInterval(poll, 200);
  }

  /** The largest renderer's high-water mark (VmHWM, kernel-kept) and the largest RSS seen while polling, in bytes. */
  stop(): { peakBytes: number; sampledPeakBytes: number } {
    clearInterval(this.#timer);
    let hwm = 0;
    for (const pid of this.#pids) hwm = Math.max(hwm, status(pid).hwm);
    return { peakBytes: hwm, sampledPeakBytes: this.#peakRss };
  }
}

function status(pid: number): { rss: number; hwm: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Installed before the app's scripts: long tasks, long animation frames, and when watched elements first appear. */
const INIT_SCRIPT = `(() => {
  const m = (window.__marks = { longtasks: [], loafs: [], firsts: {}, painted: {}, cells: {}, changes: [], track: false, mutated: {} });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) m.longtasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) m.loafs.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
        scripts: e.scripts.map((s) => ({ duration: Math.round(s.duration), invoker: s.invoker, fn: s.sourceFunctionName, src: (s.sourceURL || '').split('/').pop(), at: s.sourceCharPosition })) });
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  document.addEventListener('change', (e) => {
    const t = e.target;
    m.changes.push({ at: performance.now(), what: t && t.type === 'file' ? 'file' : (t && t.dataset && t.dataset.testid) || '' });
  }, true);
  const watch = { report: '[data-testid="cleaning-report"]', overview: '[data-testid="kpi-customers"]', rfm: '[data-testid="rfm-segments"] tbody tr', error: '[data-testid="error"], .error' };
  new MutationObserver((records) => {
    const now = performance.now();
    // Once the benchmark asks for it (after the load): the last time anything changed inside each cell.
    if (m.track) for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const cell = node && node.closest('[data-testid$="-cell"]');
      if (cell) m.mutated[cell.dataset.testid] = now;
    }
    for (const k in watch) if (!(k in m.firsts) && document.querySelector(watch[k])) {
      m.firsts[k] = now;
      requestAnimationFrame(() => { m.painted[k] = performance.now(); });
    }
    for (const cell of document.querySelectorAll('[data-testid$="-cell"]')) {
      const id = cell.dataset.testid;
      const busy = cell.getAttribute('aria-busy') === 'true';
      const c = m.cells[id] || (m.cells[id] = { busy: false, busyAt: [], idleAt: [] });
      if (busy !== c.busy) (busy ? c.busyAt : c.idleAt).push(now);
      else if (!busy && !c.idleAt.length) c.idleAt.push(now);
      c.busy = busy;
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-busy'] });
})()`;

export interface LongTask {
  start: number;
  duration: number;
}
export interface LongFrame extends LongTask {
  blocking: number;
  scripts: { duration: number; invoker: string; fn: string; src: string; at: number }[];
}
export interface Marks {
  longtasks: LongTask[];
  loafs: LongFrame[];
  firsts: Record<string, number>;
  painted: Record<string, number>;
  /** Per cell (data-testid ending in -cell): when its aria-busy turned true and when it turned (or first was) false. */
  cells: Record<string, { busy: boolean; busyAt: number[]; idleAt: number[] }>;
  changes: { at: number; what: string }[];
  /** Set by the benchmark to start noting `mutated`. */
  track: boolean;
  /** Per cell: the last time its DOM changed (a node added or removed, text changed), once `track` is set. */
  mutated: Record<string, number>;
}

export interface Session {
  page: Page;
  cdp: CDPSession;
  memory: RendererMemory;
  crashed: () => boolean;
  errors: string[];
  close: () => Promise<{ peakBytes: number; sampledPeakBytes: number }>;
}

/** A fresh browser (so that peak memory is this run's own) with one page on the app, `?bench` set. */
export async function open(url: string): Promise<Session> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(0);
  let crashed = false;
  const errors: string[] = [];
  page.on('crash', () => (crashed = true));
  page.on('pageerror', (e) => errors.push(e.message));
  const memory = new RendererMemory();
  await memory.start(browser);
  await page.addInitScript(INIT_SCRIPT);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url);
  // `?bench` puts the engine on window.__bench once the app's first script has run; on a loaded machine that can
  // come well after the navigation.
  await page.waitForFunction('window.__bench', undefined, { timeout: 300_000 });
  return {
    page,
    cdp,
    memory,
    crashed: () => crashed,
    errors,
    close: async () => {
      const peak = memory.stop();
      await browser.close();
      return peak;
    },
  };
}

/** The page's own JS heap (main thread) from CDP Performance.getMetrics, in bytes. */
export async function pageHeap(cdp: CDPSession): Promise<{ used: number; total: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const get = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
  return { used: get('JSHeapUsedSize'), total: get('JSHeapTotalSize') };
}

export function marks(page: Page): Promise<Marks> {
  return page.evaluate('window.__marks') as Promise<Marks>;
}

/** Wait until `done` (page-side expression) holds and no cell is busy for `quietMs`, or the page fails. */
export async function settle(s: Session, done: string, timeoutMs: number, quietMs = 1000): Promise<'ok' | 'error' | 'crash' | 'timeout'> {
  const until = Date.now() + timeoutMs;
  let quietSince = 0;
  while (Date.now() < until) {
    if (s.crashed()) return 'crash';
    let state: { done: boolean; busy: number; error: boolean };
    try {
      state = (await s.page.evaluate(`({ done: Boolean(${done}), busy: document.querySelectorAll('[aria-busy="true"]').length,
        error: Boolean(window.__marks.firsts.error) })`)) as typeof state;
    } catch {
      return s.crashed() ? 'crash' : 'error';
    }
    if (state.error && !state.done) return 'error';
    if (state.done && state.busy === 0) {
      quietSince ||= Date.now();
      if (Date.now() - quietSince >= quietMs) return 'ok';
    } else quietSince = 0;
    await new Promise((r) => setTimeout(r, 200));
  }
  return 'timeout';
}

/** Engine calls timed in the page: load and apply a file set on a hidden input, then each model, twice (a model's own split of its time, `elapsedMs`, is kept). */
export const ENGINE_STEPS = `async ({ calls, settings, role }) => {
  const e = window.__bench.engine;
  const file = document.getElementById('__bench_file').files[0];
  const out = { steps: {}, models: {} };
  let t = performance.now();
  const view = await e.load(file, role ? { role } : {});
  out.steps.load = performance.now() - t;
  out.rows = view.rows;
  out.role = view.role;
  t = performance.now();
  const applied = await e.apply(view.id, view.mapping, undefined, view.role);
  out.steps.apply = performance.now() - t;
  out.report = applied.report ? { rows_loaded: applied.report.rows_loaded, purchases: applied.report.purchases, customers: applied.report.customers } : null;
  for (const c of calls) {
    const r = (out.models[c.name] = {});
    for (const k of ['first', 'second']) {
      t = performance.now();
      try {
        const result = await e[c.method](...c.args);
        r[k] = performance.now() - t;
        if (k === 'first' && result && result.elapsedMs) r.parts = result.elapsedMs;
      } catch (err) {
        r.error = String((err && err.message) || err).slice(0, 300);
        break;
      }
    }
  }
  return out;
}`;

/** A hidden file input the benchmark sets files on (the app's own input would start the notebook's load). */
export async function benchInput(page: Page, path: string): Promise<void> {
  await page.evaluate(`(() => { const i = document.createElement('input'); i.type = 'file'; i.id = '__bench_file'; i.hidden = true; document.body.append(i); })()`);
  await page.setInputFiles('#__bench_file', path);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Start sampling the page's main thread (CDP Profiler, 0.5 ms); returns where performance.now() was at the start. */
export async function startProfile(s: Session): Promise<number> {
  await s.cdp.send('Profiler.enable');
  await s.cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await s.cdp.send('Profiler.start');
  return (await s.page.evaluate('performance.now()')) as number;
}

/**
 * Stop sampling and say where each long task's time went: self time per function (name, file, line) among the
 * samples inside the task, largest first. `origin` (startProfile's answer) places the profile on the page's clock
 * within a round trip; the shift that puts the most busy samples inside the long tasks (±300 ms) fixes the rest.
 */
export async function stopProfile(s: Session, origin: number, tasks: LongTask[]): Promise<{ start: number; duration: number; top: { fn: string; ms: number }[] }[]> {
  const { profile } = (await s.cdp.send('Profiler.stop')) as { profile: CpuProfile };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const n = profile.samples.length;
  const at = new Float64Array(n);
  const busy = new Float64Array(n + 1); // prefix sums of non-idle sample time
  let t = 0;
  for (let i = 0; i < n; i++) {
    at[i] = origin + (t += profile.timeDeltas[i]) / 1000;
    const idle = byId.get(profile.samples[i])!.callFrame.functionName === '(idle)';
    busy[i + 1] = busy[i] + (idle ? 0 : (profile.timeDeltas[i + 1] ?? 0) / 1000);
  }
  const first = (x: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let shift = 0;
  let best = -1;
  for (let d = -300; d <= 300; d += 2) {
    const covered = tasks.reduce((sum, task) => sum + busy[first(task.start + task.duration - d)] - busy[first(task.start - d)], 0);
    if (covered > best) [best, shift] = [covered, d];
  }
  return tasks.map((task) => {
    const self = new Map<string, number>();
    for (let i = first(task.start - shift); i < n && at[i] <= task.start + task.duration - shift; i++) {
      const f = byId.get(profile.samples[i])!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000);
    }
    const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([fn, ms]) => ({ fn, ms: Math.round(ms) }));
    return { start: task.start, duration: task.duration, top };
  });
}
