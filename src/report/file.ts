/** The standalone report file: the drawn report, its stylesheet and its data, in one HTML document (document.ts). */
import type { Lang } from '../i18n/lang.ts';
import { reportDocument } from './document.ts';
import type { Report } from './format.ts';
import { renderReport } from './render.ts';
import { REPORT_CSS } from './style.ts';

/** Charts in the file are drawn at this width (fits an A4 page in print). */
export const FILE_CHART_WIDTH = 760;

/** The report file's text; `doc` is any document to draw on (the page's own, or linkedom's in Node). */
export function reportFile(report: Report, lang: Lang, doc: Document): string {
  const article = renderReport(report, { doc, lang, width: FILE_CHART_WIDTH });
  return reportDocument({ lang: lang.tag, title: report.title, body: article.outerHTML, data: report, css: `body{margin:0;background:#f4f6f8}${REPORT_CSS}` });
}
