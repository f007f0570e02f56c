/**
 * Every model, declared once: its settings and their defaults, how it runs, its customer list and export,
 * what it adds to the customer 360 view, what it reads and writes, and its lane. The engine, the worker's
 * API, the headless command and the notebook's cell kinds all derive from `MODELS`.
 */
import { rows, type Db } from '../db/db.ts';
import { abc, abcClassList, abcCustomers, ABC_SHARE_LISTS, shareAbc, type AbcClass } from './abc.ts';
import { hasBasketData } from './basket/data.ts';
import { basket } from './basket/model.ts';
import { crossSellPage, exportCrossSell, runBasket, type RuleRef } from './basket/runs.ts';
import { BASKET_SHARE_LISTS, shareBasket } from './basket/share.ts';
import { CHURN_SHARE_LISTS, churnCustomers, shareChurn } from './churn.ts';
import { CLUSTER_SHARE_LISTS, clusterCustomers, clusterElbow, clusters, clusterSample, K_DEFAULT, shareClusters, type ElbowResult } from './clusters.ts';
import { clvCustomers } from './clv/model.ts';
import type { CompareRunner, ScoreRunner } from './clv/pipeline.ts';
import { clvKey, compareClv, reportClv, runChurn, runClv } from './clv/runs.ts';
import { CLV_SHARE_LISTS, shareClv } from './clv/share.ts';
import { cohorts, shareCohorts } from './cohorts.ts';
import type { CustomerSection } from './customer360.ts';
import type { FunnelSources } from './funnel.ts';
import { DEFAULT_WINDOWS, lifecycle, lifecycleCustomers, lifecycleCustomersKept, lifecycleStageList, LIFECYCLE_SHARE_LISTS, shareLifecycle, type LifecycleColumns, type Stage } from './lifecycle.ts';
import { notBuying, overview, shareOverview } from './overview.ts';
import type { ExportAs } from './list-export.ts';
import { exportAbc, exportChurnList, exportClusters, exportClv, exportLifecycle, exportRfm, type RfmExport } from './model-exports.ts';
import type { Prepared } from './prepared.ts';
import { rfm, rfmCustomers, rfmSchemeOf, rfmSegmentList, RFM_SHARE_LISTS, shareRfm, type RfmColumns } from './rfm.ts';
import type { ModelSettings } from './settings.ts';
import type { SegmentSource } from './filter.ts';

/**
 * Where a model's requests run: `sql` at once (short queries); `tables` one at a time with the other models of
 * that lane (cohorts and lifecycle rebuild tables they share, and the lifecycle list reads one); `fit` one at a
 * time (the slow CLV fits, in a worker of their own, while the other lanes go on).
 */
export type Lane = 'sql' | 'tables' | 'fit';

export type Progress = (phase: string, fraction: number) => void;

/** The canonical tables a model reads (MODELS.md §1). */
export type SourceTable = 'orders' | 'customers' | 'events' | 'baskets';

/** What a model run is given besides the database and the settings. */
export interface RunContext {
  /** Derived tables shared by the models while the orders stay the same. */
  prepared: Prepared;
  /** Which optional sources are applied. */
  sources: FunnelSources;
  /** The transactions are a basket-per-line file (no customers or dates). */
  basketFile?: boolean;
  /** State a model keeps for the current data (made on first use, forgotten when the sources change). */
  state<T>(name: string, make: () => T): T;
  onProgress?: Progress;
  /** Where the CLV fit of the chosen model runs (default: in this thread). */
  score?: ScoreRunner;
  /** Where the rest of the CLV model comparison runs, after the chosen model's result (default: in this thread). */
  compare?: CompareRunner;
}

/**
 * One model. `R` is what a notebook cell receives, `O` the extra run options (the lifecycle cell's first list
 * page), `LO`/`L` the customer list's options and page, `EO` the export's options.
 */
