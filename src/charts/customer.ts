/** The customer 360 view's charts: the purchase timeline and the events under it, on one time axis. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { Customer360, CustomerOrder } from '../models/customer360.ts';
import { timeTick } from './time.ts';

const KIND_COLOR: Record<CustomerOrder['kind'], string> = { purchase: '#1f5f8b', refunded: '#9aa5b1', refund: '#b3261e' };
const date = (ts: string) => new Date(ts.replace(' ', 'T') + ':00Z');
const minute = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');

/** An order's kind as the user reads it. */
export const orderKindName = (o: CustomerOrder, lang: Lang) => lang.t(o.partly_refunded ? 'customer.kind.partly' : `customer.kind.${o.kind}`);

/** One time domain for both charts, so events line up under purchases (padded a little); null without orders or events. */
export function customerTimeDomain(data: Customer360): [Date, Date] | null {
  const times = [...data.orders.map((o) => date(o.ts).getTime()), ...(data.events ?? []).map((e) => date(e.ts).getTime())];
  if (!times.length) return null;
  const lo = Math.min(...times);
  const hi = Math.max(...times);
  const pad = Math.max((hi - lo) * 0.03, 5 * 86_400_000);
  return [new Date(lo - pad), new Date(hi + pad)];
}

/** The customer's orders as stems by amount, coloured by kind (purchase, refunded, refund). */
export function customerTimeline(data: Customer360, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const orders = data.orders.map((o) => ({ ...o, date: date(o.ts) }));
  return {
    width,
    height: 200,
    marginLeft: 56,
    x: { type: 'utc', domain: customerTimeDomain(data) ?? undefined, label: null, tickFormat: timeTick(lang) },
    y: { label: t('customer.timeline.amount'), grid: true, tickFormat: (v: number) => lang.compact(v) },
    color: { domain: Object.keys(KIND_COLOR), range: Object.values(KIND_COLOR) },
    style: { fontSize: '12px' },
    marks: [
      Plot.ruleY([0]),
      Plot.ruleX(orders, { x: 'date', y1: 0, y2: 'amount', stroke: 'kind', strokeOpacity: 0.5 }),
      Plot.dot(orders, {
        x: 'date',
        y: 'amount',
        fill: 'kind',
        r: 3.5,
        // The time under its own word (the x channel's label would be the field's name).
        channels: {
          [t('customer.date')]: (d: { date: Date }) => minute(d.date),
          [t('customer.order_id')]: (d: CustomerOrder) => d.order_id ?? '',
          [t('customer.kind')]: (d: CustomerOrder) => orderKindName(d, lang),
        },
        tip: { format: { x: false, y: (v: number) => lang.money(v), fill: false } },
      }),
    ],
  };
}

/** The customer's events as ticks, one row per event name, on the timeline's time axis. */
export function customerEvents(data: Customer360, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const events = (data.events ?? []).map((e) => ({ ...e, date: date(e.ts) }));
  const kinds = [...new Set(events.map((e) => e.event))];
  return {
    width,
    height: 30 + kinds.length * 22,
    marginLeft: 56,
    x: { type: 'utc', domain: customerTimeDomain(data) ?? undefined, label: null, axis: null },
    y: { label: null, domain: kinds },
    style: { fontSize: '12px' },
    marks: [
      Plot.tickX(events, {
        x: 'date',
        y: 'event',
        stroke: '#e0892b',
        strokeWidth: 1.5,
        channels: { [t('customer.date')]: (d: { date: Date }) => minute(d.date), [t('customer.event')]: 'event' },
        tip: { format: { x: false, y: false } },
      }),
    ],
  };
}
