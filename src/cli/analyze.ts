/** The headless `analyze` command: the notebook's models on DuckDB in Node, one JSON document out. */
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Db } from '../db/db.ts';
import { openNodeDb } from '../db/node.ts';
import { applyMapping, loadFile, mappingNotes, type DiskFile, type Mapping } from '../ingest/index.ts';
import { en } from '../i18n/en.ts';
import { mappingNoteText } from '../ingest/notes.ts';
import { ClvInputError } from '../models/clv/summary.ts';
import { ModelDataError } from '../models/data-error.ts';
import type { Prepared } from '../models/prepared.ts';
import { MODEL_NAMES, MODELS, type ModelName, type Registry, type RunContext } from '../models/registry.ts';
import type { ModelSettings } from '../models/settings.ts';
import { withBasketFlags } from './basket-flags.ts';
import { combineFilters, filteredAsOf, filterKey, isActive, openFiltered, parseFilter, type Filter } from '../models/filter.ts';
import { runSql } from '../notebook/sql-cell.ts';
import { writeJsonFile } from './json-stream.ts';
import { asOfDate } from '../models/prepared.ts';
import { lang as langOf, type Locale } from '../i18n/lang.ts';
import type { Report, ReportSource } from '../report/format.ts';
import { defaultTitle, reportRequest, reportSource, shareKinds } from '../report/request.ts';
import { parseNotebookFile, type NotebookFile, type NotebookFileCell, type ModelCellFile, type NoteCellFile, type SqlCellFile } from '../notebook/template.ts';

const USAGE = `usage: npm run --silent analyze -- --orders FILE [--customers FILE] [--events FILE]
    [--as-of YYYY-MM-DD] [--models ${MODEL_NAMES.join(',')}] [--mapping mapping.json]
    [--settings settings.json] [--notebook notebook.json] [--shape orders|baskets] [--out results.json] [--engine native|wasm] [--threads N]
    [--calibration-end YYYY-MM-DD] [--time-unit week|day]
    [--min-support S] [--min-confidence C] [--max-size K] [--basket-by product|category]
    [--report report.html] [--report-link BASE_URL] [--lang en|zh]

  --report FILE.html      also write the report file: one self-contained HTML page (charts as inline SVG,
                          aggregates only, no request when opened) of every model section the command ran
  --report-link BASE_URL  add "report_link" to the JSON: BASE_URL#r=… opens the same report in the app
  --lang en|zh            the report's language (default en)
  --filter filter.json    only the rows a filter keeps (MODELS.md §9), as a notebook file's "filter"
  --notebook FILE.json    run a notebook file's cells in order (see the README)`;

export interface AnalyzeOptions {
  orders: string;
  customers?: string;
  events?: string;
  asOf?: string;
  /** Which models (default: every registered one, basket only when the orders have products). */
  models?: (ModelName | string)[];
  mapping?: Mapping;
  settings?: ModelSettings;
  shape?: 'orders' | 'baskets';
  /** Only the rows this filter keeps (MODELS.md §9); also `settings.filter`. */
  filter?: Filter;
  /** CLV calibration end and time unit; they override settings.clv. */
  calibrationEnd?: string;
  timeUnit?: 'week' | 'day';
  /** A notebook file (src/notebook/template.ts): its cells run in order instead of one section per model. */
  notebook?: NotebookFile;
  /**
   * Source rows above which the orders are stored compressed (src/ingest/store.ts; default: the page's threshold,
   * which keeps millions of lines inside DuckDB-WASM's 3 GiB heap). Storage only: the numbers are the same.
   */
  packAbove?: number;
}

/** A cell of `analyze --notebook`'s output: a model's section, a SQL result, a note's text, or why the cell failed. */
export interface CellOutput {
  kind: string;
  title?: string;
  text?: string;
  /** The filter the cell's result is under: the notebook's combined with its own (absent: all the data). */
  filter?: Filter;
  result?: unknown;
  error?: string;
}

