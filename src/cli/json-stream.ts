/**
 * The headless command's document written as `JSON.stringify(value, null, 1)` writes it, byte for byte, but in
 * pieces: the per-customer lists (a hundred thousand rows and more) are turned into text one row at a time and sent to
 * the file in blocks, so the whole document never exists as one string (at 1M order lines it is about 60 MB of text,
 * and twice that as UTF-8 bytes on the way out).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

/** Arrays at least this long are written one element at a time. */
const LONG = 256;
/** Elements of a long array turned into text together. */
const RUN = 2048;
/** Text gathered before it is written. */
const BLOCK = 1 << 20;

/** Where the text goes: `write(text)` is called with blocks of about a megabyte, in order. */
export function streamJson(value: unknown, write: (text: string) => void): void {
  let pending: string[] = [];
  let size = 0;
  const put = (s: string) => {
    pending.push(s);
    size += s.length;
    if (size >= BLOCK) {
      write(pending.join(''));
      pending = [];
      size = 0;
    }
  };
  // Values JSON.stringify treats specially at the top (undefined, a toJSON) are left to it.
  if (!isPlainContainer(value)) put(JSON.stringify(value, null, 1) ?? 'undefined');
  else writeValue(value, '', put);
  put('\n');
  if (pending.length) write(pending.join(''));
}

/** Write the document to `file` (or to standard output when none is given), as JSON.stringify(value, null, 1) + '\n'. */
export function writeJsonFile(value: unknown, file?: string): void {
  // Standard output may be a non-blocking pipe, where a synchronous write can fail with EAGAIN: Node queues the blocks.
  if (!file) return streamJson(value, (text) => void process.stdout.write(text));
  const fd = openSync(file, 'w');
  try {
    streamJson(value, (text) => {
      const bytes = Buffer.from(text, 'utf8');
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    });
  } finally {
    closeSync(fd);
  }
}

function isPlainContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** A value nested `indent` deep, as JSON.stringify writes it there (its inner lines indented by `indent`). */
function leaf(v: unknown, indent: string): string | undefined {
  const s = JSON.stringify(v, null, 1);
  if (s === undefined || indent === '' || !s.includes('\n')) return s;
  return s.replaceAll('\n', '\n' + indent);
}

function writeValue(v: Record<string, unknown> | unknown[], indent: string, put: (s: string) => void): void {
  const inner = indent + ' ';
  if (Array.isArray(v)) {
    if (v.length === 0) return put('[]');
    if (v.length < LONG) return put(leaf(v, indent)!);
    // Runs of elements as JSON.stringify writes an array of them, without its brackets, indented once more.
    put('[\n');
    for (let i = 0; i < v.length; i += RUN) {
      const s = JSON.stringify(v.slice(i, i + RUN), null, 1);
      const body = s.slice(2, -2);
      put((i === 0 ? '' : ',\n') + (indent === '' ? body : indent + body.replaceAll('\n', '\n' + indent)));
    }
    return put('\n' + indent + ']');
  }
  let first = true;
  for (const key of Object.keys(v)) {
    const x = v[key];
    if (isPlainContainer(x)) {
      put((first ? '{\n' : ',\n') + inner + JSON.stringify(key) + ': ');
      writeValue(x, inner, put);
    } else {
      const s = leaf(x, inner);
      if (s === undefined) continue;
      put((first ? '{\n' : ',\n') + inner + JSON.stringify(key) + ': ' + s);
    }
    first = false;
  }
  put(first ? '{}' : '\n' + indent + '}');
}
