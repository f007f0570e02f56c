/**
 * The lead funnel (MODELS.md §5): 潜在 lead → 兴趣 engaged → 意向 intent → 成交 customer → 忠诚 loyal,
 * from a customers file (known people and their signup day) and/or an events file whose event names map
 * to stages, plus the purchases.
 *
 * Definitions chosen where §5 leaves them open:
 * - people = members of the customers file who signed up before D (or have no signup date), everyone
 *   with an event before D, and every customer with a purchase before D;
 * - a person's evidence of stage s is the first day of a record of exactly that stage: signup day or a
 *   lead-mapped event (lead), a mapped event (engaged, intent), the first purchase (customer), the day of
 *   the N-th purchase (loyal, N = loyalPurchases);
 * - reaching a stage implies the earlier ones: the day a person reached stage s is the earliest evidence
 *   of s or any later stage; each person counts once, at the furthest stage reached; conversion from s to
 *   the next stage = people who reached the next / people who reached s;
 * - the median time from s to the next stage is over people with evidence of both (so a purchase without
 *   a recorded inquiry does not add a zero-day intent → customer step), in whole days;
 * - without an events file, engaged and intent cannot be observed and are left out of the funnel.
 */
import { lit, one, rows, type Db } from '../db/db.ts';
import { dateLit } from './asof.ts';
import { ensureCustomerDays, ensureCutTable } from './customer-days.ts';
import { ensureTable, type Prepared } from './prepared.ts';

export const FUNNEL_STAGES = ['lead', 'engaged', 'intent', 'customer', 'loyal'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];
/** What an event name can stand for. */
export type EventStage = 'lead' | 'engaged' | 'intent' | 'ignore';
export const EVENT_STAGES: readonly EventStage[] = ['lead', 'engaged', 'intent', 'ignore'];

export interface FunnelSources {
  customers: boolean;
  events: boolean;
}

export interface FunnelStageRow {
  stage: FunnelStage;
  /** People whose furthest stage is this one. */
  furthest: number;
  /** People who reached this stage or a later one. */
  reached: number;
  /** reached / reached of the previous stage (null for the first stage). */
  conversion: number | null;
  /** Median days from the previous stage to this one (null for the first, or without evidence). */
  median_days: number | null;
  /** People the median is over. */
  timed: number;
}

export interface EventNameRow {
  event: string;
  events: number;
  customers: number;
  /** The stage in force (the user's choice, else the keyword default). */
  stage: EventStage;
  /** The keyword default. */
  suggested: EventStage;
}

export interface FunnelResult {
  sources: FunnelSources;
  loyal_purchases: number;
  people: number;
  stages: FunnelStageRow[];
  /** Event names in the events file with their mapping (empty without one). */
  events: EventNameRow[];
}

const KEYWORDS: [EventStage, RegExp][] = [
  ['ignore', /purchase|order|buy|checkout|pay|refund|购买|下单|支付|付款|退款/i],
  ['intent', /inquir|enquir|quot|trial|demo|sample|cart|咨询|询价|报价|试用|试饮|样品|加购|购物车/i],
  ['lead', /sign.?up|regist|lead|subscribe|注册|线索|留资|关注/i],
  ['engaged', /visit|view|brows|click|open|read|浏览|访问|查看|点击|阅读/i],
];

/**
 * The keyword default for an event name: visit/浏览 → engaged; inquiry/咨询, quote/报价, trial/试用 →
 * intent; signup/注册 → lead; purchase-like names → ignore (purchases come from the orders); any other
 * interaction → engaged.
 */
export function defaultEventStage(event: string): EventStage {
  for (const [stage, re] of KEYWORDS) if (re.test(event)) return stage;
  return 'engaged';
}

async function tableExists(db: Db, name: string): Promise<boolean> {
  // Views too: under a filter the canonical tables are views of the kept rows (src/models/filter.ts).
  const r = await one<{ n: number }>(
    db,
    `SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND table_name = ${lit(name)})
       + (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND view_name = ${lit(name)} AND NOT internal)::DOUBLE AS n`,
  );
  return r.n > 0;
}

/**
 * The funnel at D, or null without a customers or events file. Needs `life_customers` (built by the
 * lifecycle model for the same D) and `customer_days`; the day of the N-th purchase is counted here into `life_loyal`
 * (cid, loyal), over the customers with at least N purchases only.
 */