/**
 * Run the models on files and return the result document (used by the command and the tests): one section per
 * model of `models` (default: the registry), in the registry's order, each the model's own `report`.
 */
export async function analyze(opts: AnalyzeOptions, db?: Db, models: Registry = MODELS): Promise<Record<string, unknown>> {
  return (await run(opts, db, models)).out;
}

/** What the report of a run is made with. */
export interface ReportOptions {
  /** The language of its title (the report file is drawn in it too). */
  lang: Locale;
  /** Today, YYYY-MM-DD (tests fix it). */
  today?: string;
}

/**
 * The result document and the report of the same run (src/report/format.ts): every model section the run wrote, in
 * the registry's order, under the default privacy rule, titled with the orders file's name and the as-of date.
 */
export async function analyzeReport(opts: AnalyzeOptions, reportOpts: ReportOptions, db?: Db, models: Registry = MODELS): Promise<{ out: Record<string, unknown>; report: Report }> {
  const { out, report } = await run(opts, db, models, reportOpts);
  return { out, report: report! };
}

async function run(opts: AnalyzeOptions, db: Db | undefined, models: Registry, reportOpts?: ReportOptions): Promise<{ out: Record<string, unknown>; report?: Report }> {
  const names = Object.keys(models);
  const unknown = opts.models?.filter((m) => !names.includes(m));
  if (unknown?.length) throw new Error(`unknown model ${unknown.join(', ')} (models: ${names.join(', ')})`);
  const wanted = names.filter((m) => !opts.models || opts.models.includes(m));
  db ??= await openNodeDb();
  const given = opts.settings ?? {};
  const asOf = opts.asOf ?? given.asOf ?? null;
  const clv = { ...given.clv };
  if (opts.calibrationEnd) clv.calibrationEnd = opts.calibrationEnd;
  if (opts.timeUnit) clv.timeUnit = opts.timeUnit;
  let settings: ModelSettings = { ...given, asOf, clv };
  delete settings.filter;
  const filter = opts.filter ?? (given.filter ? parseFilter(given.filter, 'settings.filter') : undefined);
  const out: Record<string, unknown> = {};

  // `--orders` says what the file is: it is mapped as orders (a basket-per-line file as baskets), never re-guessed as
  // customers or events, and refused by name when a field orders need has no column.
  const orders = await loadFile(db, basename(opts.orders), diskFile(opts.orders), 'raw_orders', { role: opts.shape ?? 'orders' });
  const mapping = { ...orders.mapping, ...(opts.mapping ?? {}) };
  out.source = { file: orders.raw.file, format: orders.raw.format, encoding: orders.raw.encoding, rows: orders.raw.rows, role: orders.role };
  out.mapping = mapping;
  const notes = mappingNotes(orders.raw.columns, mapping);
  if (notes.length) out.mapping_notes = notes.map((n) => ({ ...n, message: mappingNoteText((key) => en[key as keyof typeof en] ?? key, n) }));
  const applied = await applyMapping(db, orders, mapping, settings.cleaning, opts.packAbove === undefined ? {} : { packAbove: opts.packAbove });
  if (applied.report) out.cleaning = applied.report;
  const sources: ReportSource[] = [reportSource(orders.raw.file, orders.role, applied.report?.rows_read ?? orders.raw.rows, applied.report?.rows_loaded)];
  for (const [file, role] of [[opts.customers, 'customers'], [opts.events, 'events']] as const) {
    if (!file) continue;
    const src = await loadFile(db, basename(file), diskFile(file), `raw_${role}`, { role });
    // What the file gave and what was left out (blank ids, unreadable times), like the orders cleaning report.
    const table = (await applyMapping(db, src, src.mapping, settings.cleaning)).table;
    out[`cleaning_${role}`] = table;
    sources.push(reportSource(src.raw.file, role, table?.rows_read ?? src.raw.rows, table?.rows_loaded));
  }
  const baskets = orders.role === 'baskets';
  // The customer days and summary the models share are built once for the whole run, and so is what they keep.
  const prepared: Prepared = new Map();
  const kept = new Map<string, unknown>();
  const ctx: RunContext = {
    prepared,
    sources: { customers: Boolean(opts.customers), events: Boolean(opts.events) },
    basketFile: baskets,
    state: <T>(name: string, make: () => T) => {
      if (!kept.has(name)) kept.set(name, make());
      return kept.get(name) as T;
    },
  };
  if (opts.notebook) {
    if (baskets && (isActive(filter) || isActive(opts.notebook.filter))) throw new Error(`${orders.raw.file} holds baskets only (no customers or dates): filters apply to order files`);
    out.cells = await runCells(db, opts.notebook, models, settings, ctx, baskets ? orders.raw.file : null, combineFilters(filter, opts.notebook.filter));
    return { out };
  }
  let runCtx = ctx;
  let runDb = db;
  if (isActive(filter)) {
    if (baskets) throw new Error(`${orders.raw.file} holds baskets only (no customers or dates): filters apply to order files`);
    ({ db: runDb, ctx: runCtx, settings } = await filtered(db, ctx, settings, filter, models));
    out.filter = filter;
  }
  let toRun = wanted;
  if (baskets) {
    // A basket-per-line file has no customers or dates: only the models that read baskets apply.
    toRun = wanted.filter((m) => models[m].reads.includes('baskets'));
    const others = wanted.filter((m) => !toRun.includes(m));
    if (others.length && opts.models) throw new Error(`${orders.raw.file} holds baskets only (no customers or dates): only the ${toRun.join(', ') || 'basket'} model applies`);
  }
  for (const name of toRun) {
    const model = models[name];
    if (!opts.models && model.runsByDefault && !(await model.runsByDefault(runDb, runCtx))) continue;
    // Each model in its own section: one that cannot run on these data (an as-of date before the first purchase, too
    // few customers to cluster, no repeat buyer for CLV) is noted there as { error } and the others still run; a
    // fault or a bad setting still stops the run.
    try {
      out[name] = await model.report(runDb, settings, runCtx);
    } catch (e) {
      if (!(e instanceof ModelDataError || e instanceof ClvInputError)) throw e;
      out[name] = { error: e.message };
    }
  }
  if (!reportOpts) return { out };
  // The report's cells hold what the notebook's cells show: each model's cell result (its `run`, or `complete` where
  // the page fills the result in later, as the CLV comparison), kept to aggregates by the model's `share`; under the
  // same filter as the sections above.
  const lang = langOf(reportOpts.lang);
  const usedAsOf = await asOfDate(runDb, settings.asOf ?? null, runCtx.prepared).catch(() => settings.asOf ?? null);
  const cells = names.filter((m) => m in out).map((kind) => ({ id: kind, kind }));
  const request = reportRequest({ title: defaultTitle(orders.raw.file, usedAsOf, lang), sources, cells, kinds: shareKinds(models) });
  const runs = new Map<string, Promise<unknown>>();
  // The report's modules (Plot, the views) are loaded only when a report is asked for: a plain run starts without them.
  const { buildReport } = await import('../report/build.ts');
  const report = await buildReport(
    { ...request, lang: reportOpts.lang, ...(isActive(filter) ? { filter } : {}) },
    {
      db: runDb,
      models,
      settings,
      asOf: usedAsOf,
      today: reportOpts.today,
      run: (kind, s) => {
        const model = models[kind];
        if (!runs.has(kind)) runs.set(kind, (model.complete ?? model.run)(runDb, s, runCtx));
        return runs.get(kind)!;
      },
    },
  );
  return { out, report };
}

