/**
 * A consultant's note as DOM, from a small Markdown tokenizer: headings, paragraphs, emphasis, strong, strikethrough,
 * inline code and code blocks, lists (nested by indentation), quotes, rules and links. Every node is built with
 * createElement/createTextNode on the given document (the page's, or linkedom's in the headless command), never from a
 * markup string: raw HTML in a note is shown as the text it is, and nothing in a note runs.
 *
 * Links: only http:, https: and mailto: addresses become links; each opens in a new tab (rel="noopener noreferrer",
 * no referrer) and only when clicked, and shows its address beside its text. Any other address (javascript:, data:,
 * relative ones) stays as the text that was written. Images are never loaded: `![alt](address)` is shown as a link.
 */

/** Lines the block parser reads; `indent` already taken off by the caller. */
type Lines = string[];

export interface MarkdownOptions {
  /** The level a `#` heading gets (default 3: under the cell's own h2); deeper ones follow, at most h6. */
  topHeading?: number;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?(.*)$/;
const ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(?:[ \t]+(.*)|[ \t]*$)/;
const SAFE_URL = /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i;

/** The note `text` as block nodes (paragraphs, headings, lists, …) of `doc`. */
export function markdownNodes(doc: Document, text: string, opts: MarkdownOptions = {}): Node[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  return blocks(doc, lines, opts.topHeading ?? 3);
}

/** An address safe to show as a link (http, https, mailto), else null. */
export function safeUrl(url: string): string | null {
  const u = url.trim();
  if (!SAFE_URL.test(u)) return null;
  // Control characters or spaces never belong in an address we link to.
  if (/[\u0000-\u001f\u007f\s]/.test(u)) return null;
  return u;
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, children: Node[] = []): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const c of children) node.appendChild(c);
  return node;
}

function blocks(doc: Document, lines: Lines, top: number): Node[] {
  const out: Node[] = [];
  let i = 0;
  const isBlank = (l: string) => l.trim() === '';
  const startsBlock = (l: string) => FENCE.test(l) || HEADING.test(l) || RULE.test(l) || QUOTE.test(l) || ITEM.test(l);
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trimStart().startsWith(fence)) body.push(lines[i++]);
      i++; // the closing fence (or the end of the note)
      const code = el(doc, 'code', [doc.createTextNode(body.join('\n'))]);
      const lang = m[2].trim().split(/\s/)[0];
      if (lang) code.setAttribute('data-lang', lang);
      out.push(el(doc, 'pre', [code]));
      continue;
    }
    if ((m = HEADING.exec(line))) {
      const level = Math.min(6, top + m[1].length - 1) as 1 | 2 | 3 | 4 | 5 | 6;
      out.push(el(doc, `h${level}`, inline(doc, m[2] ?? '')));
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push(doc.createElement('hr'));
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const q = QUOTE.exec(lines[i]);
        body.push(q ? q[1] : lines[i]);
        i++;
      }
      out.push(el(doc, 'blockquote', blocks(doc, body, top)));
      continue;
    }
    if ((m = ITEM.exec(line))) {
      const ordered = /\d/.test(m[2]);
      const list = el(doc, ordered ? 'ol' : 'ul');
      if (ordered && parseInt(m[2], 10) !== 1) list.setAttribute('start', String(parseInt(m[2], 10)));
      let loose = false;
      while (i < lines.length) {
        const item = ITEM.exec(lines[i]);
        if (!item || /\d/.test(item[2]) !== ordered) break;
        const width = item[1].length + item[2].length + 1;
        const body = [item[3] ?? ''];
        i++;
        // The item goes on over indented lines, and over plain lines that carry on its paragraph.
        while (i < lines.length) {
          const l = lines[i];
          if (isBlank(l)) {
            const next = lines.slice(i + 1).find((n) => !isBlank(n));
            if (next !== undefined && /^\s{2,}/.test(next) && !ITEM.test(next)) {
              body.push('');
              loose = true;
              i++;
              continue;
            }
            if (next !== undefined && /^\s{2,}/.test(next)) {
              body.push('');
              i++;
              continue;
            }
            break;
          }
          if (/^\s{2,}/.test(l)) body.push(l.slice(Math.min(width, l.length - l.trimStart().length)));
          else if (!startsBlock(l) && !isBlank(body[body.length - 1])) body.push(l);
          else break;
          i++;
        }
        const inner = blocks(doc, body, top);
        // A tight item holds its text directly, not in a paragraph.
        const children = !loose && inner[0]?.nodeName === 'P' ? [...inner[0].childNodes, ...inner.slice(1)] : inner;
        list.appendChild(el(doc, 'li', children));
        if (i < lines.length && isBlank(lines[i])) {
          const next = lines.slice(i).find((n) => !isBlank(n));
          if (next === undefined || !ITEM.test(next)) break;
          while (isBlank(lines[i])) i++;
        }
      }
      out.push(list);
      continue;
    }
    // A paragraph: lines up to a blank one or the start of another block; its line breaks are kept.
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) para.push(lines[i++].trim());
    out.push(el(doc, 'p', inline(doc, para.join('\n'))));
  }
  return out;
}

