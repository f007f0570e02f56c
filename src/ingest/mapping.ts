/** Guess which source column holds each canonical field, from header names (Chinese and English) and values. */
import { ident, one, rows, type Db } from '../db/db.ts';

export const ORDER_FIELDS = ['customer_id', 'order_ts', 'amount', 'order_id', 'product', 'category', 'quantity', 'unit_price', 'channel', 'status'] as const;
export const CUSTOMER_FIELDS = ['customer_id', 'first_seen', 'name', 'phone', 'email', 'region', 'channel'] as const;
export const EVENT_FIELDS = ['customer_id', 'event_ts', 'event'] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];
export type CustomerField = (typeof CUSTOMER_FIELDS)[number];
export type EventField = (typeof EVENT_FIELDS)[number];
export type Field = OrderField | CustomerField | EventField;

/** Canonical field → source column name (absent fields are left out). */
export type Mapping = Partial<Record<Field, string>>;
export type Role = 'orders' | 'customers' | 'events' | 'baskets';

/** Header names per field, normalized (lower case, no spaces, underscores or dashes). Earlier wins. */
const NAMES: Record<Field, string[]> = {
  customer_id: ['customerid', 'customer_id', '客户编号', '客户id', '会员id', '会员编号', '用户id', '用户编号', '顾客编号', '顾客id', '买家id', '买家编号', 'custid', 'clientid', 'memberid', 'userid', 'buyerid', 'customerno', 'customernumber', 'customer', 'client', '客户', '会员', '买家', '用户', 'masterid'],
  order_ts: ['ordertimestamp', 'orderts', 'orderdate', 'ordertime', 'invoicedate', 'purchasedate', 'transactiondate', '下单时间', '订单日期', '订单时间', '下单日期', '交易时间', '交易日期', '支付时间', '付款时间', '成交时间', '购买时间', '购买日期', 'date', 'datetime', 'timestamp', 'time', 'createdat', '日期', '时间'],
  amount: ['amount', 'netamount', 'orderamount', 'totalamount', 'linetotal', 'revenue', 'sales', 'total', 'dollarvalue', 'value', 'payment', 'paid', 'spend', '实付金额', '实收金额', '支付金额', '订单金额', '成交金额', '交易金额', '销售额', '销售金额', '消费金额', '消费额', '金额', '实付', '应付金额', '消费'],
  order_id: ['orderid', 'orderno', 'ordernumber', 'invoiceno', 'invoice', 'invoiceid', 'transactionid', 'receiptno', '订单号', '订单编号', '订单id', '单号', '交易号', '交易单号', '流水号'],
  product: ['productname', 'itemname', 'description', 'product', 'item', 'goods', '商品名称', '产品名称', '商品', '产品', '品名', '宝贝名称', 'stockcode', 'sku', 'productid', 'itemid', '商品编码', '商品编号', '货号'],
  category: ['category', 'productcategory', 'department', 'class', '品类', '类目', '分类', '商品类别', '商品分类', '类别'],
  quantity: ['quantity', 'qty', 'numberofcds', 'units', 'pieces', '数量', '件数', '购买数量', '商品数量'],
  unit_price: ['unitprice', 'price', 'itemprice', '单价', '价格', '售价', '商品单价'],
  channel: ['channel', 'saleschannel', 'source', 'platform', 'store', '渠道', '销售渠道', '来源', '平台', '店铺', '注册渠道'],
  status: ['status', 'orderstatus', 'state', '订单状态', '状态', '交易状态'],
  first_seen: ['signupdate', 'registeredat', 'registrationdate', 'firstseen', 'createdat', 'joindate', '注册时间', '注册日期', '开卡时间', '首次到店'],
  name: ['name', 'customername', 'fullname', '姓名', '客户名称', '客户姓名', '名称', '昵称'],
  phone: ['phone', 'mobile', 'tel', 'telephone', '手机', '手机号', '电话', '联系电话'],
  email: ['email', 'mail', '邮箱', '电子邮件'],
  region: ['region', 'province', 'city', 'area', 'country', 'state', '地区', '区域', '省份', '城市', '大区'],
  event_ts: ['eventts', 'eventtime', 'eventdate', 'timestamp', 'time', 'date', '时间', '日期', '事件时间'],
  event: ['event', 'eventname', 'eventtype', 'action', 'stage', 'type', '事件', '行为', '阶段', '类型'],
};

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.()（）]/g, '');
}

