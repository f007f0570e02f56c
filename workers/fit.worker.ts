/**
 * The CLV fits' own worker: the engine's worker posts a customer summary and the score options and goes on
 * answering the other cells while the purchase and spend models are fitted here. A second one fits the rest of
 * the model comparison after the chosen model's scores are out, so that the comparison never holds them back.
 */
import type { PurchaseModelKind } from '../src/models/clv/index.ts';
import { compareRuns, scoreCustomers, type ClvInput, type ComparisonRuns, type DetachedScores, type FitStore, type ModelRun, type ScoreOptions } from '../src/models/clv/pipeline.ts';

/**
 * A request: the input, the options without the progress callback, the fits already made and those that timed
 * out; with `done`, the comparison's runs so far (compareRuns), else the chosen model's scores (scoreCustomers).
 */
export interface FitRequest {
  id: number;
  input: ClvInput;
  options: Omit<ScoreOptions, 'onProgress' | 'fits' | 'timedOut'>;
  fits: FitStore;
  timedOut: Set<PurchaseModelKind>;
  done?: ModelRun[];
}

/** Progress, the result or the error (by name and message), each time with the fits made and the models that timed out. */
export type FitReply =
  | { id: number; progress: [string, number] }
  | ({ id: number; fits: FitStore; timedOut: Set<PurchaseModelKind> } & ({ scores: DetachedScores } | { compared: ComparisonRuns } | { error: { name: string; message: string } }));

const post = (reply: FitReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = (event: MessageEvent<FitRequest>) => {
  const { id, input, options, fits, timedOut, done } = event.data;
  const onProgress = (phase: string, fraction: number) => post({ id, progress: [phase, fraction] });
  try {
    if (done) {
      post({ id, fits, timedOut, compared: compareRuns(input, { ...options, fits, timedOut, onProgress }, done) });
      return;
    }
    const { model: _, ...scores } = scoreCustomers(input, { ...options, fits, timedOut, onProgress });
    post({ id, scores, fits, timedOut }, [scores.pAlive.buffer, scores.expectedPurchases.buffer, scores.expectedSpend.buffer, scores.clv.buffer]);
  } catch (e) {
    post({ id, fits, timedOut, error: { name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) } });
  }
};