/**
 * The database and context the models run on under `filter`: the kept rows in a database of their own (the page's
 * definition, src/models/filter.ts), with the as-of date the filter implies. A segment filter's model runs first on
 * all the data at the given settings.
 */
export async function filtered(db: Db, ctx: RunContext, settings: ModelSettings, filter: Filter, models: Registry = MODELS) {
  const segment = filter.segment?.values.length ? filter.segment.model : null;
  if (segment) {
    const model = models[segment];
    if (!model?.segments) throw new Error(`the ${segment} model has no segments to filter by (models with segments: ${Object.keys(models).filter((m) => models[m].segments).join(', ')})`);
    await model.run(db, settings, ctx);
  }
  const f = await openFiltered(db, filter, (m) => models[m]?.segments);
  const kept = new Map<string, unknown>();
  const runCtx: RunContext = {
    ...ctx,
    prepared: new Map(),
    sources: { customers: f.customers && ctx.sources.customers, events: f.events && ctx.sources.events },
    state: <T>(name: string, make: () => T) => {
      if (!kept.has(name)) kept.set(name, make());
      return kept.get(name) as T;
    },
  };
  return { db: f.db, ctx: runCtx, settings: { ...settings, asOf: filteredAsOf(settings.asOf, filter) }, close: f.close };
}

