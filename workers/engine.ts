/** The engine behind the worker: owns the database, the loaded sources and the models. Runs in Node too. */
import { rows, type Db } from '../src/db/db.ts';
import { applyMapping, InputError, loadFile, type Applied, type CleaningSettings, type LoadedSource, type Mapping, type Role } from '../src/ingest/index.ts';
import { abc, abcCustomers } from '../src/models/abc.ts';
import { overview } from '../src/models/overview.ts';
import { rfm, rfmCustomers } from '../src/models/rfm.ts';
import type { ModelSettings } from '../src/models/settings.ts';

/** What the notebook shows of a loaded source. */
export interface SourceView {
  id: string;
  file: string;
  bytes: number;
  format: string;
  encoding: string;
  header: boolean;
  rows: number;
  columns: string[];
  role: Role;
  mapping: Mapping;
  missing: string[];
  samples: Record<string, string[]>;
  sheets?: string[];
  sheet?: string;
  notes: string[];
}

export type Progress = (phase: string, fraction: number) => void;

/** A file as the engine receives it: a browser File (read in chunks) or bytes. */
export interface FileLike {
  name: string;
  size: number;
  slice?(start: number, end: number): Blob;
  data?: Uint8Array;
}

const CHUNK = 8 * 1024 * 1024;

/** Read a File in chunks so progress is real; a file the tab cannot hold gets a clear message. */
export async function readBytes(file: FileLike, onProgress?: Progress): Promise<Uint8Array> {
  if (file.data) return file.data;
  let out: Uint8Array;
  try {
    out = new Uint8Array(file.size);
  } catch {
    throw new InputError(file.name, `the file (${Math.round(file.size / 1e6)} MB) is too large for this browser tab's memory; split it or use the headless command`);
  }
  for (let at = 0; at < file.size; at += CHUNK) {
    const end = Math.min(at + CHUNK, file.size);
    out.set(new Uint8Array(await file.slice!(at, end).arrayBuffer()), at);
    onProgress?.('read', end / file.size);
  }
  return out;
}

export class Engine {
  #db: Db;
  #sources = new Map<string, LoadedSource & { bytes: number }>();
  #next = 0;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Read a file, guess what it is and how its columns map; nothing canonical changes yet. */
  async load(file: FileLike, opts: { role?: Role; sheet?: string } = {}, onProgress?: Progress): Promise<SourceView> {
    const bytes = await readBytes(file, onProgress);
    const id = `src${++this.#next}`;
    const loaded = await loadFile(this.#db, file.name, bytes, `raw_${id}`, { ...opts, onProgress });
    this.#sources.set(id, { ...loaded, bytes: file.size });
    return this.#view(id);
  }

  /** Apply a mapping to a loaded source: builds the canonical tables and, for orders, the cleaning report. */
  async apply(id: string, mapping: Mapping, cleaning?: CleaningSettings, role?: Role): Promise<Applied> {
    const source = this.#source(id);
    const target = role ? { ...source, role } : source;
    const applied = await applyMapping(this.#db, target, mapping, cleaning);
    this.#sources.set(id, { ...target, mapping });
    return applied;
  }

  /** Forget a source and its raw table. */
  async remove(id: string): Promise<void> {
    this.#sources.delete(id);
    await this.#db.query(`DROP TABLE IF EXISTS raw_${id}`);
  }

  overview(settings: ModelSettings) {
    return overview(this.#db, { asOf: settings.asOf });
  }

  rfm(settings: ModelSettings) {
    return rfm(this.#db, { ...settings.rfm, asOf: settings.asOf });
  }

  rfmCustomers(opts: Parameters<typeof rfmCustomers>[1]) {
    return rfmCustomers(this.#db, opts);
  }

  abc(settings: ModelSettings) {
    return abc(this.#db, { ...settings.abc, asOf: settings.asOf });
  }

  abcCustomers(opts: Parameters<typeof abcCustomers>[1]) {
    return abcCustomers(this.#db, opts);
  }

  /** CSV bytes (UTF-8 with BOM, so Excel opens Chinese correctly) of an RFM segment's customers. */
  async exportSegment(scheme: 'cn' | 'en', segment: string | null): Promise<Uint8Array> {
    const where = segment === null ? '' : `WHERE segment_${scheme} = '${segment.replaceAll("'", "''")}'`;
    const csv = await this.#db.exportCsv(
      `SELECT customer_id, recency_days, frequency, round(monetary, 2) AS monetary, r, f, m, segment_cn, segment_en
       FROM rfm ${where} ORDER BY monetary DESC, customer_id`,
    );
    return withBom(csv);
  }

  /** Run read-only SQL for the notebook's own queries (small results only). */
  query(sql: string) {
    return rows(this.#db, sql);
  }

  #source(id: string) {
    const s = this.#sources.get(id);
    if (!s) throw new Error(`no source ${id}`);
    return s;
  }

  #view(id: string): SourceView {
    const s = this.#source(id);
    return {
      id,
      file: s.raw.file,
      bytes: s.bytes,
      format: s.raw.format,
      encoding: s.raw.encoding,
      header: s.raw.header,
      rows: s.raw.rows,
      columns: s.raw.columns,
      role: s.role,
      mapping: s.mapping,
      missing: s.missing,
      samples: Object.fromEntries(s.profiles.map((p) => [p.column, p.samples])),
      sheets: s.raw.sheets,
      sheet: s.raw.sheet,
      notes: s.raw.notes,
    };
  }
}

/** Prefix UTF-8 bytes with a byte-order mark. */
export function withBom(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(bytes, 3);
  return out;
}
