/** The headless `analyze` command: the notebook's models on DuckDB in Node, one JSON document out. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseHTML } from 'linkedom';
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
import { asOfDate } from '../models/prepared.ts';
import { lang as langOf, type Locale } from '../i18n/lang.ts';
import { buildReport } from '../report/build.ts';
import { reportFile } from '../report/file.ts';
import { encodeFragment } from '../notebook/share-codec.ts';
import type { Report, ReportSource } from '../report/format.ts';
import { defaultTitle, reportRequest, reportSource, shareKinds } from '../report/request.ts';

const USAGE = `usage: npm run --silent analyze -- --orders FILE [--customers FILE] [--events FILE]
    [--as-of YYYY-MM-DD] [--models ${MODEL_NAMES.join(',')}] [--mapping mapping.json]
    [--settings settings.json] [--shape orders|baskets] [--out results.json] [--engine wasm|native]
    [--calibration-end YYYY-MM-DD] [--time-unit week|day]
    [--min-support S] [--min-confidence C] [--max-size K] [--basket-by product|category]
    [--report report.html] [--report-link BASE_URL] [--lang en|zh]

  --report FILE.html      also write the report file: one self-contained HTML page (charts as inline SVG,
                          aggregates only, no request when opened) of every model section the command ran
  --report-link BASE_URL  add "report_link" to the JSON: BASE_URL#r=… opens the same report in the app
  --lang en|zh            the report's language (default en)`;

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
  /** CLV calibration end and time unit; they override settings.clv. */
  calibrationEnd?: string;
  timeUnit?: 'week' | 'day';
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
  const settings: ModelSettings = { ...given, asOf, clv };
  const out: Record<string, unknown> = {};

  // `--orders` says what the file is: it is mapped as orders (a basket-per-line file as baskets), never re-guessed as
  // customers or events, and refused by name when a field orders need has no column.
  const orders = await loadFile(db, basename(opts.orders), readFileSync(opts.orders), 'raw_orders', { role: opts.shape ?? 'orders' });
  const mapping = { ...orders.mapping, ...(opts.mapping ?? {}) };
  out.source = { file: orders.raw.file, format: orders.raw.format, encoding: orders.raw.encoding, rows: orders.raw.rows, role: orders.role };
  out.mapping = mapping;
  const notes = mappingNotes(orders.raw.columns, mapping);
  if (notes.length) out.mapping_notes = notes.map((n) => ({ ...n, message: mappingNoteText((key) => en[key as keyof typeof en] ?? key, n) }));
  const applied = await applyMapping(db, orders, mapping, settings.cleaning);
  if (applied.report) out.cleaning = applied.report;
  const sources: ReportSource[] = [reportSource(orders.raw.file, orders.role, applied.report?.rows_read ?? orders.raw.rows, applied.report?.rows_loaded)];
  for (const [file, role] of [[opts.customers, 'customers'], [opts.events, 'events']] as const) {
    if (!file) continue;
    const src = await loadFile(db, basename(file), readFileSync(file), `raw_${role}`, { role });
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
  let toRun = wanted;
  if (baskets) {
    // A basket-per-line file has no customers or dates: only the models that read baskets apply.
    toRun = wanted.filter((m) => models[m].reads.includes('baskets'));
    const others = wanted.filter((m) => !toRun.includes(m));
    if (others.length && opts.models) throw new Error(`${orders.raw.file} holds baskets only (no customers or dates): only the ${toRun.join(', ') || 'basket'} model applies`);
  }
  for (const name of toRun) {
    const model = models[name];
    if (!opts.models && model.runsByDefault && !(await model.runsByDefault(db, ctx))) continue;
    // Each model in its own section: one that cannot run on these data (an as-of date before the first purchase, too
    // few customers to cluster, no repeat buyer for CLV) is noted there as { error } and the others still run; a
    // fault or a bad setting still stops the run.
    try {
      out[name] = await model.report(db, settings, ctx);
    } catch (e) {
      if (!(e instanceof ModelDataError || e instanceof ClvInputError)) throw e;
      out[name] = { error: e.message };
    }
  }
  if (!reportOpts) return { out };
  // The report's cells hold what the notebook's cells show: each model's cell result (its `run`, as the page's
  // engine has it), kept to aggregates by the model's `share`.
  const lang = langOf(reportOpts.lang);
  const usedAsOf = await asOfDate(db, settings.asOf ?? null, prepared).catch(() => settings.asOf ?? null);
  const cells = names.filter((m) => m in out).map((kind) => ({ id: kind, kind }));
  const request = reportRequest({ title: defaultTitle(orders.raw.file, usedAsOf, lang), sources, cells, kinds: shareKinds(models) });
  const runs = new Map<string, Promise<unknown>>();
  const report = await buildReport(request, {
    db,
    models,
    settings,
    asOf: usedAsOf,
    today: reportOpts.today,
    run: (kind, s) => {
      if (!runs.has(kind)) runs.set(kind, models[kind].run(db, s, ctx));
      return runs.get(kind)!;
    },
  });
  return { out, report };
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
      shape: { type: 'string' },
      engine: { type: 'string' },
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
  if (values.lang && values.lang !== 'en' && values.lang !== 'zh') throw new Error('--lang is en or zh');
  if (values['report-link'] !== undefined && !/^https?:\/\/[^\s#]+$/i.test(values['report-link'])) {
    throw new Error(`--report-link takes the app's address, such as https://example.org/crm/ (got ${JSON.stringify(values['report-link'])})`);
  }
  const wantsReport = values.report !== undefined || values['report-link'] !== undefined;
  // Native DuckDB for files too big for a browser tab; the WASM build (the browser's engine) by default.
  const db = values.engine === 'native' ? await (await import('../db/native.ts')).openNativeDb() : undefined;
  const analyzeOpts: AnalyzeOptions = {
    orders: values.orders,
    customers: values.customers,
    events: values.events,
    asOf: values['as-of'],
    models,
    mapping: readJson<Mapping>(values.mapping, 'mapping'),
    settings: withBasketFlags(readJson<ModelSettings>(values.settings, 'settings'), values),
    shape: values.shape as AnalyzeOptions['shape'],
    calibrationEnd: values['calibration-end'],
    timeUnit: values['time-unit'] as AnalyzeOptions['timeUnit'],
  };
  const locale = (values.lang ?? 'en') as Locale;
  const { out: result, report } = wantsReport ? await analyzeReport(analyzeOpts, { lang: locale }, db) : { out: await analyze(analyzeOpts, db), report: undefined };
  if (report && values.report) writeFileSync(values.report, reportFile(report, langOf(locale), blankDocument()));
  if (report && values['report-link'] !== undefined) result.report_link = `${values['report-link']}#${await encodeFragment(report)}`;
  const json = JSON.stringify(result, null, 1) + '\n';
  if (values.out) writeFileSync(values.out, json);
  else process.stdout.write(json);
  // A model that could not run is said on stderr too; when none could, the exit status says so.
  const ran = MODEL_NAMES.filter((m) => m in result);
  const failed = ran.filter((m) => modelError(result[m]) !== undefined);
  for (const m of failed) process.stderr.write(`analyze: ${m}: ${modelError(result[m])}\n`);
  if (ran.length > 0 && failed.length === ran.length) process.exitCode = 1;
}

/** An empty document to draw the report on (Plot draws in Node given one). */
function blankDocument(): Document {
  return parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
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
