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
.report .num { text-align: right; font-variant-numeric: tabular-nums; }
.report figure.chart { margin: 10px 0 16px; }
.report figure.chart figcaption { color: var(--muted); font-size: 13px; margin-bottom: 4px; }
.report figure.chart svg { max-width: 100%; height: auto; overflow: visible; }
.report .report-foot { color: var(--muted); font-size: 12px; margin-top: 24px; }
@media print {
  .report { max-width: none; padding: 0; }
  .report .cell { break-inside: avoid; border: none; padding: 0; margin: 0 0 18px; }
  .report figure.chart, .report table { break-inside: avoid; }
}
`;
