/**
 * The standalone report file: one HTML document that opens from disk or any static host, with its charts as
 * inline SVG, its data as readable JSON inside, and a policy that allows no script and no request at all.
 */

/** No script, no request: styles and images inline only. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The id of the element that holds the report's data as JSON. */
export const REPORT_DATA_ID = 'report-data';

export interface ReportDocumentParts {
  /** BCP 47 language of the document (zh-CN, en-US). */
  lang: string;
  title: string;
  /** The report's body as serialized markup, built from the DOM (text is escaped there). */
  body: string;
  /** The report itself, embedded as JSON that anyone can read. */
  data: unknown;
  css: string;
}

/** Text as HTML text content or attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON that can stand inside a <script type="application/json"> element: indented to be read, and with every
 * `<`, `>`, `&` and line separator escaped so that no value can close the element or start markup.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value, null, 1).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The whole report file. The JSON is a data block: with the policy above no script could run it anyway. */
export function reportDocument(parts: ReportDocumentParts): string {
  return `<!doctype html>
<html lang="${escapeHtml(parts.lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(parts.title)}</title>
<style>${parts.css.replace(/</g, '\\3c ')}</style>
</head>
<body>
${parts.body}
<script type="application/json" id="${REPORT_DATA_ID}">
${jsonForHtml(parts.data)}
</script>
</body>
</html>
`;
}

/** The report data held by a report file's text (what the page reads back when a report file is opened). */
export function reportDataOf(html: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${REPORT_DATA_ID}">([\\s\\S]*?)</script>`).exec(html);
  if (!m) throw new Error('no report data in this file');
  return JSON.parse(m[1]);
}