const PUNCT = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

/** Inline Markdown as nodes: text stays text; only the constructs below become elements. */
function inline(doc: Document, s: string): Node[] {
  const out: Node[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push(doc.createTextNode(text));
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length && PUNCT.test(s[i + 1])) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      flush();
      out.push(doc.createElement('br'));
      i++;
      continue;
    }
    if (c === '`') {
      const run = /^`+/.exec(s.slice(i))![0];
      const end = s.indexOf(run, i + run.length);
      if (end > 0) {
        flush();
        out.push(el(doc, 'code', [doc.createTextNode(s.slice(i + run.length, end).replace(/\n/g, ' ').replace(/^ (.+) $/, '$1'))]));
        i = end + run.length;
        continue;
      }
      text += run;
      i += run.length;
      continue;
    }
    if (c === '[' || (c === '!' && s[i + 1] === '[')) {
      const link = linkAt(s, c === '!' ? i + 1 : i);
      const url = link && safeUrl(link.url);
      if (link && url) {
        flush();
        const label = c === '!' ? [doc.createTextNode(link.text || url)] : inline(doc, link.text);
        const a = el(doc, 'a', label);
        a.setAttribute('href', url);
        a.setAttribute('rel', 'noopener noreferrer');
        a.setAttribute('referrerpolicy', 'no-referrer');
        a.setAttribute('target', '_blank');
        if (link.title) a.setAttribute('title', link.title);
        out.push(a);
        // The address is shown, so a reader sees where the link leads before following it.
        if (link.text.trim() !== url) {
          const shown = el(doc, 'span', [doc.createTextNode(` (${url})`)]);
          shown.setAttribute('class', 'md-url');
          out.push(shown);
        }
        i = link.end;
        continue;
      }
      text += c;
      i++;
      continue;
    }
    if (c === '*' || c === '_' || c === '~') {
      const run = new RegExp(`^\\${c}+`).exec(s.slice(i))![0];
      const n = c === '~' ? (run.length >= 2 ? 2 : 0) : Math.min(run.length, 2);
      const intraword = c === '_' && i > 0 && /\w/.test(s[i - 1]);
      if (n > 0 && !intraword && i + n < s.length && !/\s/.test(s[i + n])) {
        const delim = c.repeat(n);
        const end = closing(s, i + n, delim);
        if (end > 0) {
          flush();
          const tag = c === '~' ? 'del' : n === 2 ? 'strong' : 'em';
          out.push(el(doc, tag, inline(doc, s.slice(i + n, end))));
          i = end + n;
          continue;
        }
      }
      text += run;
      i += run.length;
      continue;
    }
    text += c;
    i++;
  }
  flush();
  return out;
}

/** Where `delim` closes an emphasis opened before `from` (not after a space, not inside code), or -1. */
function closing(s: string, from: number, delim: string): number {
  let i = from;
  while (i < s.length) {
    if (s[i] === '\\') {
      i += 2;
      continue;
    }
    if (s[i] === '`') {
      const run = /^`+/.exec(s.slice(i))![0];
      const end = s.indexOf(run, i + run.length);
      i = end > 0 ? end + run.length : i + run.length;
      continue;
    }
    if (s.startsWith(delim, i) && i > from && !/\s/.test(s[i - 1])) {
      const after = s[i + delim.length];
      // `**a**` closes on `**`, not on the first `*` of it; `_` does not close inside a word.
      if (delim.length === 1 && after === delim) {
        i += 2;
        continue;
      }
      if (delim[0] === '_' && after !== undefined && /\w/.test(after)) {
        i++;
        continue;
      }
      return i;
    }
    i++;
  }
  return -1;
}

/** A `[text](url "title")` starting at `at` (the `[`), or null. */
function linkAt(s: string, at: number): { text: string; url: string; title?: string; end: number } | null {
  let depth = 0;
  let i = at;
  for (; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === '[') depth++;
    else if (s[i] === ']' && --depth === 0) break;
  }
  if (i >= s.length || s[i + 1] !== '(') return null;
  const m = /^\(\s*<?([^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)>?(?:\s+"([^"]*)")?\s*\)/.exec(s.slice(i + 1));
  if (!m) return null;
  return { text: s.slice(at + 1, i), url: m[1], title: m[2], end: i + 1 + m[0].length };
}