export interface ModelEntry<R = unknown, O = object, LO = never, L = unknown, EO = never> {
  /** The key of its settings in the notebook's settings (what `analyze --settings` takes); null: only the as-of date. */
  settingsKey: Exclude<keyof ModelSettings, 'asOf' | 'cleaning'> | null;
  /** The settings it runs with when none are given. */
  defaults: object;
  lane: Lane;
  reads: readonly SourceTable[];
  /** Tables and views it (re)writes, which its list, its export and the customer 360 view read. */
  writes: readonly string[];
  /** What identifies a result (besides the data version); default: the as-of date and the model's own settings. */
  key?(settings: ModelSettings): unknown;
  /** The cell's result. */
  run(db: Db, settings: ModelSettings, ctx: RunContext, options?: O): Promise<R>;
  /** A page of its customer list (from the tables of its last run). */
  list?(db: Db, opts: LO): Promise<L>;
  /** Its customer list as file bytes (CSV with a byte-order mark, or XLSX). */
  export?(db: Db, opts: EO): Promise<Uint8Array>;
  /** Its section of the headless command's document. */
  report(db: Db, settings: ModelSettings, ctx: RunContext): Promise<unknown>;
  /** Whether the headless command runs it when no `--models` are given (default: always). */
  runsByDefault?(db: Db, ctx: RunContext): Promise<boolean>;
  /** What it adds to the customer 360 view. */
  customer360?: CustomerSection;
  /**
   * Its cell in a report (src/report/format.ts): the aggregates of the cell's result `R` under the privacy rule
   * (MODELS.md §10), rounded to the precision the cell shows. Customer rows only for the lists in `opts.lists`.
   */
  share?(db: Db, result: R, opts: ShareOptions): Promise<unknown> | unknown;
  /** Where its segments are, for a segment filter (MODELS.md §9): the table and the columns a value may match. */
  segments?: SegmentSource;
  /** The customer lists a report may hold when the consultant opts each in (names; the report view labels them). */
  shareLists?: readonly string[];
  /**
   * The result once what fills in after it is done (the CLV with its whole model comparison): what a report made
   * without a page (the headless command) holds, as `report` waits for it. Default: `run`.
   */
  complete?(db: Db, settings: ModelSettings, ctx: RunContext): Promise<R>;
  /**
   * Other settings a user is likely to switch to whose run builds tables the model keeps (cohorts: the other period
   * units): the page's engine runs them when it has nothing else to do, so that the switch then reads kept tables.
   * Only for a model whose run leaves no tables of its own for a list, export or the customer 360 view to read.
   */
  warm?(settings: ModelSettings): ModelSettings[];
}

/** What a model's report part is built with. */
export interface ShareOptions {
  /** Groups of fewer customers show "< minGroup" and hide their sums and means. */
  minGroup: number;
  /** The lists opted in (a subset of the entry's `shareLists`). */
  lists: readonly string[];
  settings: ModelSettings;
  /** The language the report is made in (ReportRequest.lang; absent: zh): defaults that follow the language follow it. */
  lang?: 'zh' | 'en';
}

