/**
 * The CLV fits' own worker: the engine's worker posts a customer summary and the score options and goes on
 * answering the other cells while the purchase and spend models are fitted here.
 */
import type { PurchaseModelKind } from '../src/models/clv/index.ts';
import { scoreCustomers, type ClvInput, type DetachedScores, type FitStore, type ScoreOptions } from '../src/models/clv/pipeline.ts';

/** A request: the input, the options without the progress callback, the fits already made and those that timed out. */
export interface FitRequest {
  id: number;
  input: ClvInput;
  options: Omit<ScoreOptions, 'onProgress' | 'fits' | 'timedOut'>;
  fits: FitStore;
  timedOut: Set<PurchaseModelKind>;
}

/** Progress, the result or the error (by name and message), each time with the fits made and the models that timed out. */
export type FitReply =
  | { id: number; progress: [string, number] }
  | ({ id: number; fits: FitStore; timedOut: Set<PurchaseModelKind> } & ({ scores: DetachedScores } | { error: { name: string; message: string } }));

const post = (reply: FitReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = (event: MessageEvent<FitRequest>) => {
  const { id, input, options, fits, timedOut } = event.data;
  try {
    const { model: _, ...scores } = scoreCustomers(input, { ...options, fits, timedOut, onProgress: (phase, fraction) => post({ id, progress: [phase, fraction] }) });
    post({ id, scores, fits, timedOut }, [scores.pAlive.buffer, scores.expectedPurchases.buffer, scores.expectedSpend.buffer, scores.clv.buffer]);
  } catch (e) {
    post({ id, fits, timedOut, error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) } });
  }
};
