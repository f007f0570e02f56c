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
    // A piece of a block's size on its own (a run of a long list) is sent as it is, not copied into a block.
    if (s.length >= BLOCK / 4) {
      if (pending.length) write(pending.join(''));
      pending = [];
      size = 0;
      return write(s);
    }
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
    // The run is put inside as many arrays as the list is deep, so that JSON.stringify indents its elements as they
    // stand in the document: no second pass over the text to indent it. Those arrays' brackets are cut off.
    put('[\n');
    const depth = indent.length;
    let wrap = 0;
    for (let k = 0; k <= depth; k++) wrap += k + 2;
    for (let i = 0; i < v.length; i += RUN) {
      let run: unknown[] = v.slice(i, i + RUN);
      for (let k = 0; k < depth; k++) run = [run];
      const s = JSON.stringify(run, null, 1);
      // Put apart from the comma: a run joined to another string would be a rope, which turns into UTF-8 far slower.
      if (i > 0) put(',\n');
      put(s.slice(wrap, -wrap));
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
