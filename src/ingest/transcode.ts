/** Re-encode UTF-16 and GB18030/GBK text as UTF-8 in chunks, so DuckDB can read it. */
import type { Encoding } from './sniff.ts';

const CHUNK = 4 * 1024 * 1024;

/** Decode `bytes` (after the BOM) chunk by chunk and return UTF-8 bytes; reports progress 0..1. */
export function toUtf8(bytes: Uint8Array, encoding: Encoding, bom: number, onProgress?: (f: number) => void): Uint8Array {
  if (encoding === 'utf-8') return bom ? bytes.subarray(bom) : bytes;
  const decoder = new TextDecoder(encoding);
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = bom; at < bytes.length; at += CHUNK) {
    const end = Math.min(at + CHUNK, bytes.length);
    const text = decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length });
    const part = encoder.encode(text);
    parts.push(part);
    total += part.length;
    onProgress?.(end / bytes.length);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
