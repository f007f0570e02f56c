/** A filter in words, in one language: what a cell, the filter bar and a report say they show (MODELS.md §9). */
import type { Lang } from '../i18n/lang.ts';
import type { MessageKey } from '../i18n/zh.ts';
import { segmentName } from '../i18n/segments.ts';
import type { Filter } from '../models/filter.ts';

export type FilterField = 'dates' | 'region' | 'acquisition_channel' | 'order_channel' | 'category' | 'segment';

/** A segment value as the cells show it. */
export function segmentValueText(model: string, value: string | number, lang: Lang): string {
  if (model === 'rfm') return segmentName(String(value), lang.locale);
  if (model === 'abc') return lang.t(`abc.class.${value}` as MessageKey);
  if (model === 'lifecycle') return lang.t(`lifecycle.stage.${value}` as MessageKey);
  if (model === 'clusters') return lang.t('filter.cluster', { n: Number(value) });
  return String(value);
}

/** Each condition of a filter: its field and its text. */
export function filterParts(filter: Filter | null | undefined, lang: Lang): { field: FilterField; text: string }[] {
  if (!filter) return [];
  const out: { field: FilterField; text: string }[] = [];
  const sep = lang.t('filter.list.sep');
  if (filter.from || filter.to) {
    const from = filter.from ? lang.day(filter.from) : '';
    const to = filter.to ? lang.day(filter.to) : '';
    out.push({ field: 'dates', text: from && to ? lang.t('filter.dates', { from, to }) : from ? lang.t('filter.since', { from }) : lang.t('filter.until', { to }) });
  }
  for (const field of ['region', 'acquisition_channel', 'order_channel', 'category'] as const) {
    const values = filter[field];
    if (values?.length) out.push({ field, text: lang.t('filter.part', { field: lang.t(`filter.${field}`), values: values.join(sep) }) });
  }
  const seg = filter.segment;
  if (seg?.values.length) {
    const key = `filter.segment.${seg.model}` as MessageKey;
    const name = lang.t(key) === key ? seg.model : lang.t(key);
    out.push({ field: 'segment', text: lang.t('filter.part', { field: name, values: seg.values.map((v) => segmentValueText(seg.model, v, lang)).join(sep) }) });
  }
  return out;
}

/** The whole filter in one line, or '' when it keeps everything. */
export function filterText(filter: Filter | null | undefined, lang: Lang): string {
  return filterParts(filter, lang)
    .map((p) => p.text)
    .join(lang.t('filter.and'));
}
