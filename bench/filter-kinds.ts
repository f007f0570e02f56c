/**
 * What bench/filter.ts and bench/filter-ab.ts share: the customers file made for the orders' customers, and one new
 * filter of each kind.
 */
import type { Filter } from '../src/models/filter.ts';

const REGIONS = ['华东', '华南', '华北', '华中', '西南', '西北', '东北'];
const SOURCES = ['小程序', '天猫', '抖音', '门店'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A customers file for these ids: each customer's region and acquisition channel follow from the id (the same in every run). */
export function customersCsv(ids: readonly { id: string }[]): Uint8Array {
  const csv = ['客户编号,地区,注册渠道', ...ids.map(({ id }) => `${id},${REGIONS[hash(id) % REGIONS.length]},${SOURCES[(hash(id) >>> 8) % SOURCES.length]}`)];
  return new TextEncoder().encode(csv.join('\n'));
}

type Choices = Record<'order_channel' | 'region' | 'acquisition_channel' | 'category', { value: string }[]>;

/**
 * The i-th new filter of each kind: the most common value (a date range from a day in late 2023) with a value no row has
 * added to one of its lists (for dates, a first day one later each time), so that each is new and does the same work.
 * `segment`: the RFM segment to keep (the largest). i up to 10.
 */
export function filterKinds(choices: Choices, segment: string): Record<string, (i: number) => Filter> {
  const top = (list: { value: string }[], k = 0) => list[k].value;
  return {
    order_channel: (i) => ({ order_channel: [top(choices.order_channel), `none ${i}`] }),
    region: (i) => ({ region: [top(choices.region), `none ${i}`] }),
    acquisition_channel: (i) => ({ acquisition_channel: [top(choices.acquisition_channel), `none ${i}`] }),
    segment: (i) => ({ segment: { model: 'rfm', values: [segment, `none ${i}`] } }),
    date_range: (i) => ({ from: `2023-12-${21 + i}`, to: '2024-12-31' }),
    category: (i) => ({ category: [top(choices.category), `none ${i}`] }),
    region_and_order_channel: (i) => ({ region: [top(choices.region), `none ${i}`], order_channel: [top(choices.order_channel, 1)] }),
  };
}