/**
 * A notebook file's cells, in order: a model cell is that model's section run with the cell's settings over the
 * command's, a SQL cell its columns and rows (at most 1,000, `truncated` when there were more), a note its text. A cell
 * that fails or is refused has `error` instead of `result`, and the others still run.
 */
async function runCells(
  db: Db, file: NotebookFile, models: Registry, settings: ModelSettings, ctx: RunContext, basketsOnly: string | null, filter: Filter,
): Promise<CellOutput[]> {
  const out: CellOutput[] = [];
  // One filtered copy per distinct filter (the notebook's combined with a cell's own), shared by the cells that have it.
  const views = new Map<string, Promise<Awaited<ReturnType<typeof filtered>>>>();
  for (const cell of file.cells) {
    const o: CellOutput = { kind: cell.kind, ...(cell.title !== undefined ? { title: cell.title } : {}) };
    out.push(o);
    if (cell.kind === 'note') {
      o.text = (cell as NoteCellFile).text;
      continue;
    }
    try {
      const own = combineFilters(filter, cell.filter);
      if (isActive(own)) {
        o.filter = own;
        const key = filterKey(own) + JSON.stringify(settings);
        if (!views.has(key)) views.set(key, filtered(db, ctx, settings, own, models));
        const view = await views.get(key)!;
        o.result = await runCell(view.db, cell, models, view.settings, view.ctx, basketsOnly);
      } else o.result = await runCell(db, cell, models, settings, ctx, basketsOnly);
    } catch (e) {
      o.error = e instanceof Error ? e.message : String(e);
    }
  }
  for (const view of views.values()) await view.then((v) => v.close(), () => undefined);
  return out;
}

async function runCell(db: Db, cell: NotebookFileCell, models: Registry, settings: ModelSettings, ctx: RunContext, basketsOnly: string | null): Promise<unknown> {
  if (cell.kind === 'sql') {
    const r = await runSql(db, (cell as SqlCellFile).sql, models);
    return { columns: r.columns.map((c) => c.name), types: r.columns.map((c) => c.type), rows: r.rows, truncated: r.truncated };
  }
  const model = models[cell.kind];
  if (basketsOnly && !model.reads.includes('baskets')) throw new Error(`${basketsOnly} holds baskets only (no customers or dates): the ${cell.kind} model does not apply`);
  const key = model.settingsKey;
  const own = (cell as ModelCellFile).settings;
  const merged: ModelSettings = key && own ? { ...settings, [key]: { ...(settings[key] as object), ...own } } : settings;
  return model.report(db, merged, ctx);
}