/** What the values of one column look like, measured on a sample. */
export interface ColumnProfile {
  column: string;
  samples: string[];
  nonNull: number;
  distinct: number;
  date: number;
  numeric: number;
  decimal: number;
  integer: number;
  /**
   * A row index left by another tool: the first column, with no header of its own (see `indexLikeName`), holding
   * consecutive integers from 0 or 1. It is not data: not mapped, and left out when rows are compared for duplicates.
   */
  rowIndex: boolean;
}

/**
 * A name the first column gets when it had no header, whatever the format: blank, the name a reader gives a blank
 * header (DuckDB's CSV reader `column0`; the XLSX, JSON and Parquet readers `column1`, as does a headerless
 * whitespace file), or what tools call a row index they wrote (pandas `Unnamed: 0`, `__index_level_0__`, `index`).
 */
export function indexLikeName(name: string): boolean {
  return /^(|column0*[01]|unnamed:?\s*0|index|__index_level_0__)$/i.test(name.trim());
}

const DATE_LIKE = `(regexp_full_match(v, '\\d{4}[-/.年]\\d{1,2}[-/.月]\\d{1,2}日?([ T]\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?Z?')
  OR regexp_full_match(v, '\\d{1,2}/\\d{1,2}/\\d{2,4}( \\d{1,2}:\\d{2}(:\\d{2})?)?')
  OR (regexp_full_match(v, '(19|20)\\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\\d|3[01])')))`;
const NUMERIC = `regexp_full_match(v, '[-+(]?[¥￥$€£]?\\s*\\d[\\d,]*(\\.\\d+)?\\)?')`;

/**
 * Profile every column of a raw table on its first rows. The last line of the sample is found first (a scan of one
 * integer column), so that the profile reads only the row groups holding the sample rather than sorting every column
 * of the table.
 */
export async function profileColumns(db: Db, table: string, columns: string[], sample = 2000): Promise<ColumnProfile[]> {
  if (columns.length === 0) return [];
  const { last } = await one<{ last: number | null }>(
    db,
    `SELECT max(__line)::DOUBLE AS last FROM (SELECT __line FROM ${ident(table)} ORDER BY __line LIMIT ${sample})`,
  );
  const parts = columns.map(
    (c, i) => `SELECT ${i} AS i, count(v)::DOUBLE AS non_null, count(DISTINCT v)::DOUBLE AS distinct_,
      count(*) FILTER (WHERE ${DATE_LIKE})::DOUBLE AS date_,
      count(*) FILTER (WHERE ${NUMERIC})::DOUBLE AS numeric_,
      count(*) FILTER (WHERE regexp_full_match(v, '[-+]?\\d[\\d,]*\\.\\d+'))::DOUBLE AS decimal_,
      count(*) FILTER (WHERE regexp_full_match(v, '[-+]?\\d+'))::DOUBLE AS integer_,
      (min(try_cast(v AS BIGINT)) IN (0, 1) AND max(try_cast(v AS BIGINT)) - min(try_cast(v AS BIGINT)) + 1 = count(*)
        AND count(DISTINCT v) = count(*) AND count(try_cast(v AS BIGINT)) = count(*)) AS row_index,
      list(v ORDER BY __line) FILTER (WHERE v IS NOT NULL AND v <> '')[1:5] AS samples
      FROM (SELECT __line, nullif(trim(${ident(c)}), '') AS v FROM s)`,
  );
  const result = await rows<Record<string, unknown>>(
    db,
    `WITH s AS (SELECT * FROM ${ident(table)} WHERE __line <= ${last ?? 0}) ${parts.join(' UNION ALL ')} ORDER BY i`,
  );
  return result.map((r, i) => ({
    column: columns[i],
    samples: Array.from((r.samples as ArrayLike<string> | null) ?? []),
    nonNull: r.non_null as number,
    distinct: r.distinct_ as number,
    date: r.date_ as number,
    numeric: r.numeric_ as number,
    decimal: r.decimal_ as number,
    integer: r.integer_ as number,
    rowIndex: Boolean(r.row_index) && i === 0 && indexLikeName(columns[i]),
  }));
}

