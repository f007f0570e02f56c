/**
 * Input errors: a stable `code` and `params` (file, sheet, line, column, value, …) that the UI renders in the
 * user's language through src/i18n/packs/errors.ts, and an English `message` for logs and the headless command.
 */
import type { TransferHandler } from 'comlink';
import { en } from '../i18n/packs/errors.ts';

export type InputErrorCode = keyof typeof en extends infer K ? (K extends `error.input.${infer C}` ? C : never) : never;

/** Values a message can name. Lists (columns, sheets) are quoted and joined per language; `fields` and `field` are canonical field names. */
export type InputErrorParams = {
  file: string;
  sheet?: string;
  /** Where the fault is: the line of a text file (a record's first line), the row of a sheet, the record of a Parquet file. */
  line?: number;
  column?: string;
  value?: string | null;
} & Record<string, string | number | string[] | null | undefined>;

/** A message for the user that names the file and, where it applies, the row and column. */
export class InputError extends Error {
  override name = 'InputError';
  readonly code: InputErrorCode;
  readonly params: InputErrorParams;

  constructor(file: string, code: InputErrorCode, params: Omit<InputErrorParams, 'file'> = {}) {
    const all = { file, ...dropUndefined(params) } as InputErrorParams;
    super(formatInputError(en, code, all));
    this.code = code;
    this.params = all;
  }

  get file(): string {
    return this.params.file;
  }

  /** The line (text) or row (sheet) the fault is on, when there is one. */
  get row(): number | undefined {
    return this.params.line;
  }

  get column(): string | undefined {
    return this.params.column;
  }
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The fields an error carries across a worker boundary (structured-clone safe). */
export interface InputErrorData {
  code: InputErrorCode;
  params: InputErrorParams;
}

/** Whether `e` (an InputError, or an error rebuilt from one on the other side of a worker boundary) carries a code. */
export function inputErrorData(e: unknown): InputErrorData | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, params } = e as Partial<InputErrorData>;
  if (typeof code !== 'string' || !(`error.input.${code}` in en) || typeof params !== 'object' || params === null) return undefined;
  return { code, params };
}

const MAX_VALUE = 60;

/**
 * The sentence for `code` with `params`, from a message table (a language's pack, or any lookup with the same
 * keys): the place (file, sheet, line or row, column, value; those the reason names itself are left out), then
 * the reason. `field` names canonical fields in that language.
 */
export function formatInputError(
  texts: Readonly<Record<string, string>> | ((key: string) => string),
  code: string,
  params: InputErrorParams,
  field: (name: string) => string = (name) => name,
): string {
  const text = typeof texts === 'function' ? texts : (key: string) => texts[key] ?? key;
  const template = text(`error.input.${code}`);
  const fill = (t: string) =>
    t.replace(/\{(\w+)\}/g, (_, k: string) => {
      const v = params[k];
      if (v === undefined || v === null) return '';
      if (k === 'field') return field(String(v));
      if (k === 'fields') return (Array.isArray(v) ? v : [String(v)]).map(field).join(text('error.list.sep'));
      if (k === 'kind') return text(`error.kind.${v}`);
      if (k === 'fault') return text(`error.fault.${v}`);
      if (Array.isArray(v)) return v.map((item) => text('error.list.quote').replace('{item}', item)).join(text('error.list.sep'));
      const s = String(v);
      return s.length > MAX_VALUE ? s.slice(0, MAX_VALUE) + '…' : s;
    });
  const named = (k: string) => template.includes(`{${k}}`);
  let place = fill(text('error.at.file'));
  if (params.sheet != null && !named('sheet')) place += fill(text('error.at.sheet'));
  if (params.line != null && !named('line')) place += fill(text(params.sheet != null ? 'error.at.row' : 'error.at.line'));
  if (params.column != null && !named('column')) place += fill(text('error.at.column'));
  if (params.value != null && params.value !== '' && !named('value')) place += fill(text('error.at.value'));
  return place + text('error.at.end') + fill(template);
}

/**
 * Let an InputError's code and params cross a comlink boundary. Comlink sends only an error's name, message and
 * stack, and the receiving side copies every field it gets onto the Error it rebuilds; so this is called once in
 * the worker, on comlink's `transferHandlers`.
 */
export function carryInputErrors(handlers: Map<string, TransferHandler<unknown, unknown>>): void {
  const base = handlers.get('throw');
  if (!base) return;
  handlers.set('throw', {
    canHandle: base.canHandle,
    serialize(thrown) {
      const [wire, transfer] = base.serialize(thrown);
      const data = inputErrorData((thrown as { value?: unknown }).value);
      const sent = (wire as { isError?: boolean; value?: unknown }).value;
      if (data && typeof sent === 'object' && sent !== null) Object.assign(sent, data);
      return [wire, transfer];
    },
    deserialize: base.deserialize,
  });
}