function readJson<T>(file: string | undefined, what: string): T | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${what} ${file}: ${e instanceof Error ? e.message : e}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      orders: { type: 'string' },
      customers: { type: 'string' },
      events: { type: 'string' },
      'as-of': { type: 'string' },
      'calibration-end': { type: 'string' },
      'time-unit': { type: 'string' },
      models: { type: 'string' },
      'min-support': { type: 'string' },
      'min-confidence': { type: 'string' },
      'max-size': { type: 'string' },
      'basket-by': { type: 'string' },
      mapping: { type: 'string' },
      settings: { type: 'string' },
      filter: { type: 'string' },
      notebook: { type: 'string' },
      shape: { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
      report: { type: 'string' },
      'report-link': { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (!values.orders) throw new Error('--orders FILE is required\n' + USAGE);
  const models = values.models?.split(',').map((m) => m.trim()).filter(Boolean);
  if (values.shape && values.shape !== 'orders' && values.shape !== 'baskets') throw new Error('--shape is orders or baskets');
  if (values.engine && values.engine !== 'wasm' && values.engine !== 'native') throw new Error('--engine is wasm or native');
  if (values['time-unit'] && values['time-unit'] !== 'week' && values['time-unit'] !== 'day') throw new Error('--time-unit is week or day');
  const notebook = values.notebook ? readNotebook(values.notebook) : undefined;
  if (values.lang && values.lang !== 'en' && values.lang !== 'zh') throw new Error('--lang is en or zh');
  if (values['report-link'] !== undefined && !/^https?:\/\/[^\s#]+$/i.test(values['report-link'])) {
    throw new Error(`--report-link takes the app's address, such as https://example.org/crm/ (got ${JSON.stringify(values['report-link'])})`);
  }
  const wantsReport = values.report !== undefined || values['report-link'] !== undefined;
  if (wantsReport && notebook) throw new Error('--report and --report-link write the report of the model sections; they do not apply with --notebook');
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads is a whole number of at least 1');
  if (values.engine === 'wasm' && values.threads !== undefined) throw new Error('--threads applies to the native engine');
  const db = await openEngine(values.engine, threads);
  const analyzeOpts: AnalyzeOptions = {
    orders: values.orders,
    customers: values.customers,
    events: values.events,
    asOf: values['as-of'],
    models,
    mapping: readJson<Mapping>(values.mapping, 'mapping'),
    settings: withBasketFlags(readJson<ModelSettings>(values.settings, 'settings'), values),
    filter: values.filter ? parseFilter(readJson<unknown>(values.filter, 'filter'), `filter ${values.filter}`) : undefined,
    shape: values.shape as AnalyzeOptions['shape'],
    calibrationEnd: values['calibration-end'],
    timeUnit: values['time-unit'] as AnalyzeOptions['timeUnit'],
    notebook,
    // Native DuckDB's memory is the machine's, not a 3 GiB heap: the orders stay uncompressed, which is faster to write
    // and to read (at 5M lines the compressed store made loading and the models that read order lines grow faster
    // than the data).
    packAbove: NATIVE.has(db) ? Infinity : undefined,
  };
  const locale = (values.lang ?? 'en') as Locale;
  const { out: result, report } = wantsReport ? await analyzeReport(analyzeOpts, { lang: locale }, db) : { out: await analyze(analyzeOpts, db), report: undefined };
  if (report && values.report) {
    const { reportFile } = await import('../report/file.ts');
    writeFileSync(values.report, reportFile(report, langOf(locale), await blankDocument()));
  }
  if (report && values['report-link'] !== undefined) {
    const { encodeFragment } = await import('../notebook/share-codec.ts');
    result.report_link = `${values['report-link']}#${await encodeFragment(report)}`;
  }
  await writeResult(result, values.out);
  if (notebook) {
    // A cell that failed is said on stderr too; when every cell that runs something failed, the exit status says so.
    const cells = result.cells as CellOutput[];
    cells.forEach((c, i) => c.error !== undefined && process.stderr.write(`analyze: cell ${i + 1} (${c.kind}): ${c.error}\n`));
    const running = cells.filter((c) => c.kind !== 'note');
    if (running.length > 0 && running.every((c) => c.error !== undefined)) process.exitCode = 1;
    return;
  }
  // A model that could not run is said on stderr too; when none could, the exit status says so.
  const ran = MODEL_NAMES.filter((m) => m in result);
  const failed = ran.filter((m) => modelError(result[m]) !== undefined);
  for (const m of failed) process.stderr.write(`analyze: ${m}: ${modelError(result[m])}\n`);
  if (ran.length > 0 && failed.length === ran.length) process.exitCode = 1;
}

/** A notebook file read and checked against the registry's models (a bad file stops the command, naming the cell and field). */
function readNotebook(file: string): NotebookFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`notebook ${file}: ${e instanceof Error ? e.message : e}`);
  }
  try {
    return parseNotebookFile(text, Object.fromEntries(Object.entries(MODELS).map(([name, m]) => [name, m.defaults])));
  } catch (e) {
    throw new Error(`notebook ${file}: ${e instanceof Error ? e.message : e}`);
  }
}

