/**
 * `npm run bench`: the built app in headless Chromium on generated order lines, the same engine steps on native
 * DuckDB in Node, groceries basket mining and CLV fits. Writes bench/results.json (raw numbers, merged with earlier
 * runs by measurement) and bench/RESULTS.md (the machine, each measurement and the issues' aims, met or not).
 *
 *   npm run bench                                  everything (1m and 5m as CSV and Parquet, 10m Parquet, …)
 *   npm run bench -- --sizes 1m --formats csv      a subset; --parts ui,engine,native,groceries,clv,link
 *   npm run bench -- --no-build --profile          reuse bench/out/dist; list slow SQL of ingest (native and WASM in Node)
 *   --port N                                       serve the app on N (default: a free port)
 *   --trace                                        also profile the main thread during each ui run (unminified build)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchInput, ENGINE_STEPS, freePort, marks, open, pageHeap, preview, settle, startProfile, stopProfile, type LongFrame, type LongTask, type Marks, type Session } from './browser.ts';
import { clvBench, type ClvBench } from './clv.ts';
import { orderFiles, SIZES } from './data.ts';
import { machine } from './machine.ts';
import { modelCalls, nodeEngineRun, type EngineRun } from './node.ts';
import { renderResults } from './report.ts';
import { linkBench } from './link.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = fileURLToPath(new URL('./out/', import.meta.url));
const DIST = OUT + 'dist';
const RESULTS_JSON = fileURLToPath(new URL('./results.json', import.meta.url));
const RESULTS_MD = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const PARTS = ['ui', 'engine', 'native', 'groceries', 'clv', 'link'] as const;
type Part = (typeof PARTS)[number];
/** Generous: a large file on a loaded machine may take minutes; a run that passes it is reported as a timeout. */
const STEP_TIMEOUT_MS = 30 * 60_000;

/** The settings every model call gets: the notebook's defaults (each model fills in its own). */
const SETTINGS = { asOf: null };

export interface UiRun {
  status: 'ok' | 'error' | 'crash' | 'timeout';
  error?: string;
  /** Navigation start → the engine's ready() answer reaching the main thread; the worker's own start-up time. */
  readyMs: number;
  workerReadyMs: number;
  loadEventMs: number;
  duckdb: string;
  /** File chosen → element first painted (ms). */
  dropTo: Record<string, number>;
  /** File chosen → each cell idle with its result (ms). */
  cells: Record<string, number>;
  /** RFM "monetary" setting changed → the RFM cell idle again, and every cell that recomputed → idle again (ms). */
  rfmSetting?: { rfmMs: number; recomputed: Record<string, number> };
  /** Each setting of SETTING_CHANGES changed in turn, once every cell had its result. */
  settings?: SettingRun[];
  /** Each filter of FILTER_CHANGES set in turn, after the settings. */
  filters?: FilterRun[];
  longest: { beforeDrop: number; loadAndCompute: number; settings?: number; all: number };
  /** Longest tasks, start in ms since the file was chosen (negative: before), with the cells drawn inside them. */
  longTasks: (LongTask & { phase: string; cells: string[] })[];
  longFrames: LongFrame[];
  /** With --trace: self time per function inside each long task (start in ms after the file was chosen). */
  profile?: { start: number; duration: number; top: { fn: string; ms: number }[] }[];
  memory: Memory;
}

export interface Memory {
  /** Largest renderer process's peak resident set (VmHWM): page, engine worker and DuckDB's WebAssembly memory. */
  rendererPeak: number;
  /** The page's main-thread JS heap at the end (CDP Performance.getMetrics). */
  pageHeapUsed: number;
}

interface Results {
  machine?: Awaited<ReturnType<typeof machine>>;
  measured: Record<string, { at: string; load: number[] } & Record<string, unknown>>;
}

