/** bench/RESULTS.md from bench/results.json: the machine, every measurement, and the issues' aims met or not. */
import { existsSync, readFileSync } from 'node:fs';
import type { ClvBench } from './clv.ts';
import type { machine } from './machine.ts';
import type { EngineRun } from './node.ts';
import type { LinkBench } from './link.ts';
import type { Memory, UiRun } from './run.ts';

type Stamp = { at: string; load: number[] };
type PageEngine = (EngineRun | { error: string }) & { longestTask?: number; memory?: Memory };
interface Results {
  machine?: Awaited<ReturnType<typeof machine>>;
  measured: Record<string, Stamp & Record<string, unknown>>;
}

const ms = (x: number | undefined | null) => (x === undefined || x === null || Number.isNaN(x) ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x).toLocaleString('en-US')} ms`);
const mb = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : `${Math.round(x / 1e6).toLocaleString('en-US')} MB`);
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(1)}×` : '–');
const verdict = (ok: boolean | null) => (ok === null ? 'not measured' : ok ? '**met**' : '**not met**');

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function renderResults(results: Results): string {
  const m = results.measured;
  const get = <T>(key: string) => m[key] as (T & Stamp) | undefined;
  const keys = Object.keys(m);
  const ui = keys.filter((k) => k.startsWith('ui/')).sort(bySize);
  const engine = keys.filter((k) => k.startsWith('engine/')).sort(bySize);
  const out: string[] = [];
  const mc = results.machine;

  out.push('# Benchmark results', '');
  out.push('Written by `npm run bench` (bench/run.ts) from bench/results.json; how each number is measured is at the end.', '');
  if (mc) {
    out.push('## Machine', '');
    out.push(table(['', ''], [
      ['date', mc.date.slice(0, 16).replace('T', ' ') + ' UTC'],
      ['CPU', `${mc.cpu}, ${mc.cores} cores`],
      ['memory', `${(mc.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
      ['kernel', mc.kernel],
      ['browser', `${mc.chromium}, headless, driven by Playwright ${mc.playwright}`],
      ['font for Chinese text', mc.cjkFont === undefined ? 'not recorded' : (mc.cjkFont ?? 'none: Chinese text goes through font fallback')],
      ['Node', mc.node],
      ['DuckDB in the browser', mc.duckdbWasm],
      ['DuckDB native', mc.duckdbNative],
      ['load average (1/5/15 min)', `${mc.loadBefore.join(' / ')} at the start, ${mc.loadAfter.join(' / ') || '–'} at the end`],
    ]));
    out.push('');
    const busy = Math.max(...mc.loadBefore, ...mc.loadAfter);
    if (busy > mc.cores)
      out.push(`The load average exceeded the ${mc.cores} cores during this run: something besides the benchmark (other work, or the machine's own overhead) took CPU time, so the times are inflated and noisy. Each measurement below carries the day it was taken and the load average then; rows from an earlier run keep their own numbers.`, '');
  }

  out.push('## Aims', '');
  out.push(table(['aim (issue)', 'measured', ''], aims(results)));
  out.push('');

  if (ui.length) {
    out.push('## Drop → results on screen (the app in Chromium)', '');
    out.push(table(
      ['lines / format', 'file', 'DuckDB ready', 'cleaning report', 'overview', 'RFM', 'all cells', 'RFM setting → redrawn', 'longest main-thread task after the drop (settings changed) (at page load)', 'renderer peak', 'status', 'measured (load average)'],
      ui.map((k) => {
        const r = get<UiRun>(k)!;
        const [, size, fmt] = k.split('/');
        const f = get<{ csvBytes: number; parquetBytes?: number }>(`files/${size}`);
        const last = Math.max(...Object.values(r.cells ?? {}).filter((x) => Number.isFinite(x)));
        return [
          `${size} ${fmt}`, mb(fmt === 'csv' ? f?.csvBytes : f?.parquetBytes), ms(r.readyMs), ms(r.dropTo?.report), ms(r.dropTo?.overview), ms(r.dropTo?.rfm),
          ms(Number.isFinite(last) ? last : NaN), ms(r.rfmSetting?.rfmMs), `${ms(r.longest?.loadAndCompute)}${r.longest?.settings === undefined ? '' : ` (${ms(r.longest.settings)})`} (${ms(r.longest?.beforeDrop)})`, mb(r.memory?.rendererPeak),
          r.status === 'ok' ? 'ok' : `${r.status}: ${(r.error ?? '').slice(0, 140)}`, `${r.at.slice(0, 10)} (${r.load.join(' / ')})`,
        ];
      }),
    ));
    out.push('');
    const cellNames = [...new Set(ui.flatMap((k) => Object.keys(get<UiRun>(k)!.cells ?? {})))];
    if (cellNames.length) {
      out.push('Drop → each cell idle with its result:', '');
      out.push(table(['lines / format', ...cellNames.map((c) => c.replace(/-cell$/, ''))], ui.map((k) => [k.slice(3).replace('/', ' '), ...cellNames.map((c) => ms(get<UiRun>(k)!.cells?.[c]))])));
      out.push('');
    }
    const changed = ui.filter((k) => get<UiRun>(k)!.rfmSetting);
    if (changed.length) {
      out.push('RFM monetary setting changed → each cell that recomputed idle again:', '');
      for (const k of changed) {
        const r = get<UiRun>(k)!.rfmSetting!;
        out.push(`- ${k.slice(3).replace('/', ' ')}: ${Object.entries(r.recomputed).map(([c, v]) => `${c.replace(/-cell$/, '')} ${ms(v)}`).join(', ')}`);
      }
      out.push('');
    }
    /** One row per run, one column per change (a setting, a filter) by name: `cell` writes a change that went through. */
    const changes = <T extends { name: string; status: string }>(title: string, of: (r: UiRun) => T[] | undefined, cell: (x: T) => string) => {
      const keys = ui.filter((k) => of(get<UiRun>(k)!)?.length);
      if (!keys.length) return;
      const names = [...new Set(keys.flatMap((k) => of(get<UiRun>(k)!)!.map((x) => x.name)))];
      out.push(title, '');
      out.push(table(['lines / format', ...names], keys.map((k) => [k.slice(3).replace('/', ' '), ...names.map((n) => {
        const x = of(get<UiRun>(k)!)!.find((y) => y.name === n);
        return !x ? '–' : x.status !== 'ok' ? x.status : cell(x);
      })])));
      out.push('');
    };
    const cellsAt = (list: [string, number][]) => list.map(([c, v]) => `${c.replace(/-cell$/, '')} ${ms(v)}`).join(', ');
    const task = (t: number) => (t ? `task ${ms(t)}` : 'no task over 50 ms');
    changes(
      'Settings that need no refit, changed one after another once every cell had its result: change → the cell idle with its new result / → the last change inside the cell (charts and list drawn); the longest main-thread task in between; other cells that recomputed:',
      (r) => r.settings,
      (x) => {
        const others = Object.entries(x.recomputed).filter(([c]) => c !== x.cell);
        return `${ms(x.idleMs)} / ${ms(x.drawnMs)}; ${task(x.longestTask)}${others.length ? `; also ${cellsAt(others)}` : ''}`;
      },
    );
    changes(
      "Filters set one after another after the settings (issue #12: the SQL-only cells on screen redrawn within 300 ms at 1M lines): change → every SQL-only cell on screen idle with its new result / → every SQL-only cell idle; the cells on screen; the longest main-thread task until the last cell was idle; the fitted cells' refits:",
      (r) => r.filters,
      (x) => {
        const fitted = Object.entries(x.recomputed).filter(([c]) => !['overview-cell', 'rfm-cell', 'abc-cell', 'cohorts-cell', 'lifecycle-cell'].includes(c));
        const shown = x.onScreen.map((c) => c.replace(/-cell$/, '')).join(', ') || 'none';
        return `${ms(x.onScreenMs)} / ${ms(x.sqlOnlyMs)}; on screen: ${shown}; ${task(x.longestTask)}${fitted.length ? `; refits ${cellsAt(fitted)}` : ''}`;
      },
    );
    out.push('Longest main-thread tasks (PerformanceObserver `longtask`; start in ms after the file was chosen, negative before; the cells whose result was drawn in the task) and the long animation frames\' scripts:', '');
    for (const k of ui) {
      const r = get<UiRun>(k)!;
      const tasks = (r.longTasks ?? []).slice(0, 6).map((t) => `${ms(t.duration)} at ${ms(t.start)}${t.cells?.length ? ` (${t.cells.map((c) => c.replace(/-cell$/, '')).join(', ')})` : ''}`).join('; ');
      out.push(`- ${k.slice(3).replace('/', ' ')}: ${tasks || 'none over 50 ms'}`);
      for (const f of (r.longFrames ?? []).slice(0, 3)) {
        const scripts = f.scripts.filter((s) => s.duration >= 20).map((s) => `${s.invoker || s.fn || '?'} ${s.src ? `(${s.src}:${s.at})` : ''} ${s.duration} ms`).join(', ');
        out.push(`  - frame of ${ms(f.duration)} at ${ms(f.start)}${scripts ? `: ${scripts}` : ''}`);
      }
    }
    out.push('');
  }

  const link = get<LinkBench>('link');
  if (link && 'length' in link) {
    out.push("## Share link of the sample data's default report (issue 11)", '');
    out.push(table(['', ''], [
      ['cells', link.cells.join(', ')],
      ['report JSON', `${link.jsonBytes.toLocaleString('en-US')} bytes`],
      ['link (on the preview address)', `${link.length.toLocaleString('en-US')} characters; after \`#\`: ${link.fragmentLength.toLocaleString('en-US')}`],
      ['sealed with a password', `${link.sealedLength.toLocaleString('en-US')} characters`],
      ['opened in a fresh browser → report on screen', `median ${ms(link.medianMs)}; runs ${link.openMs.map((x) => ms(x)).join(', ')}`],
      ['where the time goes (medians, ms after navigation start)', link.marks ? `scripts loaded and run ${ms(link.marks.script)}; fragment opened ${ms(link.marks.opened)}; report drawn ${ms(link.marks.drawn)}` : '–'],
      ['fetched by the link view', `${Math.round(link.transferBytes / 1024).toLocaleString('en-US')} KiB (no engine, no DuckDB)`],
      ['measured (load average)', `${link.at.slice(0, 10)} (${link.load.join(' / ')})`],
    ]));
    out.push('');
  }

  const traces = keys.filter((k) => k.startsWith('trace/')).sort(bySize);
  if (traces.length) {
    out.push('### Where the long tasks go (--trace: CPU profile of the main thread, unminified build)', '');
    for (const k of traces) {
      const t = m[k] as unknown as Pick<UiRun, 'status' | 'longTasks' | 'profile'>;
      out.push(`${k.slice(6).replace('/', ' ')}:`, '');
      for (const p of t.profile ?? []) {
        const cells = t.longTasks.find((x) => Math.abs(x.start - p.start) < 1)?.cells ?? [];
        out.push(`- ${ms(p.duration)} at ${ms(p.start)}${cells.length ? ` (${cells.map((c) => c.replace(/-cell$/, '')).join(', ')})` : ''}: ${p.top.map((f) => `\`${f.fn}\` ${f.ms} ms`).join(', ')}`);
      }
      out.push('');
    }
  }

  if (engine.length) {
    out.push('## Engine steps: in the page vs native DuckDB in Node', '');
    out.push('First call of each step after the file is loaded; the second, identical call in round brackets (caches and warm code); a model\'s own split of its time in square brackets.', '');
    for (const k of engine) {
      const [, size, fmt] = k.split('/');
      const page = get<PageEngine>(k)!;
      const native = get<EngineRun | { error: string }>(`native/${size}/${fmt}`);
      out.push(`### ${size} lines, ${fmt}`, '');
      const failed = 'error' in page && !('steps' in page) ? (page.error ?? '').split('\n')[0] : '';
      const p = failed ? undefined : (page as EngineRun & { longestTask?: number; memory?: Memory });
      const n = native && 'steps' in native ? native : undefined;
      const split = (x?: { parts?: Record<string, number> }) => (x?.parts ? ` [${Object.entries(x.parts).map(([k, t]) => `${k} ${ms(t)}`).join(', ')}]` : '');
      const cell = (v?: { first?: number; second?: number; error?: string; parts?: Record<string, number> }) =>
        !v ? '–' : v.error ? `error: ${v.error.split('\n')[0]}` : `${ms(v.first)} (${ms(v.second)})${split(v)}`;
      const rows: string[][] = [];
      for (const s of ['load', 'apply'] as const) rows.push([s === 'load' ? 'load (read, parse, profile)' : 'apply (clean, orders, purchases)', failed ? 'failed' : ms(p!.steps[s]), ms(n?.steps[s]), ratio(p?.steps[s], n?.steps[s])]);
      for (const name of [...new Set([...Object.keys(p?.models ?? {}), ...Object.keys(n?.models ?? {})])])
        rows.push([name, cell(p?.models[name]), cell(n?.models[name]), ratio(p?.models[name]?.first, n?.models[name]?.first)]);
      out.push(table(['step', 'page (DuckDB-WASM in the worker)', 'native DuckDB', 'ratio'], rows));
      out.push('');
      const nativeError = native && 'error' in native && native.error ? ` Native: ${native.error.split('\n')[0]}.` : '';
      out.push(failed
        ? `In the page: ${failed}; renderer peak ${mb((page as { memory?: Memory }).memory?.rendererPeak)}; load average ${page.load.join(' / ')}.${nativeError}`
        : `Rows ${p!.rows?.toLocaleString('en-US')}, purchases ${p!.report?.purchases?.toLocaleString('en-US')}, customers ${p!.report?.customers?.toLocaleString('en-US')}; longest main-thread task ${ms(p!.longestTask)}; renderer peak ${mb(p!.memory?.rendererPeak)}; load average ${page.load.join(' / ')}.${nativeError}`, '');
    }
  }
  const native10 = get<EngineRun | { error: string }>('native/10m/parquet');
  if (native10) {
    out.push('### 10m lines, parquet, native DuckDB only', '');
    out.push('steps' in native10 ? `load ${ms(native10.steps.load)}, apply ${ms(native10.steps.apply)}; ${Object.entries(native10.models).map(([k, v]) => `${k} ${v.error ? 'error' : ms(v.first)}`).join(', ')}` : native10.error, '');
  }
  const slow = keys.filter((k) => /^(native|wasm-node)\//.test(k) && (m[k] as { slowSql?: unknown[] }).slowSql?.length);
  if (slow.length) {
    out.push('### Where ingest spends its time (--profile): the 8 slowest SQL statements of load and apply, in order', '');
    for (const k of slow) {
      out.push(`${k}:`, '');
      const all = (m[k] as unknown as EngineRun).slowSql!;
      const shown = all.filter((q) => q.failed || all.filter((x) => x.ms > q.ms).length < 8);
      const error = (m[k] as unknown as EngineRun).error;
      if (error) out.push(`Failed: ${error.split('\n')[0]}`, '');
      for (const q of shown) out.push(`- ${q.failed ? 'FAILED after ' : ''}${ms(q.ms)}${q.memory !== undefined ? `, DuckDB memory after: ${mb(q.memory)}` : ''}: \`${q.sql.replaceAll('`', "'")}\``);
      out.push('');
    }
  }

  const g = get<{ page: PageEngine; native: EngineRun | { error: string } }>('groceries');
  if (g) {
    out.push('## Groceries basket mining (groceries.csv, 9,835 baskets)', '');
    const p = 'models' in g.page ? g.page.models : {};
    const n = 'models' in g.native ? g.native.models : {};
    const parts = (x?: { parts?: Record<string, number> }) => (x?.parts ? ` [${Object.entries(x.parts).map(([k, v]) => `${k} ${ms(v)}`).join(', ')}]` : '');
    out.push(table(['settings', 'page, first (second) [the model\'s split]', 'native DuckDB + same miner in Node'], Object.keys(p).map((k) => [k, p[k].error ?? `${ms(p[k].first)} (${ms(p[k].second)})${parts(p[k])}`, n[k]?.error ?? `${ms(n[k]?.first)} (${ms(n[k]?.second)})${parts(n[k])}`])));
    out.push('', `Load and apply in the page: ${ms('steps' in g.page ? g.page.steps.load : NaN)} + ${ms('steps' in g.page ? g.page.steps.apply : NaN)}; renderer peak ${mb(g.page.memory?.rendererPeak)}; longest main-thread task ${ms(g.page.longestTask)}.`, '');
  }

  const cells = keys.filter((k) => k.startsWith('clv-cell/'));
  if (cells.length) {
    out.push('## CLV cell on CDNOW (calibration end 1997-09-30): load, apply and the whole `clv` call', '');
    out.push(table(['file', 'page: load + apply', 'page: clv, first (second)', 'native: clv, first (second)'], cells.map((k) => {
      const r = get<{ page: PageEngine; native: EngineRun | { error: string } }>(k)!;
      const p = 'models' in r.page ? r.page : undefined;
      const n = 'models' in r.native ? r.native : undefined;
      return [k.slice(9), p ? `${ms(p.steps.load)} + ${ms(p.steps.apply)}` : (r.page as { error: string }).error,
        p?.models.clv ? p.models.clv.error ?? `${ms(p.models.clv.first)} (${ms(p.models.clv.second)})` : '–',
        n?.models.clv ? n.models.clv.error ?? `${ms(n.models.clv.first)} (${ms(n.models.clv.second)})` : '–'];
    })));
    out.push('');
  }

  const c = get<ClvBench>('clv');
  if (c) {
    out.push('## CLV (BG/NBD + Gamma-Gamma, weeks, calibration end 1997-09-30 for CDNOW)', '');
    out.push(table(['data', 'customers', 'BG/NBD fit, first / median of 5 (Chromium)', 'fit + score (Chromium)', 'BG/NBD fit median (Node)', 'fit + score (Node)', 'summary SQL (WASM in Node)'],
      c.cdnow.map((r) => [r.file, r.customers.toLocaleString('en-US'), `${ms(r.chromium.fitFirstMs)} / ${ms(r.chromium.fitMedianMs)}`, ms(r.chromium.fitAndScoreMs), ms(r.node.fitMedianMs), ms(r.node.fitAndScoreMs), ms(r.summarySqlMs)])));
    out.push('');
    out.push(table(['synthetic customers', 'draw (Chromium)', 'fit + score (Chromium)', 'fit + score (Node)', 'converged'],
      c.synthetic.map((r) => [r.customers.toLocaleString('en-US'), ms(r.chromium.generateMs), ms(r.chromium.fitAndScoreMs), ms(r.node.fitAndScoreMs), String(r.chromium.converged && r.node.converged)])));
    out.push('');
  }

  const headless = keys.filter((k) => k.startsWith('headless-clv/')).sort();
  if (headless.length) {
    out.push("## Headless command, CLV at 1M generated lines (`npm run --silent analyze`; each row's code names the engine)", '');
    out.push(table(
      ['code', 'models', 'customers', 'whole process', 'peak memory', 'clv step (scores, comparison, customers)', 'fit per model: time, iterations', 'all converged', 'measured (load average)'],
      headless.map((k) => {
        const r = get<HeadlessClv>(k)!;
        const fits = Object.entries(r.fits ?? {}).map(([model, f]) => f.iterations === null ? `${MODEL_NAMES[model] ?? model} not finished in ${ms(f.ms)}` : `${MODEL_NAMES[model] ?? model} ${ms(f.ms)}, ${f.iterations} it${f.converged ? '' : ' (not converged)'}`);
        const cpu = (x?: number) => (x === undefined ? '' : ` (CPU ${ms(x)})`);
        return [r.code, r.models, r.customers?.toLocaleString('en-US') ?? '–', ms(r.processMs) + cpu(r.processCpuMs), mb(r.peakRssBytes), ms(r.clvMs) + cpu(r.clvCpuMs), fits.join('; ') || '–', String(Object.values(r.fits ?? {}).every((f) => f.converged)), `${r.at.slice(0, 10)} (${r.load.join(' / ')})`];
      }),
    ));
    out.push('');
    const notes = headless.flatMap((k) => get<HeadlessClv>(k)!.notes ?? []);
    if (notes.length) out.push(...notes.map((n) => `- ${n}`), '');
  }

  // Measurements made by hand (the headless command's whole-process runs, bench/headless.ts), kept in their own file
  // so that a new run of the benchmark does not drop them.
  const hand = new URL('./RESULTS-headless.md', import.meta.url);
  if (existsSync(hand)) out.push(readFileSync(hand, 'utf8').trimEnd(), '');
  out.push(METHOD);
  return out.join('\n') + '\n';
}

const MODEL_NAMES: Record<string, string> = { bgnbd: 'BG/NBD', mbgnbd: 'MBG/NBD', paretonbd: 'Pareto/NBD' };

/** One headless run at 1M lines: the whole process, its clv step, and each purchase model's fit on the same customers. */
interface HeadlessClv {
  code: string;
  models: string;
  customers?: number;
  processMs: number;
  /** User + system time of the whole process. */
  processCpuMs?: number;
  peakRssBytes?: number;
  clvCpuMs?: number;
  /** The clv step of the command: summary, fits, scores, result, customers list and the whole comparison. */
  clvMs?: number;
  /** Said under the table. */
  notes?: string[];
  /** Iterations null: the fit did not finish within `ms`. */
  fits?: Record<string, { ms: number; iterations: number | null; converged: boolean }>;
}

function bySize(a: string, b: string): number {
  const order = ['100k', '1m', '5m', '10m'];
  const [, sa, fa] = a.split('/');
  const [, sb, fb] = b.split('/');
  return order.indexOf(sa) - order.indexOf(sb) || fa.localeCompare(fb);
}

/** Each aim of issues #2–#5 with what was measured and whether it is met. */
function aims(results: Results): string[][] {
  const m = results.measured;
  const ui = (k: string) => m[`ui/${k}`] as unknown as UiRun | undefined;
  const eng = (k: string) => m[`engine/${k}`] as unknown as (EngineRun & { longestTask?: number }) | undefined;
  const rows: string[][] = [];
  const okUi = (r?: UiRun) => r && r.status === 'ok';

  const ui1 = ['1m/csv', '1m/parquet'].filter((k) => ui(k));
  rows.push([
    'drop → overview and RFM on screen ≤ 3 s at 1M lines (#2)',
    ui1.map((k) => `${k}: ${ms(Math.max(ui(k)!.dropTo?.overview ?? NaN, ui(k)!.dropTo?.rfm ?? NaN))}`).join('; ') || '–',
    verdict(ui1.length ? ui1.every((k) => okUi(ui(k)) && Math.max(ui(k)!.dropTo.overview, ui(k)!.dropTo.rfm) <= 3000) : null),
  ]);
  const allCells = (r?: UiRun) => {
    const v = Object.values(r?.cells ?? {});
    return v.length && v.every((x) => Number.isFinite(x)) ? Math.max(...v) : NaN;
  };
  rows.push([
    'in the page at 1M lines: drop → overview on screen ≤ 3 s, every cell idle ≤ 6 s; Parquet no slower than CSV (#13 aim 3)',
    ui1.map((k) => `${k}: overview ${ms(ui(k)!.dropTo?.overview)}, all cells ${ms(allCells(ui(k)))}`).join('; ') || '–',
    verdict(ui1.length === 2 ? ui1.every((k) => okUi(ui(k)) && ui(k)!.dropTo.overview <= 3000 && allCells(ui(k)) <= 6000) && allCells(ui('1m/parquet')) <= allCells(ui('1m/csv')) : null),
  ]);
  const withFilters = ui1.filter((k) => ui(k)!.filters?.length);
  rows.push([
    'filter change → every SQL-only cell on screen (overview, RFM, ABC, cohorts, lifecycle) redrawn ≤ 300 ms at 1M lines, in the page (#12)',
    withFilters.map((k) => `${k}: ${ui(k)!.filters!.map((f) => `${f.name} ${f.status === 'ok' ? ms(f.onScreenMs) : f.status}`).join(', ')}`).join('; ') || '–',
    verdict(withFilters.length ? withFilters.every((k) => ui(k)!.filters!.every((f) => f.status === 'ok' && f.onScreenMs <= 300)) : null),
  ]);
  const ui5 = ui('5m/csv');
  const e5 = m['engine/5m/csv'] as unknown as PageEngine | undefined;
  rows.push([
    'in the page at 5M lines (CSV): every cell idle ≤ 30 s, and the engine steps complete without running out of memory (#13 aim 3)',
    `${ui5 ? `all cells ${ms(allCells(ui5))}${okUi(ui5) ? '' : ` (${ui5.status})`}` : '–'}; engine steps ${e5 ? ('error' in e5 && !('steps' in e5) ? `failed: ${e5.error.slice(0, 120)}` : 'complete') : '–'}`,
    verdict(ui5 && e5 ? Boolean(okUi(ui5)) && allCells(ui5) <= 30_000 && 'steps' in e5 && Object.values(e5.models ?? {}).every((x) => !x.error) : null),
  ]);
  const uiAll = Object.keys(m).filter((k) => k.startsWith('ui/')).map((k) => [k.slice(3), m[k] as unknown as UiRun] as const);
  // From the drop on: the page's own start (its first script, before any file) is reported beside it, not under the aim.
  const worst = uiAll.map(([k, r]) => [k, Math.max(r.longest?.loadAndCompute ?? NaN, r.longest?.settings ?? 0)] as const);
  rows.push([
    'no main-thread task over 100 ms from the drop on, settings changed included (#2, #3, #4, #13 aim 5)',
    worst.map(([k, v]) => `${k}: ${ms(v)}`).join('; ') || '–',
    verdict(worst.length ? worst.every(([, v]) => v <= 100) : null),
  ]);
  const ten = ui('10m/parquet');
  rows.push([
    '10M lines in Parquet load without running out of memory (#2)',
    ten ? `${ten.status}${ten.error ? ` (${ten.error.slice(0, 140)}…)` : ''}; renderer peak ${mb(ten.memory?.rendererPeak)}` : '–',
    verdict(ten ? ten.status === 'ok' : null),
  ]);
  const c = m.clv as unknown as ClvBench | undefined;
  const cd = c?.cdnow.find((r) => r.file === 'CDNOW_sample.txt');
  rows.push([
    'CLV: CDNOW fit under 100 ms (#3)',
    cd ? `BG/NBD fit in Chromium ${ms(cd.chromium.fitFirstMs)} cold, ${ms(cd.chromium.fitMedianMs)} warm; with Gamma-Gamma and scoring ${ms(cd.chromium.fitAndScoreMs)}` : '–',
    verdict(cd ? cd.chromium.fitFirstMs < 100 : null),
  ]);
  const s1 = c?.synthetic.find((r) => r.customers === 1_000_000);
  rows.push([
    'CLV: 1M customers fitted and scored under 5 s in the browser (#3)',
    s1 ? `${ms(s1.chromium.fitAndScoreMs)} in Chromium (${ms(s1.node.fitAndScoreMs)} in Node)` : '–',
    verdict(s1 ? s1.chromium.fitAndScoreMs < 5000 : null),
  ]);
  const hc = Object.keys(m)
    .filter((k) => k.startsWith('headless-clv/'))
    .map((k) => m[k] as unknown as HeadlessClv & Stamp)
    .filter((r) => r.code.startsWith('after') && r.clvMs !== undefined);
  rows.push([
    'CLV: every compared model converges at 1M lines, and the clv step of the headless command ≤ 1.5 s (#13)',
    hc.map((r) => `${r.models}: clv ${ms(r.clvMs)}${r.clvCpuMs === undefined ? '' : ` (CPU ${ms(r.clvCpuMs)})`}, ${Object.values(r.fits ?? {}).every((f) => f.converged) ? 'all converged' : 'not all converged'} (load ${r.load[0]})`).join('; ') || '–',
    verdict(hc.length ? hc.every((r) => r.clvMs! <= 1500 && Object.values(r.fits ?? {}).every((f) => f.converged)) : null),
  ]);
  const ln = m.link as unknown as (LinkBench & Stamp) | undefined;
  const lnOk = ln && 'length' in ln;
  rows.push([
    "share link of the sample data's default report ≤ 2,000 characters (#11)",
    lnOk ? `${ln.length.toLocaleString('en-US')} characters (${ln.cells.length} cells: ${ln.cells.join(', ')})` : '–',
    verdict(lnOk ? ln.length <= 2000 : null),
  ]);
  rows.push([
    'share link opened → report on screen ≤ 1 s (#11)',
    lnOk ? `median ${ms(ln.medianMs)} of ${ln.openMs.length} fresh opens (load ${ln.load[0]})` : '–',
    verdict(lnOk ? ln.medianMs <= 1000 : null),
  ]);
  const g = m.groceries as unknown as { page: EngineRun } | undefined;
  const gm = g && 'models' in g.page ? Object.values(g.page.models) : [];
  rows.push([
    'basket: groceries under 300 ms (#4)',
    gm.map((v) => v.error ?? ms(v.first)).join('; ') || '–',
    verdict(gm.length ? gm.every((v) => (v.first ?? Infinity) < 300) : null),
  ]);
  const b1 = ['1m/csv', '1m/parquet'].map((k) => eng(k)?.models?.basket).filter(Boolean);
  rows.push([
    'basket: 1M order lines at the defaults under 3 s (#4)',
    b1.map((v) => v!.error ?? ms(v!.first)).join('; ') || '–',
    verdict(b1.length ? b1.every((v) => (v!.first ?? Infinity) < 3000) : null),
  ]);
  const e1 = ['1m/csv', '1m/parquet'].map((k) => [k, eng(k)] as const).filter(([, v]) => v?.models);
  const slowCells = e1.flatMap(([k, v]) => Object.entries(v!.models).filter(([, x]) => !((x.first ?? Infinity) < 1000)).map(([n, x]) => `${n} ${x.error ? 'error' : ms(x.first)} (${k})`));
  rows.push([
    'each cell\'s query under 1 s at 1M lines (#5)',
    e1.length ? (slowCells.length ? `over: ${slowCells.join(', ')}` : 'all under 1 s') : '–',
    verdict(e1.length ? slowCells.length === 0 : null),
  ]);
  const set1 = ['1m/csv', '1m/parquet'].filter((k) => ui(k)?.settings?.length);
  const setAll = set1.flatMap((k) => ui(k)!.settings!.map((x) => [k, x] as const));
  rows.push([
    'a setting that needs no refit (RFM, ABC, cohorts, lifecycle) redraws its cell in ≤ 150 ms at 1M lines (#5, #13 aim 5; to the last change in the cell)',
    setAll.map(([k, x]) => `${x.cell.replace(/-cell$/, '')} ${x.status === 'ok' ? ms(x.drawnMs) : x.status} (${k})`).join('; ') || '–',
    verdict(setAll.length ? setAll.every(([, x]) => x.status === 'ok' && x.drawnMs <= 150) : null),
  ]);
  return rows;
}

const METHOD = `## How each number is measured

- **Input**: \`writeScaledOrders\` in sample-data/generate.ts draws the demo store at scale (same catalogue, calendar,
  customer segments, baskets, refunds, exact duplicates and walk-in guests as the sample; no unreadable dates or
  amounts) and writes the order lines sorted by time as CSV; native DuckDB copies that CSV to Parquet with typed
  columns (TIMESTAMP, DECIMAL(12,2), INTEGER; Snappy). Files live in bench/out/ and are reused while the generator is
  unchanged.
- **The app**: \`vite build\` into bench/out/dist, served by \`vite preview\`, opened at \`/?bench\` in headless Chromium
  (Playwright, the flags of playwright.config.ts), a fresh browser for every run so that peak memory is the run's own.
  \`?bench\` makes src/db/client.ts put the engine's comlink proxy on \`window.__bench\`; without it nothing is exposed.
- **DuckDB ready**: navigation start → the worker's \`ready()\` answer arriving on the main thread.
- **Drop → on screen**: the file is set on the app's file input (what a drop does); times run from the input's
  \`change\` event to the frame after the element first exists (a MutationObserver installed before the app's scripts
  notes the moment, \`requestAnimationFrame\` the frame): cleaning report = \`cleaning-report\`, overview =
  \`kpi-customers\`, RFM = the first row of \`rfm-segments\`. "All cells" is when the last cell's \`aria-busy\` turned false.
- **Settings changed**: once every cell has its result, four settings that need no refit are changed one after
  another (the control's value set and its \`change\` event fired, as a choice does): RFM monetary sum → mean, ABC
  cut-off A 80 % → 70 %, cohorts month → quarter, lifecycle active window 90 → 120 days. "Idle" is the change → the
  cell's \`aria-busy\` false again; "drawn" is the change → the last DOM change inside the cell (its charts and customer
  list; a MutationObserver notes each cell's last change), read once the cell has been still for a second. The long
  tasks from the first change on are counted apart ("settings changed").
- **Filters**: after the settings, three filter changes one after another, each once the page is still: the first
  segment of the RFM cell's table clicked (the RFM cell scrolled into view first), that filter cleared in the filter
  bar, and the most common order channel chosen in the filter bar's editor and applied (the page at the top). The cells
  on screen are those whose box meets the window at the change; "on screen" is the change → every SQL-only cell among
  them (overview, RFM, ABC, cohorts, lifecycle) idle with its new result, then the same for every SQL-only cell, and
  the fitted cells' refits. The page's engine makes the tables filters cut while idle after the load, so the first
  filter is timed like any other.
- **RFM setting → redrawn**: the RFM cell's monetary setting switched from sum to mean → its \`aria-busy\` false again;
  every other cell that went busy after the change is listed with its own time.
- **Longest main-thread task**: PerformanceObserver \`longtask\` entries (tasks over 50 ms) from the drop to the end of
  the run, which is what the aim "while loading and computing" covers; the longest one before the drop (the page's own
  start: its first script and layout, before any file is chosen) is given in brackets. Long animation frames
  (\`long-animation-frame\`) name the scripts behind them.
- **Engine steps**: a separate page loads the same file through the engine directly (\`load\`, then \`apply\` with the
  guessed mapping) and calls each model method the cells call, with the notebook's default settings, twice; no
  notebook UI runs, so nothing else competes for the worker. Models are found on the Engine at run time.
- **Native DuckDB**: the same Engine class in Node over \`src/db/native.ts\` (\`@duckdb/node-api\`, all cores), the same
  steps and SQL; the ratio is page ÷ native. Reading the file from disk is not included on either side.
- **Memory**: "renderer peak" is the kernel's high-water mark of resident memory (VmHWM in /proc) of the largest
  Chromium renderer process: the page, the engine worker, DuckDB-WASM's WebAssembly memory and parquet-wasm's, all in
  one process (the worker's heap cannot be read on its own). The page's own JS heap at the end (CDP
  Performance.getMetrics) is in results.json, and for the Node runs DuckDB's buffer-managed memory (\`duckdb_memory()\`).
- **CLV**: CDNOW's summary is built by the app's SQL (ingest of the raw file, WASM DuckDB in Node); the BG/NBD fit, and
  BG/NBD + Gamma-Gamma + scoring of every customer (\`scoreCustomers\`, no model comparison), run in Node and in a blank
  Chromium page on the same code bundled into one script. Synthetic customers come from
  src/models/clv/synthetic.ts (seed 7); "fit + score" excludes drawing them.
- **Share link**: the sample data's default report built by the Engine in Node as the page's report panel builds it
  in Chinese (its file names, every model cell with a report part, default privacy), encoded as the page encodes it,
  on the preview's address. Each of 7 runs opens the link in a fresh browser context (no cache, no storage) at
  1360 × 900; the time runs from navigation start to the frame after the report's \`article\` first exists (a
  MutationObserver installed before the app's scripts, then \`requestAnimationFrame\` + a task).
- **Groceries**: groceries.csv loaded in the page as baskets, the basket model called at arules' two reference settings
  (max size 10); and the same in Node on native DuckDB.
- **Headless command, CLV**: measured by hand, not by \`npm run bench\`: bench/data.ts's 1M-line file (orders-1m.csv),
  \`/usr/bin/time -v npm run --silent analyze -- --orders orders-1m.csv [--models clv] --out FILE\` for the whole process
  (wall clock, maximum resident set), one run each, before and after a change, one after the other. The clv step is
  the command's own \`clv()\` call timed inside the same steps in one Node process (load, apply, then the models in the
  command's order); the fit per model is \`fitPurchaseModel\` on the same customers' summary, alone. On a machine shared
  with other work the wall clock grows with the load average; the CPU time of each step is given beside it where the
  load was high.
`;
