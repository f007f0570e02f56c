/** The headless `analyze` command: the notebook's models on DuckDB in Node, one JSON document out. */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { Db } from '../db/db.ts';
import { openNodeDb } from '../db/node.ts';
import { applyMapping, loadFile, mappingNotes, type Mapping } from '../ingest/index.ts';
import { en } from '../i18n/en.ts';
import { mappingNoteText } from '../ingest/notes.ts';
import { ClvInputError } from '../models/clv/summary.ts';
import { ModelDataError } from '../models/data-error.ts';
import type { Prepared } from '../models/prepared.ts';
import { MODEL_NAMES, MODELS, type ModelName, type Registry, type RunContext } from '../models/registry.ts';
import type { ModelSettings } from '../models/settings.ts';
import { withBasketFlags } from './basket-flags.ts';
import { writeJsonFile } from './json-stream.ts';
import { filteredAsOf, isActive, openFiltered, parseFilter, type Filter } from '../models/filter.ts';

const USAGE = `usage: npm run --silent analyze -- --orders FILE [--customers FILE] [--events FILE]
    [--as-of YYYY-MM-DD] [--models ${MODEL_NAMES.join(',')}] [--mapping mapping.json]
    [--settings settings.json] [--filter filter.json] [--shape orders|baskets] [--out results.json] [--engine native|wasm] [--threads N]
    [--calibration-end YYYY-MM-DD] [--time-unit week|day]
    [--min-support S] [--min-confidence C] [--max-size K] [--basket-by product|category]`;

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
  /**
   * Source rows above which the orders are stored compressed (src/ingest/store.ts; default: the page's threshold,
   * which keeps millions of lines inside DuckDB-WASM's 3 GiB heap). Storage only: the numbers are the same.
   */
  packAbove?: number;
}

/**
 * Run the models on files and return the result document (used by the command and the tests): one section per
 * model of `models` (default: the registry), in the registry's order, each the model's own `report`.
 */
export async function analyze(opts: AnalyzeOptions, db?: Db, models: Registry = MODELS): Promise<Record<string, unknown>> {
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
  const orders = await loadFile(db, basename(opts.orders), readFileSync(opts.orders), 'raw_orders', { role: opts.shape ?? 'orders' });
  const mapping = { ...orders.mapping, ...(opts.mapping ?? {}) };
  out.source = { file: orders.raw.file, format: orders.raw.format, encoding: orders.raw.encoding, rows: orders.raw.rows, role: orders.role };
  out.mapping = mapping;
  const notes = mappingNotes(orders.raw.columns, mapping);
  if (notes.length) out.mapping_notes = notes.map((n) => ({ ...n, message: mappingNoteText((key) => en[key as keyof typeof en] ?? key, n) }));
  const applied = await applyMapping(db, orders, mapping, settings.cleaning, opts.packAbove === undefined ? {} : { packAbove: opts.packAbove });
  if (applied.report) out.cleaning = applied.report;
  for (const [file, role] of [[opts.customers, 'customers'], [opts.events, 'events']] as const) {
    if (!file) continue;
    const src = await loadFile(db, basename(file), readFileSync(file), `raw_${role}`, { role });
    // What the file gave and what was left out (blank ids, unreadable times), like the orders cleaning report.
    out[`cleaning_${role}`] = (await applyMapping(db, src, src.mapping, settings.cleaning)).table;
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
  let runCtx = ctx;
  let runDb = db;
  if (isActive(filter)) {
    if (baskets) throw new Error(`${orders.raw.file} holds baskets only (no customers or dates): filters apply to order files`);
    ({ db: runDb, ctx: runCtx, settings } = await filtered(db, ctx, settings, filter, models));
    out.filter = filter;
  }
  let run = wanted;
  if (baskets) {
    // A basket-per-line file has no customers or dates: only the models that read baskets apply.
    run = wanted.filter((m) => models[m].reads.includes('baskets'));
    const others = wanted.filter((m) => !run.includes(m));
    if (others.length && opts.models) throw new Error(`${orders.raw.file} holds baskets only (no customers or dates): only the ${run.join(', ') || 'basket'} model applies`);
  }
  for (const name of run) {
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
  return out;
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
      shape: { type: 'string' },
      engine: { type: 'string' },
      threads: { type: 'string' },
      out: { type: 'string' },
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
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new Error('--threads is a whole number of at least 1');
  if (values.engine === 'wasm' && values.threads !== undefined) throw new Error('--threads applies to the native engine');
  const db = await openEngine(values.engine, threads);
  const result = await analyze({
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
    // Native DuckDB's memory is the machine's, not a 3 GiB heap: the orders stay uncompressed, which is faster to write
    // and to read (at 5M lines the compressed store made loading and the models that read order lines grow faster
    // than the data).
    packAbove: NATIVE.has(db) ? Infinity : undefined,
  }, db);
  await writeResult(result, values.out);
  // A model that could not run is said on stderr too; when none could, the exit status says so.
  const ran = MODEL_NAMES.filter((m) => m in result);
  const failed = ran.filter((m) => modelError(result[m]) !== undefined);
  for (const m of failed) process.stderr.write(`analyze: ${m}: ${modelError(result[m])}\n`);
  if (ran.length > 0 && failed.length === ran.length) process.exitCode = 1;
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

if (process.argv[1] && /analyze\.[tj]s$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write('analyze: ' + msg.split('\n')[0] + '\n');
    process.exit(1);
  });
}
