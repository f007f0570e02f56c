/** Runs the CLV fits in workers of their own (see fit.worker.ts), for the engine's worker in the browser. */
import { attachScores, type CompareRunner, type ScoreOptions, type ScoreRunner } from '../src/models/clv/pipeline.ts';
import { ClvInputError } from '../src/models/clv/summary.ts';
import type { FitReply, FitRequest } from './fit.worker.ts';
import fitWorkerUrl from './fit.worker.ts?worker&url';
import { startWorker } from './start.ts';

/**
 * A ScoreRunner backed by one fit worker, started on the first fit. Progress is passed on, the fits made are
 * added to the caller's store, and a ClvInputError stays one (the churn list relies on it).
 */
export function workerScoreRunner(): ScoreRunner {
  const worker = fitWorker();
  return async (input, options) => {
    const reply = await worker.ask(input, options);
    if (!('scores' in reply)) throw new Error('the CLV fit worker answered a score request with something else');
    return attachScores(reply.scores);
  };
}

/**
 * A CompareRunner backed by a fit worker of its own (not the scoring one): a long comparison fit (Pareto/NBD can
 * take up to its time limit) never delays the chosen model's fit for the next settings.
 */
export function workerCompareRunner(): CompareRunner {
  const worker = fitWorker();
  return async (input, options, done) => {
    const reply = await worker.ask(input, options, done);
    if (!('compared' in reply)) throw new Error('the CLV fit worker answered a comparison request with something else');
    return reply.compared;
  };
}

type Answer = Exclude<FitReply, { progress: unknown } | { error: unknown }>;

/** One fit worker, started on the first request and again after a failure. */
function fitWorker() {
  let worker: Worker | null = null;
  let next = 0;
  const pending = new Map<number, (reply: FitReply) => void>();
  const ask = (input: FitRequest['input'], options: ScoreOptions, done?: FitRequest['done']): Promise<Answer> => {
    worker ??= startFitWorker(pending, (failed) => {
      if (worker === failed) worker = null;
    });
    const id = ++next;
    const { onProgress, fits, timedOut, ...rest } = options;
    const request: FitRequest = { id, input, options: rest, fits: new Map(fits ?? []), timedOut: new Set(timedOut ?? []), done };
    return new Promise((resolve, reject) => {
      pending.set(id, (reply) => {
        if ('progress' in reply) {
          onProgress?.(...reply.progress);
          return;
        }
        pending.delete(id);
        for (const [kind, fit] of reply.fits) fits?.set(kind, fit);
        for (const kind of reply.timedOut) timedOut?.add(kind);
        if ('error' in reply) {
          reject(reply.error.name === 'ClvInputError' ? new ClvInputError(reply.error.message) : new Error(reply.error.message));
          return;
        }
        resolve(reply);
      });
      worker!.postMessage(request);
    });
  };
  return { ask };
}

/** A fit worker whose replies go to `pending`; if it fails, every waiting fit fails with it and `onFailed` lets a new one start. */
function startFitWorker(pending: Map<number, (reply: FitReply) => void>, onFailed: (worker: Worker) => void): Worker {
  // From a blob: URL, like the engine's worker: it inherits the policy the engine's worker runs under.
  const worker = startWorker(fitWorkerUrl, { name: 'clv-fit' });
  worker.onmessage = (event: MessageEvent<FitReply>) => pending.get(event.data.id)?.(event.data);
  worker.onerror = (event) => {
    worker.terminate();
    onFailed(worker);
    for (const [id, settle] of pending) settle({ id, fits: new Map(), timedOut: new Set(), error: { name: 'Error', message: `the CLV fit worker failed: ${event.message}` } });
  };
  return worker;
}
