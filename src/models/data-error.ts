/**
 * Data a model cannot run on, as opposed to a fault or a bad setting: an as-of date with no purchase before it,
 * too few customers to cluster. The headless command notes it in the model's section and runs the other models;
 * the page says it in the user's language from `code` and `params` (src/views/model-error.ts).
 */
import type { TransferHandler } from 'comlink';

export type ModelDataCode = 'as_of_before_data' | 'clusters_too_few' | 'clusters_too_many';

const CODES: readonly string[] = ['as_of_before_data', 'clusters_too_few', 'clusters_too_many'] satisfies ModelDataCode[];

/** Dates are `YYYY-MM-DD` strings, counts are numbers (the page formats each in the user's language). */
export type ModelDataParams = Record<string, string | number>;

export interface ModelDataErrorData {
  code: ModelDataCode;
  params: ModelDataParams;
}

export class ModelDataError extends Error {
  override name = 'ModelDataError';

  /** `message`: the English sentence the headless command prints. */
  constructor(
    readonly code: ModelDataCode,
    readonly params: ModelDataParams,
    message: string,
  ) {
    super(message);
  }
}

/** The code and params of a ModelDataError, also of one rebuilt on this side of a worker boundary. */
export function modelDataErrorData(e: unknown): ModelDataErrorData | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { name, code, params } = e as { name?: unknown; code?: unknown; params?: unknown };
  if (name !== 'ModelDataError' || typeof code !== 'string' || !CODES.includes(code) || typeof params !== 'object' || params === null) return undefined;
  return { code: code as ModelDataCode, params: params as ModelDataParams };
}

/**
 * Let a ModelDataError's code and params cross a comlink boundary (comlink sends an error's name, message and
 * stack only, and copies what it gets onto the Error it rebuilds). Called once in the worker; it wraps whatever
 * `throw` handler is installed, so other errors keep what their own wrappers carry.
 */
export function carryModelDataErrors(handlers: Map<string, TransferHandler<unknown, unknown>>): void {
  const base = handlers.get('throw');
  if (!base) return;
  handlers.set('throw', {
    canHandle: base.canHandle,
    serialize(thrown) {
      const [wire, transfer] = base.serialize(thrown);
      const data = modelDataErrorData((thrown as { value?: unknown }).value);
      const sent = (wire as { value?: unknown }).value;
      if (data && typeof sent === 'object' && sent !== null) Object.assign(sent, data);
      return [wire, transfer];
    },
    deserialize: base.deserialize,
  });
}