/** Declares a model (keeps its types for the worker's API). */
export function defineModel<R, O = object, LO = never, L = unknown, EO = never>(entry: ModelEntry<R, O, LO, L, EO>): ModelEntry<R, O, LO, L, EO> {
  return entry;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Registry = Record<string, ModelEntry<any, any, any, any, any>>;

const asOf = (settings: ModelSettings) => settings.asOf ?? null;

/** The elbow (inertia by k) does not depend on the chosen k: kept by as-of date for the current data. */
function elbowOf(db: Db, settings: ModelSettings, ctx: RunContext): Promise<ElbowResult> {
  const kept = ctx.state('clusters.elbow', () => new Map<string, Promise<ElbowResult>>());
  const key = String(asOf(settings));
  let elbow = kept.get(key);
  if (!elbow) {
    kept.set(key, (elbow = clusterElbow(db, { asOf: settings.asOf }, ctx.prepared)));
    elbow.catch(() => kept.delete(key));
  }
  return elbow;
}

/** k-means clusters with their profiles, a scatter sample and the elbow. */
async function clustersRun(db: Db, settings: ModelSettings, ctx: RunContext) {
  const elbow = await elbowOf(db, settings, ctx);
  const result = await clusters(db, { ...settings.clusters, asOf: settings.asOf }, ctx.prepared);
  return { ...result, sample: await clusterSample(db), elbow };
}

/** The models, in the notebook's order. */
export const MODELS = {
  overview: defineModel({
    settingsKey: null,
    defaults: {},
    lane: 'sql',
    reads: ['orders'],
    writes: ['overview_months'],
    /** The overview, and (for the page) why customers with orders may be fewer than buying customers. */
    async run(db, settings, ctx) {
      const result = await overview(db, { asOf: settings.asOf }, ctx.prepared);
      return { ...result, not_buying: await notBuying(db, result.as_of, ctx.prepared) };
    },
    report: (db, settings, ctx) => overview(db, { asOf: asOf(settings) }, ctx.prepared),
    share: (_db, result, { minGroup }) => shareOverview(result, minGroup),
  }),
  rfm: defineModel({
    settingsKey: 'rfm',
    defaults: { monetary: 'sum', scoring: 'quintile', highRule: 'score' },
    lane: 'sql',
    reads: ['orders'],
    writes: ['rfm_base', 'rfm_scores', 'rfm'],
    // The scheme a report shows is a display setting (both schemes are scored on every run): not part of the key.
    key: (settings) => {
      const { scheme: _, ...rfmSettings } = settings.rfm ?? {};
      return [asOf(settings), Object.keys(rfmSettings).length ? rfmSettings : null];
    },
    run: (db, settings, ctx) => rfm(db, { ...settings.rfm, asOf: settings.asOf }, ctx.prepared, ctx.state<RfmColumns>('rfm.columns', () => ({}))),
    list: (db, opts: Parameters<typeof rfmCustomers>[1]) => rfmCustomers(db, opts),
    /**
     * One segment of a scheme (or every customer), by monetary, as CSV or Excel in the user's language; or one workbook
     * with every segment of the scheme, a sheet each (`bySegment`).
     */
    export: (db, opts: RfmExport) => exportRfm(db, opts),
    async report(db, settings, ctx) {
      // The F gaps explain the page's heat map; the headless document keeps its fields.
      const { f_gaps: _, ...summary } = await rfm(db, { ...settings.rfm, asOf: asOf(settings) }, ctx.prepared);
      return { ...summary, customers: await rfmCustomers(db, { order: 'id' }) };
    },
    segments: { table: 'rfm', columns: ['segment_cn', 'segment_en'] },
    customer360: { key: 'rfm', table: 'rfm', columns: ['recency_days', 'frequency', 'monetary', 'r', 'f', 'm', 'segment_cn', 'segment_en'] },
    /** The segments of the scheme the notebook shows (the cell's `settings.scheme`, else the report's language). */
    async share(db, result, { minGroup, lists, settings, lang }) {
      const scheme = rfmSchemeOf(settings.rfm?.scheme, lang);
      const part = shareRfm(result, { minGroup, scheme, high: settings.rfm?.highRule });
      if (lists.includes('segments')) part.list = await rfmSegmentList(db, scheme);
      return part;
    },
    shareLists: RFM_SHARE_LISTS,
  }),
  abc: defineModel({
    settingsKey: 'abc',
    defaults: { cutA: 0.8, cutB: 0.95 },
    lane: 'sql',
    reads: ['orders'],
    writes: ['abc'],
    run: (db, settings, ctx) => abc(db, { ...settings.abc, asOf: settings.asOf }, ctx.prepared),
    list: (db, opts: Parameters<typeof abcCustomers>[1]) => abcCustomers(db, opts),
    /** One class's customers (or all of them), by rank. */
    export: (db, opts: ExportAs & { cls: AbcClass | null }) => exportAbc(db, opts),
    async report(db, settings, ctx) {
      const summary = await abc(db, { ...settings.abc, asOf: asOf(settings) }, ctx.prepared);
      const customers = (await abcCustomers(db)).map(({ customer_id, class: cls }) => ({ customer_id, class: cls }));
      return { ...summary, customers };
    },
    segments: { table: 'abc', columns: ['class'] },
    customer360: { key: 'abc', table: 'abc', columns: ['class', 'rank', 'cum_share', 'monetary'] },
    async share(db, result, { minGroup, lists }) {
      const part = shareAbc(result, minGroup);
      if (lists.includes('classes')) part.list = await abcClassList(db);
      return part;
    },
    shareLists: ABC_SHARE_LISTS,
  }),
  cohorts: defineModel({
    settingsKey: 'cohorts',
    defaults: { unit: 'month' },
    lane: 'tables',
    reads: ['orders'],
    writes: ['cohort_cells_month', 'cohort_cells_week', 'cohort_cells_quarter'],
    run: (db, settings, ctx) => cohorts(db, { ...settings.cohorts, asOf: settings.asOf }, ctx.prepared),
    // Quarter first: the unit most often switched to from months.
    warm: (settings) =>
      (['quarter', 'month', 'week'] as const).filter((u) => u !== (settings.cohorts?.unit ?? 'month')).map((unit) => ({ ...settings, cohorts: { ...settings.cohorts, unit } })),
    report: (db, settings, ctx) => cohorts(db, { ...settings.cohorts, asOf: asOf(settings) }, ctx.prepared),
    share: (_db, result, { minGroup }) => shareCohorts(result, minGroup),
  }),
  lifecycle: defineModel({
    settingsKey: 'lifecycle',
    defaults: { ...DEFAULT_WINDOWS, reactivationDays: 180, loyalPurchases: 3 },
    lane: 'tables',
    reads: ['orders', 'customers', 'events'],
    writes: ['life_customers', 'life_spans', 'life_returns', 'life_loyal', 'lifecycle', 'event_firsts'],
    /**
     * Stages, month by month, transitions, reactivations and the funnel, with the first page of a customer list
     * (by default the cell's first page, 50 most valuable) so that the cell draws in one round trip.
     */
    async run(db, settings, ctx, options: { list?: Parameters<typeof lifecycleCustomers>[1] } = {}) {
      const kept = ctx.state<LifecycleColumns>('lifecycle.columns', () => ({}));
      const result = await lifecycle(db, { ...settings.lifecycle, asOf: settings.asOf }, { prepared: ctx.prepared, sources: ctx.sources, kept });
      return { ...result, list: await lifecycleCustomersKept(db, result.windows, options.list ?? { limit: 50 }, kept) };
    },
    list: (db, opts: Parameters<typeof lifecycleCustomers>[1]) => lifecycleCustomers(db, opts),
    /** One stage's customers, the slipping ones, or all. */
    export: (db, opts: ExportAs & { stage?: Stage; slipping?: boolean }) => exportLifecycle(db, opts),
    async report(db, settings, ctx) {
      const summary = await lifecycle(db, { ...settings.lifecycle, asOf: asOf(settings) }, { prepared: ctx.prepared, sources: ctx.sources });
      const customers = (await lifecycleCustomers(db, { order: 'id' })).map(({ customer_id, stage, slipping }) => ({ customer_id, stage, slipping }));
      return { ...summary, customers };
    },
    segments: { table: 'lifecycle', columns: ['stage'] },
    customer360: { key: 'lifecycle', table: 'lifecycle', columns: ['stage', 'slipping'] },
    async share(db, result, { minGroup, lists }) {
      const part = shareLifecycle(result, minGroup);
      if (lists.includes('stages')) part.list = await lifecycleStageList(db);
      return part;
    },
    shareLists: LIFECYCLE_SHARE_LISTS,
  }),
  clv: defineModel({
    settingsKey: 'clv',
    defaults: { model: 'bgnbd', timeUnit: 'week', horizonMonths: 12, monthlyDiscount: 0.01, marginRate: 1 },
    lane: 'fit',
    reads: ['orders', 'customers'],
    writes: ['clv_customers'],
    run: (db, settings, ctx) => runClv(db, settings, ctx),
    /** A page of the scored customers, highest CLV first. */
    list: (db, opts: { limit?: number; offset?: number }) => clvCustomers(db, { ...opts, order: 'clv' }),
    /** Every scored customer, highest CLV first (the horizon names the expected purchases' column). */
    export: (db, opts: ExportAs & { horizonMonths?: number }) => exportClv(db, opts),
    /** The result with the whole model comparison (the command waits for it) and every customer's scores. */
    report: (db, settings, ctx) => reportClv(db, { ...settings, asOf: asOf(settings) }, ctx),
    /** What the cell shows: the comparison as far as it is fitted (`pending` names the rest); `top` when opted in. */
    share: (_db, result, { minGroup, lists }) => shareClv(result, minGroup, lists),
    shareLists: CLV_SHARE_LISTS,
    /** The chosen model's result, then the whole comparison (null from compareClv: the result was the whole one). */
    async complete(db, settings, ctx) {
      const first = await runClv(db, settings, ctx);
      return (await compareClv(await clvKey(db, settings, ctx), ctx)) ?? first;
    },
    customer360: { key: 'clv', table: 'clv_customers', columns: ['p_alive', 'expected_purchases', 'expected_spend', 'clv'] },
  }),
  churn: defineModel({
    settingsKey: 'churn',
    defaults: { pAliveBelow: 0.5, slipping: true },
    lane: 'fit',
    reads: ['orders', 'customers'],
    writes: ['churn_scores', 'churn_list'],
    key: (settings) => [asOf(settings), settings.clv, settings.churn],
    /** The warning list at the as-of date (P(alive) below the threshold or slipping), ranked by value at risk. */
    run: (db, settings, ctx) => runChurn(db, settings, ctx),
    list: (db, opts: { limit?: number; offset?: number }) => churnCustomers(db, opts),
    /** The whole warning list, ranked by value at risk. */
    export: (db, opts: ExportAs) => exportChurnList(db, opts),
    async report(db, settings, ctx) {
      const { ms: _, ...summary } = await runChurn(db, { ...settings, asOf: asOf(settings) }, ctx);
      return { ...summary, customers: await churnCustomers(db) };
    },
    /** Counts and value at risk by reason; the warning list's first page only when opted in. */
    share: (db, result, { minGroup, lists, settings }) => shareChurn(db, result, { minGroup, lists, horizonMonths: settings.clv?.horizonMonths ?? 12 }),
    shareLists: CHURN_SHARE_LISTS,
  }),
  basket: defineModel({
    settingsKey: 'basket',
    defaults: { minSupport: 0.01, minConfidence: 0.2, maxSize: 3, basketBy: 'product' },
    lane: 'sql',
    reads: ['orders', 'baskets'],
    writes: ['basket_tx', 'basket_labels', 'basket_pairs'],
    /** Rules (top 10,000 by lift), co-occurrence of the top items and timings; the transactions are kept between calls. */
    run: (db, settings, ctx) => runBasket(db, settings, ctx),
    /** A page of the cross-sell list of rule X → Y: customers who bought X but never Y, by value. */
    list: (db, { settings, rule, page }: { settings: ModelSettings; rule: RuleRef; page: { limit?: number; offset?: number } }) => crossSellPage(db, settings, rule, page),
    /** The whole cross-sell list of a rule. */
    export: (db, { settings, rule, ...as }: ExportAs & { settings: ModelSettings; rule: RuleRef }) => exportCrossSell(db, settings, rule, as),
    report: (db, settings, ctx) =>
      ctx.basketFile ? basket(db, { ...settings.basket, source: 'baskets' }) : basket(db, { ...settings.basket, source: 'orders', asOf: asOf(settings) }),
    /** Without products there are no baskets: run when asked for, or by default when the orders have products. */
    runsByDefault: async (db, ctx) => Boolean(ctx.basketFile) || hasBasketData(db, 'orders'),
    /** The run's counts, the first page of rules, the co-occurrence; the first rule's cross-sell list when opted in. */
    share: (db, result, { minGroup, lists, settings }) => shareBasket(db, result, { minGroup, lists, settings: { ...settings.basket, asOf: settings.asOf ?? null } }),
    shareLists: BASKET_SHARE_LISTS,
  }),
  clusters: defineModel({
    settingsKey: 'clusters',
    defaults: { k: K_DEFAULT },
    lane: 'sql',
    reads: ['orders'],
    writes: ['cluster_features', 'clusters', 'cluster_profiles'],
    // The scatter's axes are the cell's display settings: only k changes the fit.
    key: (settings) => [asOf(settings), settings.clusters?.k],
    run: clustersRun,
    list: (db, opts: Parameters<typeof clusterCustomers>[1]) => clusterCustomers(db, opts),
    /** One cluster's members, or all customers with their cluster. */
    export: (db, opts: ExportAs & { cluster: number | null }) => exportClusters(db, opts),
    async report(db, settings, ctx) {
      const { sample: _, elbow, ...result } = await clustersRun(db, { ...settings, asOf: asOf(settings) }, ctx);
      const customers = await rows<{ customer_id: string; cluster: number }>(db, 'SELECT customer_id, cluster FROM clusters ORDER BY customer_id');
      return { ...result, customers, elbow: elbow.points };
    },
    segments: { table: 'clusters', columns: ['cluster'] },
    /** Profiles (small clusters masked) and the elbow, never the scatter's customers; members when opted in. */
    share: (db, fit, { minGroup, lists, settings }) =>
      shareClusters(db, fit, { minGroup, lists, axes: [settings.clusters?.x ?? 'recency', settings.clusters?.y ?? 'monetary'] }),
    shareLists: CLUSTER_SHARE_LISTS,
    customer360: { key: 'cluster', table: 'clusters', columns: ['cluster'], names: { table: 'cluster_profiles', using: 'cluster', columns: ['name_zh', 'name_en'] } },
  }),
};

export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];

