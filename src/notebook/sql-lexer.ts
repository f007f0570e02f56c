/**
 * A lexer for the read-only check of SQL cells: DuckDB's comments (`--`, nested `/* *\/`), strings (`'…'`, `E'…'`
 * with backslash escapes, `$tag$…$tag$`), quoted identifiers and `;`. It only has to find the statement's first word,
 * the functions it calls, strings in table position and the statements' ends; DuckDB's own parser then checks the text
 * again (src/notebook/sql-cell.ts), so a disagreement refuses a statement, it never lets a second one through.
 */

export interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'param' | 'op' | 'end';
  /** A word as written, a quoted identifier without its quotes, an operator's characters. */
  text: string;
  /** Offset of the token in the text. */
  at: number;
}

export class LexError extends Error {
  constructor(readonly what: 'string' | 'identifier' | 'comment') {
    super(`unterminated ${what}`);
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD = /[A-Za-z0-9_$\u0080-\uffff]/;

/** The tokens of `sql`, comments left out; `;` is an `end` token. Throws LexError on an unterminated string or comment. */
export function lex(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  const quoted = (at: number, quote: string, backslash: boolean): number => {
    let j = at + 1;
    for (;;) {
      if (j >= n) throw new LexError(quote === '"' ? 'identifier' : 'string');
      const c = sql[j];
      if (backslash && c === '\\') j += 2;
      else if (c === quote && sql[j + 1] === quote) j += 2;
      else if (c === quote) return j + 1;
      else j++;
    }
  };
  while (i < n) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 0;
      do {
        if (i >= n) throw new LexError('comment');
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      } while (depth > 0);
    } else if (c === "'") {
      const end = quoted(i, "'", false);
      out.push({ kind: 'string', text: sql.slice(i + 1, end - 1), at: i });
      i = end;
    } else if ((c === 'E' || c === 'e') && sql[i + 1] === "'") {
      const end = quoted(i + 1, "'", true);
      out.push({ kind: 'string', text: sql.slice(i + 2, end - 1), at: i });
      i = end;
    } else if (c === '"') {
      const end = quoted(i, '"', false);
      out.push({ kind: 'quoted', text: sql.slice(i + 1, end - 1).replaceAll('""', '"'), at: i });
      i = end;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j])) j++;
      out.push({ kind: 'param', text: sql.slice(i, j), at: i });
      i = j;
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (!tag) {
        out.push({ kind: 'op', text: c, at: i });
        i++;
        continue;
      }
      const close = sql.indexOf(tag[0], i + tag[0].length);
      if (close < 0) throw new LexError('string');
      out.push({ kind: 'string', text: sql.slice(i + tag[0].length, close), at: i });
      i = close + tag[0].length;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD.test(sql[j])) j++;
      out.push({ kind: 'word', text: sql.slice(i, j), at: i });
      i = j;
    } else if (/[0-9.]/.test(c) && /[0-9]/.test(c === '.' ? (sql[i + 1] ?? '') : c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j])) j++;
      out.push({ kind: 'number', text: sql.slice(i, j), at: i });
      i = j;
    } else if (c === ';') {
      out.push({ kind: 'end', text: c, at: i });
      i++;
    } else {
      out.push({ kind: 'op', text: c, at: i });
      i++;
    }
  }
  return out;
}

/** The statements of a token list (split at `;`), empty ones left out. */
export function statements(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  for (const t of tokens) {
    if (t.kind === 'end') out.push([]);
    else out[out.length - 1].push(t);
  }
  return out.filter((s) => s.length > 0);
}
