/** The report's stylesheet: the link view in the page and the report file (inline there), screen and print. */
export const REPORT_CSS = `
.report { --bg:#f4f6f8; --surface:#fff; --ink:#1c2430; --muted:#627080; --line:#e3e8ee; --accent:#1f5f8b; --accent-soft:#e3eef7; --good:#2c7a4b; --warn:#a8650d; --bad:#b3261e;
  max-width: 980px; margin: 0 auto; padding: 24px 20px 40px; color: var(--ink);
  font: 14px/1.55 -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; }
.report h1 { font-size: 24px; margin: 0 0 6px; }
.report h2 { font-size: 18px; margin: 0 0 10px; }
.report h3 { font-size: 15px; margin: 16px 0 8px; }
.report .meta, .report .sub { color: var(--muted); margin: 2px 0; }
.report .privacy { color: var(--good); font-size: 13px; margin: 10px 0 0; }
.report .cell { background: var(--surface); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px; margin: 16px 0; overflow-wrap: anywhere; }
.report .note { border-left: 3px solid var(--accent); background: var(--accent-soft); padding: 6px 12px; margin: 0 0 12px; border-radius: 0 8px 8px 0; }
.report .note p, .report .note-cell p { margin: 4px 0; white-space: pre-wrap; }
.report pre.sql { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; background: var(--bg); border-radius: 6px; padding: 8px 10px; margin: 0 0 8px; white-space: pre-wrap; }
.report .md-url { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.report .note pre, .report .note-cell pre { background: var(--bg); padding: 8px 10px; border-radius: 6px; overflow-x: auto; white-space: pre-wrap; }
.report .note blockquote, .report .note-cell blockquote { margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--line); color: var(--muted); }
.report .error { color: var(--bad); }
.report .kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 10px; margin: 12px 0 16px; }
.report .kpi { border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.report .kpi .label, .report .kpi .knote { color: var(--muted); font-size: 12px; }
.report .kpi .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.report .table-box { overflow-x: auto; margin: 8px 0 14px; }
.report table { border-collapse: collapse; font-size: 13px; min-width: 60%; }
.report th, .report td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: left; }
.report th { color: var(--muted); font-weight: 600; }
.report .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.report td.name { white-space: nowrap; }
.report .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.report table.matrix { min-width: 0; font-size: 12px; }
.report table.matrix th, .report table.matrix td { padding: 3px 6px; border-bottom: 1px solid #fff; white-space: nowrap; overflow-wrap: normal; }
.report table.matrix.dense { font-size: 10px; }
.report table.matrix.dense th, .report table.matrix.dense td { padding: 2px 3px; }
.report table.matrix td.first { background: #eef1f4; color: var(--muted); }
.report table.matrix td.size { color: var(--muted); border-right: 1px solid var(--line); }
.report .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-weight: 500; }
.report .legend { margin: 4px 0 12px; color: var(--muted); }
.report th { overflow-wrap: normal; }
.report figure.chart { margin: 10px 0 16px; }
.report figure.chart figcaption { color: var(--muted); font-size: 13px; margin-bottom: 4px; }
.report figure.chart svg { max-width: 100%; height: auto; overflow: visible; }
.report .report-foot { color: var(--muted); font-size: 12px; margin-top: 24px; }
@media (max-width: 600px) {
  .report { padding: 14px 10px 32px; }
  .report h1 { font-size: 20px; }
  .report .cell { padding: 14px 12px; margin: 12px 0; }
  .report .kpis { grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); }
  .report .kpi .value { font-size: 19px; }
}
@media print {
  .report { max-width: none; padding: 0; }
  .report .cell { break-inside: avoid; border: none; padding: 0; margin: 0 0 18px; }
  .report figure.chart, .report table { break-inside: avoid; }
}
`;