type Entry<N extends ModelName> = (typeof MODELS)[N];
/** What model `N`'s cell receives. */
export type ModelResult<N extends ModelName> = Entry<N> extends ModelEntry<infer R, infer _O, infer _LO, infer _L, infer _EO> ? R : never;
export type RunOptions<N extends ModelName> = Entry<N> extends ModelEntry<infer _R, infer O, infer _LO, infer _L, infer _EO> ? O : never;
export type ListOptions<N extends ModelName> = Entry<N> extends ModelEntry<infer _R, infer _O, infer LO, infer _L, infer _EO> ? LO : never;
export type ListPage<N extends ModelName> = Entry<N> extends ModelEntry<infer _R, infer _O, infer _LO, infer L, infer _EO> ? L : never;
export type ExportOptions<N extends ModelName> = Entry<N> extends ModelEntry<infer _R, infer _O, infer _LO, infer _L, infer EO> ? EO : never;

/** What identifies a model's result for these settings (besides the data version). */
export function resultKey(entry: ModelEntry, settings: ModelSettings): unknown {
  return entry.key ? entry.key(settings) : [asOf(settings), entry.settingsKey ? settings[entry.settingsKey] : null];
}

/** The notebook's cell kinds: one per model, in the registry's order. */
export function cellKinds<R extends Registry>(models: R): (keyof R & string)[] {
  return Object.keys(models);
}

/** The customer 360 view's model sections. */
export function customerSections(models: Registry): CustomerSection[] {
  return Object.values(models).flatMap((m) => (m.customer360 ? [m.customer360] : []));
}