/**
 * Decide which kind of table a source is from its columns. Each column is read as the one field its name fits best
 * over every role (`name` is a customer's name before it is part of `eventname`), a partial name only when the values
 * fit that field. Orders: a column read as money (amount, price, quantity, spend…), mostly decimal values, or a
 * column named exactly like an order id or an order's date. Events: a column read as the event, beside a column of
 * dates. Otherwise customers.
 */
export function guessRole(profiles: ColumnProfile[], format: string): Role {
  if (format === 'baskets') return 'baskets';
  const usable = profiles.filter((p) => !p.rowIndex);
  const read = usable.map((p) => bestField(p));
  const readAs = (fields: Field[]) => read.some((r) => r && fields.includes(r.field));
  const money = readAs(['amount', 'unit_price', 'quantity']) || usable.some((p) => p.decimal > p.nonNull * 0.5);
  const orderNamed = usable.some((p) => isExact(p.column, 'order_id') || ORDER_DATE_NAMES.includes(normalizeName(p.column)));
  if (money || orderNamed) return 'orders';
  if (readAs(['event']) && usable.some((p) => p.date > p.nonNull * 0.8)) return 'events';
  return 'customers';
}

/** The names of an order's date that say it is an order's (`orderdate`, `下单时间`, …): those before the plain `date`. */
const ORDER_DATE_NAMES = NAMES.order_ts.slice(0, NAMES.order_ts.indexOf('date'));

const ALL_FIELDS = [...new Set<Field>([...ORDER_FIELDS, ...CUSTOMER_FIELDS, ...EVENT_FIELDS])];

/** The field a column's name fits best over every role (a partial name only with values that fit), if any. */
function bestField(p: ColumnProfile): { field: Field; score: number } | undefined {
  let best: { field: Field; score: number } | undefined;
  for (const field of ALL_FIELDS) {
    const score = fitScore(p, field);
    if (score > 0 && (!best || score > best.score)) best = { field, score };
  }
  return best;
}

function isExact(column: string, field: Field): boolean {
  return NAMES[field].includes(normalizeName(column));
}

/** `matchScore`, with a partial name match kept only when the column's values fit the field. */
function fitScore(p: ColumnProfile, field: Field): number {
  const score = matchScore(p.column, field);
  return score > 0 && score < 1000 - NAMES[field].length && !valuesFit(field, p) ? 0 : score;
}

/** How well a header name names `field`: 1000-ish for an exact known name, 500-ish for a partial one, 0 for none. */
export function matchScore(column: string, field: Field): number {
  const n = normalizeName(column);
  const names = NAMES[field];
  const exact = names.indexOf(n);
  if (exact >= 0) return 1000 - exact;
  const partial = names.findIndex((k) => k.length >= 2 && (n.includes(k) || (k.length >= 4 && k.includes(n) && n.length >= 4)));
  return partial >= 0 ? 500 - partial : 0;
}

const FIELDS_BY_ROLE: Record<Role, readonly Field[]> = {
  orders: ORDER_FIELDS,
  customers: CUSTOMER_FIELDS,
  events: EVENT_FIELDS,
  baskets: [],
};

