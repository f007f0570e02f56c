// Notes are Markdown shown safely: the renderer builds DOM nodes (here on linkedom, as the headless report does), so
// raw HTML stays text, nothing runs, and only http(s) and mailto addresses become links, each showing its address.
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { lang } from '../../src/i18n/lang.ts';
import { markdownNodes, safeUrl } from '../../src/notebook/markdown.ts';
import { renderReport } from '../../src/report/render.ts';

const doc = () => parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;

/** The note drawn into a <div>, and that div's markup as a browser would serialize it. */
function render(text: string): HTMLElement {
  const d = doc();
  const div = d.createElement('div');
  for (const n of markdownNodes(d, text)) div.appendChild(n);
  return div;
}
const html = (text: string) => render(text).innerHTML;

describe('markdown notes', () => {
  it('headings, paragraphs, emphasis, strong, code and line breaks', () => {
    expect(html('# 本月要点\n\nRevenue **up 12%**, *mostly* from `app`.\nSecond line')).toBe(
      '<h3>本月要点</h3><p>Revenue <strong>up 12%</strong>, <em>mostly</em> from <code>app</code>.<br>Second line</p>',
    );
    expect(html('## Two\n### Three\n###### Six')).toBe('<h4>Two</h4><h5>Three</h5><h6>Six</h6>');
    expect(html('__a__ _b_ ~~c~~ snake_case_name')).toBe('<p><strong>a</strong> <em>b</em> <del>c</del> snake_case_name</p>');
    expect(html('```sql\nSELECT 1 < 2;\n<b>x</b>\n```')).toBe('<pre><code data-lang="sql">SELECT 1 &lt; 2;\n&lt;b&gt;x&lt;/b&gt;</code></pre>');
    expect(html('> quoted **text**\n\n---')).toBe('<blockquote><p>quoted <strong>text</strong></p></blockquote><hr>');
    expect(html('\\*not emphasis\\* and 2 * 3 * 4')).toBe('<p>*not emphasis* and 2 * 3 * 4</p>');
  });

  it('lists: bulleted, numbered, nested, and a paragraph carried on', () => {
    expect(html('- one\n- two **b**\n  - nested\n- three\ncarried on')).toBe(
      '<ul><li>one</li><li>two <strong>b</strong><ul><li>nested</li></ul></li><li>three<br>carried on</li></ul>',
    );
    expect(html('1. first\n2. second\n\nafter')).toBe('<ol><li>first</li><li>second</li></ol><p>after</p>');
    expect(html('3) third\n4) fourth')).toBe('<ol start="3"><li>third</li><li>fourth</li></ol>');
  });

  it('links show their address, open only when clicked, in a new tab with no referrer', () => {
    const div = render('See [the report](https://example.com/r?a=1&b=2 "Q1") and mail [us](mailto:a@b.cn).');
    const links = [...div.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/r?a=1&b=2', 'mailto:a@b.cn']);
    for (const a of links) {
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('referrerpolicy')).toBe('no-referrer');
    }
    expect(links[0].getAttribute('title')).toBe('Q1');
    expect(div.textContent).toBe('See the report (https://example.com/r?a=1&b=2) and mail us (mailto:a@b.cn).');
    // A link whose text is its address does not repeat it.
    expect(render('[https://a.cn](https://a.cn)').textContent).toBe('https://a.cn');
  });

  it('hostile notes stay text: raw HTML, script, event handlers, javascript: and data: addresses', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '[x](javascript:alert(1))',
      '[y](JaVaScRiPt:alert(1))',
      '[z](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '![pic](https://tracker.example/p.gif)',
      '[rel](/relative/path) [frag](#top) [v](vbscript:msgbox(1))',
      '<a href="javascript:alert(1)">click</a>',
      '**<iframe src="https://evil.example">**',
    ].join('\n\n');
    const div = render(hostile);
    expect(div.querySelectorAll('script, img, iframe, object, embed, svg, style').length).toBe(0);
    for (const node of div.querySelectorAll('*')) {
      for (const attr of node.getAttributeNames()) expect(attr.startsWith('on')).toBe(false);
    }
    // The only link is the image's address, shown as a link (never loaded); every other address stayed text.
    expect([...div.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['https://tracker.example/p.gif']);
    const text = div.textContent!;
    for (const shown of ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))', '[rel](/relative/path)', '<a href="javascript:alert(1)">click</a>', '<iframe src="https://evil.example">']) {
      expect(text).toContain(shown);
    }
    // Serialized, the markup holds the raw HTML escaped, as text.
    expect(div.innerHTML).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('accepts only http, https and mailto addresses', () => {
    expect(safeUrl('https://a.cn/x')).toBe('https://a.cn/x');
    expect(safeUrl(' HTTP://A.CN ')).toBe('HTTP://A.CN');
    expect(safeUrl('mailto:x@y.z')).toBe('mailto:x@y.z');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'vbscript:x', '//evil.example', '/path', '#frag', 'https://a.cn/\u0000x', 'ftp://a.cn']) {
      expect(safeUrl(bad)).toBeNull();
    }
  });

  it('an empty note draws nothing, and headings start where asked', () => {
    expect(render('').childNodes.length).toBe(0);
    expect(render('  \n\n ').childNodes.length).toBe(0);
    const d = doc();
    expect((markdownNodes(d, '# a', { topHeading: 2 })[0] as HTMLElement).tagName).toBe('H2');
  });

  it('a report draws its notes with the same renderer', () => {
    const d = doc();
    const report = { version: 1 as const, title: 'R', created: '2024-05-01', asOf: null, sources: [], minGroup: 5, cells: [{ kind: 'note', note: '# 结论\n\n- **A** <b>x</b>\n- [site](https://a.cn)' }, { kind: 'overview', note: '*why* [bad](javascript:alert(1))', error: { message: 'none' } }] };
    const article = renderReport(report, { doc: d, lang: lang('zh'), width: 600 });
    const [note, overview] = [...article.querySelectorAll('section')];
    expect(note.querySelector('h3')!.textContent).toBe('结论');
    expect(note.querySelector('li strong')!.textContent).toBe('A');
    expect(note.querySelector('b')).toBeNull();
    expect(note.textContent).toContain('<b>x</b>');
    expect(note.querySelector('a')!.getAttribute('href')).toBe('https://a.cn');
    expect(overview.querySelector('aside em')!.textContent).toBe('why');
    expect(overview.querySelector('aside a')).toBeNull();
    expect(overview.querySelector('aside')!.textContent).toContain('[bad](javascript:alert(1))');
  });
});