const log = (msg: string) => process.stdout.write(msg + '\n');
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: Object.keys(SIZES).filter((s) => s !== '100k').join(',') },
      formats: { type: 'string', default: 'csv,parquet' },
      parts: { type: 'string', default: PARTS.join(',') },
      port: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      trace: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const sizes = values.sizes.split(',').filter(Boolean);
  const formats = values.formats.split(',').filter(Boolean) as ('csv' | 'parquet')[];
  const parts = new Set(values.parts.split(',').filter(Boolean) as Part[]);
  for (const p of parts) if (!PARTS.includes(p)) throw new Error(`unknown part ${p} (parts: ${PARTS.join(', ')})`);
  mkdirSync(OUT, { recursive: true });

  const results: Results = existsSync(RESULTS_JSON) ? JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) : { measured: {} };
  const record = (key: string, value: object) => {
    results.measured[key] = { at: new Date().toISOString(), load: loadavg().map(round), ...value };
    writeFileSync(RESULTS_JSON, JSON.stringify(results, null, 1) + '\n');
  };
  /** Run one measurement; a failure is recorded as its result and the run goes on. */
  const measure = async <T extends object>(key: string, what: string, run: () => Promise<T>, line: (r: T) => string) => {
    log(what);
    const r = await safe(run);
    log('  ' + ('error' in r && Object.keys(r).length === 1 ? `failed: ${(r as { error: string }).error}` : line(r as T)));
    record(key, r);
    return r;
  };

  const needsBrowser = parts.has('ui') || parts.has('engine') || parts.has('groceries') || parts.has('clv') || parts.has('link');
  if (needsBrowser && !values['no-build']) {
    log(`building the app → ${DIST}`);
    const b = spawnSync('npx', ['vite', 'build', '--outDir', DIST, '--emptyOutDir'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  const server = needsBrowser ? await preview(DIST, values.port ? Number(values.port) : await freePort()) : null;
  const appUrl = server ? server.url + '/?bench' : '';
  let traceServer: Awaited<ReturnType<typeof preview>> | null = null;
  if (values.trace && parts.has('ui')) {
    log(`building an unminified copy for profiles → ${DIST}-trace`);
    const b = spawnSync('npx', ['vite', 'build', '--outDir', DIST + '-trace', '--emptyOutDir', '--minify', 'false'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) throw new Error('vite build failed');
    traceServer = await preview(DIST + '-trace', await freePort());
  }
  results.machine = await machine();
  if (needsBrowser && results.machine.cjkFont === null)
    log('warning: no CJK font on this machine (Debian: fonts-noto-cjk); the first layout of Chinese text will take seconds of font fallback');
  const calls = modelCalls(SETTINGS);
  log(`models timed: ${calls.map((c) => c.name).join(', ')}`);

  try {
    // Only these parts run on the generated order files (generating them takes minutes).
    const bySize = parts.has('ui') || parts.has('engine') || parts.has('native');
    for (const size of bySize ? sizes : []) {
      // 10M lines: only the Parquet load check in the browser (its CSV is over a gigabyte), and native DuckDB.
      const big = size === '10m';
      const fmts = big ? formats.filter((f) => f === 'parquet') : formats;
      if (!fmts.length) continue;
      const files = await orderFiles(OUT, size, fmts.includes('parquet'), log);
      record(`files/${size}`, { lines: files.lines, csvBytes: files.csv.bytes, parquetBytes: files.parquet?.bytes, generated: files.generated });
      for (const fmt of fmts) {
        const file = fmt === 'csv' ? files.csv.path : files.parquet!.path;
        if (parts.has('ui')) {
          await measure(`ui/${size}/${fmt}`, `ui ${size} ${fmt}: drop → cells on screen`, () => uiRun(appUrl, file), summaryLine);
          if (traceServer) {
            await measure(`trace/${size}/${fmt}`, `trace ${size} ${fmt}: the same with the main thread profiled`, async () => {
              const t = await uiRun(traceServer!.url + '/?bench', file, true);
              return { status: t.status, longTasks: t.longTasks, profile: t.profile };
            }, (t) => t.status);
          }
        }
        if (parts.has('engine') && !big)
          await measure(`engine/${size}/${fmt}`, `engine ${size} ${fmt}: load, apply and each model in the page`, () => pageEngineRun(appUrl, file, calls), engineLine);
        if (parts.has('native'))
          await measure(`native/${size}/${fmt}`, `native ${size} ${fmt}: the same steps on native DuckDB in Node`, () => nodeEngineRun('native', file, calls, { profile: values.profile }), engineLine);
        if (parts.has('native') && values.profile && !big)
          await measure(`wasm-node/${size}/${fmt}`, `wasm-node ${size} ${fmt}: ingest on the WASM engine in Node, slow SQL listed`,
            () => nodeEngineRun('wasm', file, calls.filter((c) => c.name === 'overview'), { profile: true }), engineLine);
      }
    }

    if (parts.has('groceries')) {
      const file = SHARED + 'groceries.csv';
      const settings = [
        { name: 'support 0.006, confidence 0.25, max size 10', basket: { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 } },
        { name: 'support 0.001, confidence 0.8, max size 10', basket: { minSupport: 0.001, minConfidence: 0.8, maxSize: 10 } },
      ];
      const groceryCalls = settings.map((s) => ({ name: s.name, method: 'basket', args: [{ ...SETTINGS, basket: s.basket }] }));
      await measure('groceries', 'groceries: basket mining at both reference settings, in the page and in Node', async () => ({
        page: await pageEngineRun(appUrl, file, groceryCalls, 'baskets'),
        native: await safe(() => nodeEngineRun('native', file, groceryCalls, { role: 'baskets' })),
      }), (r) => `page ${engineLine(r.page)}`);
    }

    if (parts.has('clv')) {
      await measure('clv', 'clv: CDNOW and synthetic customers, in Chromium and in Node', (): Promise<ClvBench> => clvBench(SHARED, log), () => 'done');
      if (calls.some((c) => c.name === 'clv')) {
        // The CLV cell's whole computation: SQL summary, fits (with the model comparison), scores, tables, charts' data.
        const cell = [{ name: 'clv', method: 'clv', args: [{ ...SETTINGS, clv: { calibrationEnd: '1997-09-30' } }] }];
        for (const name of ['CDNOW_sample.txt', 'CDNOW_master.txt'])
          await measure(`clv-cell/${name}`, `clv cell on ${name}`, async () => ({
            page: await pageEngineRun(appUrl, SHARED + name, cell),
            native: await safe(() => nodeEngineRun('native', SHARED + name, cell)),
          }), (r) => `page ${engineLine(r.page)}`);
      }
    }

    if (parts.has('link')) {
      await measure('link', "link: the sample data's default report as a share link, its length and the time to open it", () => linkBench(server!.url, log),
        (r) => `${r.length} characters; on screen in ${r.medianMs} ms (median of ${r.openMs.length} fresh opens)`);
    }
  } finally {
    server?.stop();
    traceServer?.stop();
  }
  results.machine = { ...results.machine!, loadAfter: loadavg().map(round) };
  writeFileSync(RESULTS_JSON, JSON.stringify(results, null, 1) + '\n');
  writeFileSync(RESULTS_MD, renderResults(results));
  log(`wrote ${RESULTS_JSON} and ${RESULTS_MD}`);
}

async function safe<T extends object>(f: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await f();
  } catch (e) {
    return { error: String(e instanceof Error ? e.message : e).slice(0, 500) };
  }
}

/** Drop the file on the app's file input and follow it until every cell has its result. */
async function uiRun(url: string, file: string, trace = false): Promise<UiRun> {
  const s = await open(url);
  try {
    const origin = trace ? await startProfile(s) : 0;
    const ready = (await s.page.evaluate('window.__bench.ready')) as { version: string; ms: number; at: number };
    const loadEventMs = (await s.page.evaluate(`performance.getEntriesByType('navigation')[0].loadEventEnd`)) as number;
    await s.page.getByTestId('file-input').setInputFiles(file);
    const status = await settle(s, 'window.__marks.firsts.rfm', STEP_TIMEOUT_MS);
    const loaded = await marks(s.page).catch(() => null);
    let m = loaded;
    const drop = m?.changes.find((c) => c.what === 'file')?.at ?? 0;
    let setting: UiRun['rfmSetting'];
    let settings: UiRun['settings'];
    let filters: UiRun['filters'];
    if (status === 'ok') {
      await s.page.evaluate('window.__marks.track = true');
      settings = [];
      for (const change of SETTING_CHANGES) settings.push(await settingRun(s, change));
      const rfm = settings.find((r) => r.cell === 'rfm-cell');
      if (rfm && rfm.status === 'ok') setting = { rfmMs: rfm.idleMs, recomputed: rfm.recomputed };
      filters = [];
      for (const change of FILTER_CHANGES) filters.push(await filterRun(s, change));
      m = await marks(s.page);
    }
    const since = (t: number | null | undefined) => (t ? round(t - drop) : NaN);
    // A cell's result is drawn in the task that turns its aria-busy off: name the cells drawn inside each long task.
    const drawnIn = (t: LongTask) => Object.entries(m?.cells ?? {}).filter(([, c]) => c.idleAt.some((x) => x >= t.start && x <= t.start + t.duration + 5)).map(([k]) => k);
    const firstSetting = m?.changes.find((c) => c.what && c.what !== 'file' && c.at > drop)?.at ?? Infinity;
    const tasks = (m?.longtasks ?? []).map((t) => ({ ...t, phase: t.start < drop ? 'before drop' : t.start < firstSetting ? 'after drop' : 'settings', cells: drawnIn(t) }));
    const afterDrop = tasks.filter((t) => t.phase === 'after drop');
    const profile = trace ? await stopProfile(s, origin, tasks.filter((t) => t.duration >= 100)) : undefined;
    const error = status === 'ok' ? undefined : await errorText(s);
    const memory = await memoryOf(s);
    return {
      status,
      ...(error ? { error } : {}),
      readyMs: round(ready.at),
      workerReadyMs: round(ready.ms),
      loadEventMs: round(loadEventMs),
      duckdb: ready.version,
      dropTo: Object.fromEntries(Object.entries(loaded?.painted ?? {}).map(([k, t]) => [k, since(t)])),
      cells: Object.fromEntries(Object.entries(loaded?.cells ?? {}).map(([k, c]) => [k, since(c.idleAt.at(-1))])),
      ...(setting ? { rfmSetting: setting } : {}),
      ...(settings ? { settings } : {}),
      ...(filters ? { filters } : {}),
      ...(profile ? { profile: profile.map((p) => ({ ...p, start: round(p.start - drop) })) } : {}),
      longest: {
        beforeDrop: Math.max(0, ...tasks.filter((t) => t.phase === 'before drop').map((t) => t.duration)),
        loadAndCompute: Math.max(0, ...afterDrop.map((t) => t.duration)),
        settings: Math.max(0, ...tasks.filter((t) => t.phase === 'settings').map((t) => t.duration)),
        all: Math.max(0, ...tasks.map((t) => t.duration)),
      },
      longTasks: tasks.sort((a, b) => b.duration - a.duration).slice(0, 10).map((t) => ({ ...t, start: round(t.start - drop) })),
      longFrames: (m?.loafs ?? []).filter((f) => f.duration >= 100).sort((a, b) => b.duration - a.duration).slice(0, 5).map((f) => ({ ...f, start: round(f.start - drop) })),
      memory: { ...memory, rendererPeak: (await s.close()).peakBytes },
    };
  } catch (e) {
    await s.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Settings that need no refit (issue #13 aim 5), changed one after another once every cell has its result: the cell's
 * control (data-testid) set to `value` and its change event fired, as a user's choice does.
 */
const SETTING_CHANGES: { name: string; cell: string; control: string; value: string }[] = [
  { name: 'RFM monetary: sum → mean', cell: 'rfm-cell', control: 'rfm-monetary', value: 'mean' },
  { name: 'ABC cut-off A: 80 % → 70 %', cell: 'abc-cell', control: 'abc-cut-a', value: '70' },
  { name: 'cohorts unit: month → quarter', cell: 'cohorts-cell', control: 'cohorts-unit', value: 'quarter' },
  { name: 'lifecycle active window: 90 → 120 days', cell: 'lifecycle-cell', control: 'lifecycle-window-activeDays', value: '120' },
];

export interface SettingRun {
  name: string;
  cell: string;
  status: 'ok' | 'error' | 'crash' | 'timeout';
  /** Change → the cell's aria-busy false again (its new result in the page). */
  idleMs: number;
  /** Change → the last change inside the cell's DOM (its charts and lists drawn too), once the page was quiet. */
  drawnMs: number;
  /** Every cell that went busy after the change → idle again. */
  recomputed: Record<string, number>;
  /** Longest main-thread task between the change and the end of the redraw. */
  longestTask: number;
}

async function settingRun(s: Session, change: (typeof SETTING_CHANGES)[number]): Promise<SettingRun> {
  const sel = JSON.stringify(`[data-testid="${change.control}"]`);
  const cell = JSON.stringify(change.cell);
  // Scrolled to first, as a user does, and left until what came into view is drawn (cells off screen are not laid
  // out and their charts wait until they come near): the redraw timed is the setting's alone.
  const found = await s.page.evaluate(`(() => { const el = document.querySelector(${sel}); if (el) el.scrollIntoView({ block: 'center' }); return Boolean(el); })()`);
  if (found) await quiet(s, cell);
  const at = (await s.page.evaluate(`(() => {
    const el = document.querySelector(${sel});
    if (!el) return null;
    el.value = ${JSON.stringify(change.value)};
    el.dispatchEvent(new Event('change', { bubbles: true }));
    return window.__marks.changes.at(-1).at;
  })()`)) as number | null;
  if (at === null) return { name: change.name, cell: change.cell, status: 'error', idleMs: NaN, drawnMs: NaN, recomputed: {}, longestTask: NaN };
  const status = await settle(s, `(() => { const c = window.__marks.cells[${cell}]; return c && c.idleAt.some((t) => t > ${at}); })()`, 120_000, 500);
  // Charts are drawn in tasks after the result arrives.
  if (status === 'ok') await quiet(s, cell);
  const m = await marks(s.page);
  const after = (c: Marks['cells'][string]) => c.idleAt.find((t) => t > at);
  const idle = m.cells[change.cell] ? after(m.cells[change.cell]) : undefined;
  const drawn = Math.max(idle ?? at, m.mutated[change.cell] ?? at);
  return {
    name: change.name,
    cell: change.cell,
    status,
    idleMs: round((idle ?? NaN) - at),
    drawnMs: round(drawn - at),
    recomputed: Object.fromEntries(Object.entries(m.cells).filter(([, c]) => c.busyAt.some((t) => t > at)).map(([k, c]) => [k, round((after(c) ?? NaN) - at)])),
    longestTask: Math.max(0, ...m.longtasks.filter((t) => t.start >= at - 1 && t.start <= drawn).map((t) => t.duration)),
  };
}

/** The cells whose models are SQL only (issue #12: a filter change redraws those on screen within 300 ms at 1M lines). */
const SQL_ONLY = ['overview-cell', 'rfm-cell', 'abc-cell', 'cohorts-cell', 'lifecycle-cell'];

/**
 * Filters set once the settings are done, as the consultant sets them: the first segment of the RFM cell's table
 * clicked (the RFM cell scrolled into view first), that filter cleared in the filter bar, then the most common order
 * channel chosen in the filter bar's editor and applied (the page scrolled to the top, where the bar is). `prepare` runs
 * before the change (not timed), `change` makes it and returns the time it was made, or null when a control is missing.
 */
const FILTER_CHANGES: { name: string; scroll: 'rfm' | 'top' | null; prepare?: string; change: string }[] = [
  {
    name: 'RFM segment clicked',
    scroll: 'rfm',
    change: `(() => { const b = document.querySelector('[data-testid="rfm-cell"] [data-testid="segment-filter"]'); if (!b) return null; b.click(); return performance.now(); })()`,
  },
  {
    name: 'filter cleared',
    scroll: null,
    change: `(() => { const b = document.querySelector('[data-testid="filter-clear"]'); if (!b) return null; b.click(); return performance.now(); })()`,
  },
  {
    name: 'order channel (most common) applied',
    scroll: 'top',
    prepare: `(async () => {
      document.querySelector('[data-testid="filter-open"]')?.click();
      await new Promise((r) => setTimeout(r, 300));
      document.querySelector('[data-testid="filter-order_channel"] input[type="checkbox"]')?.click();
      await new Promise((r) => setTimeout(r, 100));
    })()`,
    change: `(() => { const b = document.querySelector('[data-testid="filter-apply"]'); if (!b) return null; b.click(); return performance.now(); })()`,
  },
];

export interface FilterRun {
  name: string;
  status: 'ok' | 'error' | 'crash' | 'timeout';
  /** The cells on screen when the filter was set. */
  onScreen: string[];
  /** Change → every SQL-only cell on screen idle with its new result (ms). */
  onScreenMs: number;
  /** Change → every SQL-only cell idle with its new result (ms). */
  sqlOnlyMs: number;
  /** Every cell that went busy after the change → idle again (ms). */
  recomputed: Record<string, number>;
  /** Longest main-thread task between the change and the last cell idle. */
  longestTask: number;
}

async function filterRun(s: Session, change: (typeof FILTER_CHANGES)[number]): Promise<FilterRun> {
  const failed = (status: FilterRun['status']): FilterRun => ({ name: change.name, status, onScreen: [], onScreenMs: NaN, sqlOnlyMs: NaN, recomputed: {}, longestTask: NaN });
  if (change.scroll === 'rfm') {
    await s.page.evaluate(`document.querySelector('[data-testid="rfm-segments"]')?.scrollIntoView({ block: 'center' })`);
    await quiet(s, JSON.stringify('rfm-cell'));
  } else if (change.scroll === 'top') {
    await s.page.evaluate('window.scrollTo(0, 0)');
    await quiet(s, JSON.stringify('overview-cell'));
  }
  if (change.prepare) await s.page.evaluate(change.prepare);
  const at = (await s.page.evaluate(change.change)) as number | null;
  if (at === null) return failed('error');
  const onScreen = (await s.page.evaluate(`[...document.querySelectorAll('[data-testid$="-cell"]')]
    .filter((c) => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.height > 0; })
    .map((c) => c.dataset.testid)`)) as string[];
  const status = await settle(s, `${JSON.stringify(SQL_ONLY)}.every((k) => { const c = window.__marks.cells[k]; return !c || !c.busyAt.some((t) => t > ${at}) || c.idleAt.some((t) => t > ${at}); })`, 300_000, 1000);
  const m = await marks(s.page);
  const idle = (k: string) => {
    const c = m.cells[k];
    if (!c || !c.busyAt.some((t) => t > at)) return 0;
    return (c.idleAt.find((t) => t > at) ?? NaN) - at;
  };
  const recomputed = Object.fromEntries(Object.entries(m.cells).filter(([, c]) => c.busyAt.some((t) => t > at)).map(([k]) => [k, round(idle(k))]));
  const last = at + Math.max(0, ...Object.values(recomputed).filter(Number.isFinite));
  return {
    name: change.name,
    status,
    onScreen,
    onScreenMs: round(Math.max(0, ...SQL_ONLY.filter((k) => onScreen.includes(k)).map(idle))),
    sqlOnlyMs: round(Math.max(0, ...SQL_ONLY.map(idle))),
    recomputed,
    longestTask: Math.max(0, ...m.longtasks.filter((t) => t.start >= at - 1 && t.start <= last).map((t) => t.duration)),
  };
}

/** Wait (up to 10 s) until nothing inside the cell changed for a second (the first look after 300 ms: a frame for what was asked to start). */
async function quiet(s: Session, cell: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 50; i++) {
    const still = (await s.page.evaluate(`performance.now() - (window.__marks.mutated[${cell}] ?? 0)`)) as number;
    if (still > 1000) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function errorText(s: Session): Promise<string> {
  if (s.crashed()) return 'the page crashed (renderer gone; out of memory is the usual cause)';
  try {
    const texts = await s.page.locator('[data-testid="error"], .error').allInnerTexts();
    return [...texts, ...s.errors].join(' | ').slice(0, 500) || 'no message on the page';
  } catch {
    return s.errors.join(' | ') || 'page unreachable';
  }
}

async function memoryOf(s: Session): Promise<Omit<Memory, 'rendererPeak'>> {
  if (s.crashed()) return { pageHeapUsed: NaN };
  const heap = await pageHeap(s.cdp).catch(() => ({ used: NaN }));
  return { pageHeapUsed: heap.used };
}

/** The engine steps timed inside the page (no notebook UI involved), with the page's longest task and memory. */
async function pageEngineRun(url: string, file: string, calls: { name: string; method: string; args: unknown[] }[], role?: string) {
  const s = await open(url);
  try {
    await s.page.evaluate('window.__bench.ready');
    await benchInput(s.page, file);
    let run: EngineRun | { error: string };
    try {
      run = (await s.page.evaluate(`(${ENGINE_STEPS})(${JSON.stringify({ calls, settings: SETTINGS, role })})`)) as EngineRun;
    } catch (e) {
      run = { error: s.crashed() ? 'the page crashed (renderer gone; out of memory is the usual cause)' : String(e instanceof Error ? e.message : e).slice(0, 500) };
    }
    const m = await marks(s.page).catch(() => null);
    const memory = await memoryOf(s);
    return { ...run, longestTask: Math.max(0, ...(m?.longtasks ?? []).map((t) => t.duration)), memory: { ...memory, rendererPeak: (await s.close()).peakBytes } };
  } catch (e) {
    await s.close().catch(() => undefined);
    throw e;
  }
}

function summaryLine(r: UiRun): string {
  const d = r.dropTo;
  return `${r.status}: ready ${r.readyMs} ms; drop → report ${d.report} ms, overview ${d.overview} ms, RFM ${d.rfm} ms; longest task ${r.longest.all} ms; peak ${(r.memory.rendererPeak / 1e6).toFixed(0)} MB${r.error ? '; ' + r.error : ''}`;
}

function engineLine(r: EngineRun | { error: string }): string {
  if ('error' in r && !('steps' in r)) return `error: ${r.error}`;
  const e = r as EngineRun;
  const models = Object.entries(e.models ?? {}).map(([k, v]) => `${k} ${v.error ? 'error' : Math.round(v.first ?? NaN)}`);
  return `load ${Math.round(e.steps?.load)} ms, apply ${Math.round(e.steps?.apply)} ms; ${models.join(', ')}`;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : e}\n`);
  process.exit(1);
});