export async function funnel(
  db: Db,
  asOf: string,
  settings: { loyalPurchases?: number; eventStages?: Record<string, EventStage> },
  opts: { prepared?: Prepared; sources?: FunnelSources } = {},
): Promise<FunnelResult | null> {
  const sources = opts.sources ?? { customers: await tableExists(db, 'customers'), events: await tableExists(db, 'events') };
  if (!sources.customers && !sources.events) return null;
  const loyal = settings.loyalPurchases ?? 3;
  if (!Number.isInteger(loyal) || loyal < 2) throw new Error(`loyalPurchases must be a whole number ≥ 2, got ${loyal}`);
  const D = dateLit(asOf);

  let names: EventNameRow[] = [];
  if (sources.events) {
    await ensureTable(db, opts.prepared, 'event_firsts', 'data', () =>
      `SELECT customer_id, event, min(event_ts)::DATE AS first_day, count(*)::DOUBLE AS events
       FROM events WHERE customer_id IS NOT NULL AND event_ts IS NOT NULL AND event IS NOT NULL AND event <> '' GROUP BY ALL`,
    );
    const counts = await rows<{ event: string; events: number; customers: number }>(
      db,
      `SELECT event, sum(events)::DOUBLE AS events, count(*)::DOUBLE AS customers FROM event_firsts GROUP BY event ORDER BY events DESC, event`,
    );
    names = counts.map((c) => {
      const suggested = defaultEventStage(c.event);
      const chosen = settings.eventStages?.[c.event];
      return { ...c, suggested, stage: chosen && EVENT_STAGES.includes(chosen) ? chosen : suggested };
    });
  }
  // The day of each customer's N-th purchase before D: a customer's own (cut out of the unfiltered data's under a
  // filter keeping whole customers, when those are for the same D and N).
  const days = await ensureCustomerDays(db, opts.prepared);
  await ensureCutTable(
    db,
    opts.prepared,
    'life_loyal',
    `${days}|${asOf}|${loyal}`,
    () => `SELECT cid, min(order_day) AS loyal
      FROM (SELECT cid, order_day, sum(purchases) OVER (PARTITION BY cid ORDER BY order_day) AS cum
            FROM customer_days WHERE order_day < ${D} AND cid IN (SELECT cid FROM life_customers WHERE purchases >= ${loyal}))
      WHERE cum >= ${loyal} GROUP BY cid`,
    (t) => `SELECT l.* REPLACE (n.cid AS cid) FROM ${t} l JOIN customer_cut n ON l.cid = n.was`,
  );
  const shown = FUNNEL_STAGES.filter((s) => sources.events || (s !== 'engaged' && s !== 'intent'));
  const mapping = names.map((n) => `(${lit(n.event)}, '${n.stage}')`).join(', ');
  const evidence = (stage: EventStage) => `min(first_day) FILTER (WHERE stage = '${stage}')`;
  // Each source one row per person, joined once by id: the customers file's known people (a person with a signup day
  // before D is known), everyone with an event before D (with their mapped evidence), and the customers with a purchase
  // before D (with the day of their N-th, joined by the integer cid). A person with customers-file rows but none known
  // has no signup day before D either, so leaving them out of the first source loses no evidence.
  const parts: { sql: string; columns: string }[] = [
    sources.customers
      ? {
          sql: `SELECT customer_id, min(first_seen) FILTER (WHERE first_seen < ${D})::DATE AS signup
            FROM customers WHERE customer_id IS NOT NULL GROUP BY customer_id HAVING bool_or(first_seen IS NULL OR first_seen < ${D})`,
          columns: 'signup',
        }
      : { sql: '', columns: 'NULL::DATE AS signup' },
    sources.events
      ? {
          sql: `SELECT customer_id, ${mapping ? `${evidence('lead')} AS lead_ev, ${evidence('engaged')} AS engaged, ${evidence('intent')} AS intent` : 'NULL::DATE AS lead_ev, NULL::DATE AS engaged, NULL::DATE AS intent'}
            FROM event_firsts${mapping ? ` LEFT JOIN (VALUES ${mapping}) m(event, stage) USING (event)` : ''} WHERE first_day < ${D} GROUP BY customer_id`,
          columns: 'lead_ev, engaged, intent',
        }
      : { sql: '', columns: 'NULL::DATE AS lead_ev, NULL::DATE AS engaged, NULL::DATE AS intent' },
    { sql: `SELECT b.customer_id, b.first_day, l.loyal FROM life_customers b LEFT JOIN life_loyal l USING (cid)`, columns: 'first_day, loyal' },
  ];
  // The sources present, joined in turn: each join's id is the one of either side.
  const present = parts.filter((p) => p.sql);
  let joined = `(${present[0].sql})`;
  for (const p of present.slice(1)) {
    joined = `(SELECT coalesce(x.customer_id, y.customer_id) AS customer_id, x.* EXCLUDE (customer_id), y.* EXCLUDE (customer_id)
      FROM ${joined} x FULL JOIN (${p.sql}) y ON x.customer_id = y.customer_id)`;
  }
  const sql = `WITH e AS (SELECT ${parts.map((p) => p.columns).join(', ')} FROM ${joined}),
    e2 AS (SELECT least(signup, lead_ev) AS e_lead, engaged AS e_engaged, intent AS e_intent, first_day AS e_customer, loyal AS e_loyal FROM e),
    t AS (SELECT *, e_loyal AS t_loyal, least(e_customer, e_loyal) AS t_customer, least(e_intent, e_customer, e_loyal) AS t_intent,
        least(e_engaged, e_intent, e_customer, e_loyal) AS t_engaged, least(e_lead, e_engaged, e_intent, e_customer, e_loyal) AS t_lead FROM e2)
    SELECT count(*)::DOUBLE AS lead,
      count(t_engaged)::DOUBLE AS engaged, count(t_intent)::DOUBLE AS intent, count(t_customer)::DOUBLE AS customer, count(t_loyal)::DOUBLE AS loyal,
      ${shown
        .slice(1)
        .map((stage, i) => {
          const both = `e_${shown[i]} IS NOT NULL AND e_${stage} IS NOT NULL`;
          return `median(t_${stage} - t_${shown[i]}) FILTER (WHERE ${both})::DOUBLE AS m_${stage}, count(*) FILTER (WHERE ${both})::DOUBLE AS n_${stage}`;
        })
        .join(',\n      ')}
    FROM t`;
  const r = await one<Record<string, number | null>>(db, sql);
  const stages: FunnelStageRow[] = shown.map((stage, i) => {
    const reached = r[stage] as number;
    const next = shown[i + 1];
    const prev = shown[i - 1];
    return {
      stage,
      furthest: reached - (next ? (r[next] as number) : 0),
      reached,
      conversion: prev === undefined ? null : (r[prev] as number) > 0 ? reached / (r[prev] as number) : null,
      median_days: prev === undefined ? null : (r[`m_${stage}`] ?? null),
      timed: prev === undefined ? 0 : (r[`n_${stage}`] as number),
    };
  });
  return { sources, loyal_purchases: loyal, people: r.lead as number, stages, events: names };
}
