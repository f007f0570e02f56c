/** Formats DuckDB-WASM cannot read itself (XLSX, Parquet, JSON): decoded in TypeScript to Arrow IPC. */
import type { Encoding } from './sniff.ts';
import { decodeJson, decodeNdjson } from './decode-json.ts';
import { decodeParquet } from './decode-parquet.ts';

export { setParquetWasmUrl, parquetIpcStreams, type ParquetWasmSource } from './decode-parquet.ts';

export interface Decoded {
  /** One Arrow IPC stream. XLSX and JSON give Utf8 columns; Parquet keeps its types (the reader casts them to text). */
  ipc: Uint8Array;
  /** XLSX: the workbook's sheets and the one read. JSON: the lists of records in the top-level object, when there are several. */
  sheets?: string[];
  sheet?: string;
  /** XLSX: rows above the header skipped as a title. */
  titleRows?: number;
}
export interface DecodeOptions {
  /** XLSX: the sheet to read (default: the first with data). JSON: which list of records, when the object holds several. */
  sheet?: string;
  encoding: Encoding;
  bom: number;
}
type Decoder = (file: string, bytes: Uint8Array, opts: DecodeOptions) => Promise<Decoded>;

export const decoders: Record<'xlsx' | 'xls' | 'parquet' | 'json' | 'ndjson', Decoder> = {
  // SheetJS is large: loaded the first time a workbook is dropped. It reads Excel 97–2003 workbooks the same way.
  xlsx: async (file, bytes, opts) => (await import('./decode-xlsx.ts')).decodeXlsx(file, bytes, opts),
  xls: async (file, bytes, opts) => (await import('./decode-xlsx.ts')).decodeXlsx(file, bytes, opts),
  parquet: (file, bytes) => decodeParquet(file, bytes),
  json: decodeJson,
  ndjson: decodeNdjson,
};
