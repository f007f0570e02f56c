/** A cell's request for its model: the latest answer, its error and whether one is on its way. */
import { Latest } from '../db/client.ts';
import { cellContext } from './cell-context.ts';
import { modelErrorText } from './model-error.ts';
import { visibleFirst, type OnScreen } from './visible-first.ts';

export class ModelRequest<T> {
  /** The answer to the latest request that has answered; kept while a newer one runs, so the cell does not blank. */
  value = $state.raw<T | null>(null);
  /** What the latest request was rejected with; cleared by the next answer. */
  #failure = $state.raw<{ error: unknown } | null>(null);
  busy = $state(false);
  #latest = new Latest();
  #runs = 0;
  /** The cell's place on screen (made inside a cell's view): its requests go visible-first. */
  #screen: OnScreen | undefined = cellContext()?.screen;
  #holds: boolean;

  /**
   * `fitted`: the cell's model is fitted in a worker of its own (CLV and the churn warning), which leaves DuckDB free
   * while it fits: its requests on screen hold back no other cell's.
   */
  constructor(opts: { fitted?: boolean } = {}) {
    this.#holds = !opts.fitted;
  }

  /** The latest request's error as the user should read it, in the current language ('' when it answered). */
  get error(): string {
    return this.#failure ? modelErrorText(this.#failure.error) : '';
  }

  /**
   * Ask again. An answer or error of a request that a newer one has replaced is dropped. `onValue` runs with a fresh
   * answer just before it becomes `value` (for what the cell keeps beside it); `onSettled` when the request ends
   * either way. A cell off screen asks once the cells on screen have their answers (visible-first.ts).
   */
  run(request: () => Promise<T>, hooks: { onValue?: (value: T) => void; onSettled?: () => void } = {}): void {
    this.busy = true;
    const mine = ++this.#runs;
    this.#latest
      .run(() => visibleFirst.run(this.#screen, request, { stale: () => mine !== this.#runs, holds: this.#holds }))
      .then((r) => {
        if (r.stale) return;
        hooks.onValue?.(r.value);
        this.value = r.value;
        this.#failure = null;
        this.busy = false;
        hooks.onSettled?.();
      })
      .catch((e) => {
        this.#failure = { error: e };
        this.busy = false;
        hooks.onSettled?.();
      });
  }
}
