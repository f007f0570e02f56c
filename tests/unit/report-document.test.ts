import { describe, expect, it } from 'vitest';
import { escapeHtml, REPORT_CSP, reportDataOf, reportDocument } from '../../src/report/document.ts';

const hostile = '</script><script>alert(1)</script> & <img src=x onerror=alert(2)> \u2028';

describe('report file', () => {
  const data = { version: 1, title: hostile, cells: [{ kind: 'note', text: hostile }] };
  const html = reportDocument({ lang: 'zh-CN', title: hostile, body: `<h1>${escapeHtml(hostile)}</h1>`, data, css: 'body{margin:0}</style><script>' });

  it('allows no script and no request', () => {
    expect(REPORT_CSP).toContain("default-src 'none'");
    expect(REPORT_CSP).not.toMatch(/script-src|connect-src|https?:/);
    expect(html).toContain(`content="${REPORT_CSP.replace(/'/g, '&#39;')}"`);
  });

  it('holds its data as JSON that reads back exactly, whatever the text', () => {
    expect(reportDataOf(html)).toEqual(data);
    expect(html).toContain('"kind": "note"');
  });

  it('lets no text close an element or start markup', () => {
    // The only script element is the data block, the only img none: hostile text stayed text.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    expect(html.match(/<\/style/gi)).toHaveLength(1);
    expect(html).toContain('<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img');
  });
});