/** An empty document to draw the report on (Plot draws in Node given one). */
async function blankDocument(): Promise<Document> {
  const { parseHTML } = await import('linkedom');
  return parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
}

/**
 * The engine the command runs on: native DuckDB by default (the same SQL; at a million lines 14 s of CPU against
 * the WASM build's 23 s), on one thread unless `threads` says more, since one thread adds floating-point values in the
 * WASM engine's order and so gives the page's numbers to the last bit (tests/unit/native-engine.test.ts); more
 * threads may differ in the last bits of sums of doubles. `wasm`: the browser's build.
 */
export async function openEngine(engine?: string, threads = 1): Promise<Db> {
  if (engine && engine !== 'wasm' && engine !== 'native') throw new Error('--engine is wasm or native');
  if (engine === 'wasm') return openNodeDb();
  let native: typeof import('../db/native.ts');
  try {
    native = await import('../db/native.ts');
  } catch (e) {
    // @duckdb/node-api is a development dependency: an install without it runs the page's engine (the same numbers).
    if (engine === 'native') throw e;
    process.stderr.write(`analyze: native DuckDB is not installed (${e instanceof Error ? e.message.split('\n')[0] : e}); running DuckDB-WASM\n`);
    return openNodeDb();
  }
  const db = await native.openNativeDb({ threads });
  NATIVE.add(db);
  return db;
}

/**
 * An input file as the ingest reads it from disk: on native DuckDB the usual CSV is read by DuckDB from its path and
 * only its first lines come into memory; otherwise its bytes are read whole (src/ingest/read.ts `readSource`).
 */
export function diskFile(path: string): DiskFile {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  return {
    path,
    size,
    read(into, offset) {
      const f = openSync(path, 'r');
      try {
        return readSync(f, into, 0, into.length, offset);
      } finally {
        closeSync(f);
      }
    },
  };
}

/** The databases openEngine opened on native DuckDB. */
const NATIVE = new WeakSet<Db>();

/** Whether `db` was opened by openEngine on native DuckDB (whose memory is not a 3 GiB heap). */
export const isNativeEngine = (db: Db): boolean => NATIVE.has(db);

/**
 * Write the result document as JSON (one-space indent, a final newline) to `file`, or to standard output: the text
 * of JSON.stringify, made and written in pieces (json-stream.ts). `onStep` is told when it is written (`write`).
 */
export async function writeResult(result: Record<string, unknown>, file?: string, onStep?: (step: string) => void): Promise<void> {
  writeJsonFile(result, file);
  onStep?.('write');
}

/** The note of a model section that could not run. */
function modelError(section: unknown): string | undefined {
  const error = (section as { error?: unknown } | null)?.error;
  return typeof error === 'string' ? error : undefined;
}

/** The command as `npm run analyze` runs it (src/cli/launch.mjs): a failure is said in one line on stderr, with exit status 1. */
export async function cli(args: string[]): Promise<void> {
  await main(args).catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write('analyze: ' + msg.split('\n')[0] + '\n');
    process.exit(1);
  });
}

if (process.argv[1] && /analyze\.[tj]s$/.test(process.argv[1])) void cli(process.argv.slice(2));
