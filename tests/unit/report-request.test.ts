// What the report panel and the headless command ask for by default, and what a link opens to: the default title,
// the cells chosen (hidden ones out, SQL only when ticked, lists only those the model allows), the file name, and
// each way a link can fail, said in both languages.
import { describe, expect, it } from 'vitest';
import { lang } from '../../src/i18n/lang.ts';
import { encodeFragment } from '../../src/notebook/share-codec.ts';
import { REPORT_VERSION, type Report } from '../../src/report/format.ts';
import { linkProblemText, openLink } from '../../src/report/open-link.ts';
import { defaultTitle, reportFileName, reportRequest, shareKinds, type RequestCell } from '../../src/report/request.ts';
import { MODELS } from '../../src/models/registry.ts';

const kinds = { overview: [], rfm: ['segment_customers'] };

describe('report request', () => {
  it('titles a report with the orders file (without its extension) and the as-of date, in the language asked', () => {
    expect(defaultTitle('sample-orders.csv', '2026-01-01', lang('en'))).toBe('sample-orders · as of Jan 1, 2026');
    expect(defaultTitle('订单示例.csv', '2026-01-01', lang('zh'))).toBe('订单示例 · 截至 2026年1月1日');
    expect(defaultTitle('orders.2024.xlsx', null, lang('en'))).toBe('orders.2024');
  });

  it('takes by default every model cell with a report part and every note with text, unless hidden; SQL only when ticked in', () => {
    const cells: RequestCell[] = [
      { id: 'a', kind: 'overview' },
      { id: 'b', kind: 'rfm', hidden: true },
      { id: 'c', kind: 'clusters' },
      { id: 'd', kind: 'note', note: '  ' },
      { id: 'e', kind: 'note', note: 'Q4 was strong', title: ' Summary ' },
      { id: 'f', kind: 'sql', sql: 'SELECT 1' },
      { id: 'g', kind: 'sql', sql: 'SELECT 2', inReport: true },
      { id: 'h', kind: 'rfm', settings: { monetary: 'mean' }, reportLists: ['segment_customers', 'not_a_list'], note: 'Mean spend' },
    ];
    const req = reportRequest({ title: ' Client A ', sources: [], cells, kinds });
    expect(req).toEqual({
      title: 'Client A',
      minGroup: 5,
      sources: [],
      cells: [
        { kind: 'overview' },
        { kind: 'note', title: 'Summary', note: 'Q4 was strong' },
        { kind: 'sql', sql: 'SELECT 2', inReport: true },
        { kind: 'rfm', note: 'Mean spend', settings: { monetary: 'mean' }, lists: ['segment_customers'] },
      ],
    });
  });

  it('follows the consultant\'s choice of cells, keeps the notebook\'s order and never goes below the smallest group', () => {
    const cells: RequestCell[] = [
      { id: 'a', kind: 'overview' },
      { id: 'b', kind: 'rfm', hidden: true },
      { id: 'c', kind: 'clusters' },
    ];
    const req = reportRequest({ title: 'x', minGroup: 2, sources: [], cells, kinds, chosen: new Set(['b', 'a', 'c']) });
    expect(req.cells.map((c) => c.kind)).toEqual(['overview', 'rfm']);
    expect(req.minGroup).toBe(3);
  });

  it('knows the registry\'s kinds that have a report part', () => {
    const k = shareKinds(MODELS);
    expect(Object.keys(k)).toContain('overview');
    for (const [kind, lists] of Object.entries(k)) {
      expect(MODELS[kind as keyof typeof MODELS].share).toBeTypeOf('function');
      expect(lists).toEqual([...(MODELS[kind as keyof typeof MODELS].shareLists ?? [])]);
    }
  });

  it('names the file after the title, without characters file systems refuse', () => {
    expect(reportFileName('客户报告 2026/Q1: "draft" <v2>?')).toBe('客户报告 2026 Q1 draft v2.html');
    expect(reportFileName('..hidden')).toBe('hidden.html');
    expect(reportFileName(' / ')).toBe('report.html');
  });
});

const report: Report = { version: REPORT_VERSION, title: 'T', created: '2026-01-02', asOf: '2026-01-01', sources: [], minGroup: 5, cells: [{ kind: 'overview' }] };

describe('opening a link', () => {
  it('opens a plain and a sealed report, asks for the password and refuses a wrong one', async () => {
    expect(await openLink('#' + (await encodeFragment(report)))).toEqual({ state: 'report', report });
    const sealed = '#' + (await encodeFragment(report, 'pw'));
    expect(await openLink(sealed)).toEqual({ state: 'password', wrong: false });
    expect(await openLink(sealed, 'pW')).toEqual({ state: 'password', wrong: true });
    expect(await openLink(sealed, 'pw')).toEqual({ state: 'report', report });
  });

  it('says why a link cannot be opened, in both languages', async () => {
    const plain = await encodeFragment(report);
    const cases = [
      ['#' + plain.slice(0, -30), 'malformed', 'The link is incomplete or damaged', '链接不完整或已损坏'],
      ['#r=1.', 'malformed', 'The link is incomplete', '链接不完整'],
      ['#r=3.AAAA', 'version', 'format version (3)', '格式版本（3）'],
      ['#' + (await encodeFragment({ ...report, version: 9 })), 'version', 'format version (9)', '格式版本（9）'],
      ['#' + (await encodeFragment({ rows: [1, 2] })), 'not_report', 'what it holds is not a report', '其中的内容不是报告'],
      ['#' + (await encodeFragment({ ...report, cells: 'none' })), 'not_report', 'not a report', '不是报告'],
    ] as const;
    for (const [fragment, problem, en, zh] of cases) {
      const outcome = await openLink(fragment);
      expect(outcome.state, fragment).toBe('error');
      if (outcome.state !== 'error') continue;
      expect(outcome.problem, fragment).toBe(problem);
      expect(linkProblemText(outcome, lang('en'))).toContain(en);
      expect(linkProblemText(outcome, lang('zh'))).toContain(zh);
    }
  });
});