/** Guess a mapping for `role`: names first, then values for required fields the names did not find. */
export function guessMapping(profiles: ColumnProfile[], role: Role): Mapping {
  const usable = profiles.filter((p) => !p.rowIndex);
  const fields = FIELDS_BY_ROLE[role];
  const candidates: { field: Field; column: string; score: number }[] = [];
  for (const field of fields)
    for (const p of usable) {
      // A partial name match needs values that fit; an exact one is trusted (values that do not fit are counted as
      // faults when cleaning, with their lines).
      const score = fitScore(p, field);
      if (score > 0) candidates.push({ field, column: p.column, score });
    }
  candidates.sort((x, y) => y.score - x.score);
  const mapping: Mapping = {};
  const used = new Set<string>();
  for (const c of candidates) {
    if (mapping[c.field] || used.has(c.column)) continue;
    mapping[c.field] = c.column;
    used.add(c.column);
  }
  // Values decide only among columns no name claimed; a second column under a mapped header (`amount` twice) is left
  // for the user to choose, with a note (see `mappingNotes`), not read as some other field.
  const columns = profiles.map((p) => p.column);
  const free = usable.filter((p) => !used.has(p.column) && p.nonNull > 0 && !sameHeader(columns, p.column).some((c) => used.has(c)));
  const take = (field: Field, pick: (p: ColumnProfile) => boolean) => {
    if (mapping[field] || !fields.includes(field)) return;
    const p = free.find((q) => !used.has(q.column) && pick(q));
    if (p) {
      mapping[field] = p.column;
      used.add(p.column);
    }
  };
  const dateField: Field = role === 'events' ? 'event_ts' : role === 'customers' ? 'first_seen' : 'order_ts';
  take(dateField, (p) => p.date >= p.nonNull * 0.9);
  take('customer_id', (p) => p.date < p.nonNull * 0.5 && p.decimal < p.nonNull * 0.1 && p.distinct > 1);
  if (role === 'orders') {
    const numbers = free.filter((p) => !used.has(p.column) && p.numeric >= p.nonNull * 0.9);
    const decimals = numbers.filter((p) => p.decimal > 0);
    // Whole-number amounts: the one number column left is the amount (as a quantity, without a price, it gives none).
    const amount = decimals[decimals.length - 1] ?? (numbers.length === 1 && !mapping.quantity ? numbers[0] : undefined);
    if (!mapping.amount && !mapping.unit_price && amount) {
      mapping.amount = amount.column;
      used.add(amount.column);
    }
    take('quantity', (p) => p.integer >= p.nonNull * 0.9 && p.distinct < 200);
  }
  return mapping;
}

function valuesFit(field: Field, p: ColumnProfile): boolean {
  if (p.nonNull === 0) return true;
  switch (field) {
    case 'order_ts':
    case 'event_ts':
    case 'first_seen':
      return p.date >= p.nonNull * 0.5 || p.numeric >= p.nonNull * 0.9;
    case 'amount':
    case 'unit_price':
    case 'quantity':
      return p.numeric >= p.nonNull * 0.5;
    default:
      return true;
  }
}

/** Which fields a role needs before any model can run. */
export function missingRequired(mapping: Mapping, role: Role): Field[] {
  const need: Field[] =
    role === 'orders' ? ['customer_id', 'order_ts'] : role === 'events' ? ['customer_id', 'event_ts', 'event'] : role === 'customers' ? ['customer_id'] : [];
  const missing = need.filter((f) => !mapping[f]);
  if (role === 'orders' && !mapping.amount && !(mapping.quantity && mapping.unit_price)) missing.push('amount');
  return missing;
}

/** What the guess of a mapping should tell the user: a field read from one of several columns under the same header. */
export interface MappingNote {
  code: 'duplicate_header';
  field: Field;
  /** The column the field is read from. */
  column: string;
  /** Every column under that header, as the reader named them (`amount`, `amount_1`). */
  columns: string[];
}

/**
 * The columns that stand under the same header as `column`: readers keep a repeated header apart by a suffix
 * (DuckDB `amount_1`, the other readers `amount_2`, compared without case, as DuckDB does).
 */
export function sameHeader(columns: readonly string[], column: string): string[] {
  const lower = columns.map((c) => c.toLowerCase());
  const suffixed = /^(.*)_\d+$/.exec(column.toLowerCase());
  const base = suffixed && lower.includes(suffixed[1]) ? suffixed[1] : column.toLowerCase();
  const group = columns.filter((_, i) => lower[i] === base || (lower[i].startsWith(base + '_') && /^\d+$/.test(lower[i].slice(base.length + 1))));
  return group.length > 1 ? group : [];
}

/** Notes on `mapping` for the user: each mapped field whose header the file has more than once. */
export function mappingNotes(columns: readonly string[], mapping: Mapping): MappingNote[] {
  const notes: MappingNote[] = [];
  for (const field of ALL_FIELDS) {
    const column = mapping[field];
    if (!column) continue;
    const group = sameHeader(columns, column);
    if (group.length) notes.push({ code: 'duplicate_header', field, column, columns: group });
  }
  return notes;
}
