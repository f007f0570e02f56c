/**
 * Arrow vectors built straight from their buffers. Arrow's own builders (`vectorFromArray`) compile their null test
 * with `new Function`, which the page's Content-Security-Policy forbids in the engine's worker (no 'unsafe-eval').
 */
import { Float32, Int32, makeData, makeVector, Utf8, type Vector } from 'apache-arrow';

/** Validity bitmap and null count of `values` (null and undefined are null). */
function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v == null) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

/** Text values as a Utf8 vector. */
export function utf8Vector(values: readonly (string | null | undefined)[]): Vector<Utf8> {
  const encoder = new TextEncoder();
  const encoded = values.map((v) => (v == null ? null : encoder.encode(v)));
  const valueOffsets = new Int32Array(values.length + 1);
  for (let i = 0; i < encoded.length; i++) valueOffsets[i + 1] = valueOffsets[i] + (encoded[i]?.length ?? 0);
  const data = new Uint8Array(valueOffsets[values.length]);
  encoded.forEach((bytes, i) => bytes && data.set(bytes, valueOffsets[i]));
  return makeVector(makeData({ type: new Utf8(), length: values.length, ...validity(values), valueOffsets, data }));
}

/** Whole numbers as an Int32 vector (no nulls). */
export function int32Vector(values: readonly number[]): Vector<Int32> {
  return makeVector(makeData({ type: new Int32(), length: values.length, nullCount: 0, data: Int32Array.from(values) }));
}

/** Numbers or nulls as a Float32 vector. */
export function float32Vector(values: readonly (number | null | undefined)[]): Vector<Float32> {
  const data = Float32Array.from(values, (v) => v ?? 0);
  return makeVector(makeData({ type: new Float32(), length: values.length, ...validity(values), data }));
}
