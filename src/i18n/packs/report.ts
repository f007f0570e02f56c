/** Messages of reports (the share link, the report file, the report dialog): zh is the reference set of keys. */
export const zh = {
  'report.asof': '分析基准日 {date}',
  'report.created': '生成于 {date}',
  'report.sources': '数据来源',
  'report.source.rows': '{file}：{rows} 行（载入 {loaded} 行）',
  'report.source.rows_only': '{file}：{rows} 行',
  'report.privacy': '本报告只包含汇总结果，不含客户编号、姓名或联系方式。少于 {n} 位客户的分组只显示“< {n}”，不显示其金额和均值。',
  'report.privacy.lists': '本报告包含以下客户名单（由制作者选择加入）：{lists}。',
  'report.below': '< {n}',
  'report.hidden': '—',
  'report.note': '说明',
  'report.cell.error': '此单元在这些数据上没有结果：{message}',
  'report.cell.unknown': '此报告包含本版本无法显示的单元（{kind}）。',
  'report.footer': '由客户分析笔记本生成。所有数值在制作者的浏览器中计算，本文件不向任何地址发出请求。',
} as const;

export const en: Record<keyof typeof zh, string> = {
  'report.asof': 'As of {date}',
  'report.created': 'Made on {date}',
  'report.sources': 'Data',
  'report.source.rows': '{file}: {rows} rows ({loaded} loaded)',
  'report.source.rows_only': '{file}: {rows} rows',
  'report.privacy': 'This report holds aggregates only: no customer ids, names or contact details. Groups of fewer than {n} customers show "< {n}" and hide their amounts and means.',
  'report.privacy.lists': 'This report holds these customer lists (opted in by its author): {lists}.',
  'report.below': '< {n}',
  'report.hidden': '—',
  'report.note': 'Note',
  'report.cell.error': 'This cell has no result on these data: {message}',
  'report.cell.unknown': 'This report holds a cell this version cannot show ({kind}).',
  'report.footer': 'Made with CRM Notebook. Every number was computed in its author\'s browser; this file makes no request to any address.',
};
