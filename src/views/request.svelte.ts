/** A cell's request for its model: the latest answer, its error and whether one is on its way. */
import { Latest } from '../db/client.ts';
import { modelErrorText } from './model-error.ts';

export class ModelRequest<T> {
  /** The answer to the latest request that has answered; kept while a newer one runs, so the cell does not blank. */
  value = $state.raw<T | null>(null);
  /** What the latest request was rejected with; cleared by the next answer. */
  #failure = $state.raw<{ error: unknown } | null>(null);
  busy = $state(false);
  #latest = new Latest();

  /** The latest request's error as the user should read it, in the current language ('' when it answered). */
  get error(): string {
    return this.#failure ? modelErrorText(this.#failure.error) : '';
  }

  /**
   * Ask again. An answer or error of a request that a newer one has replaced is dropped. `onValue` runs with a fresh
   * answer just before it becomes `value` (for what the cell keeps beside it); `onSettled` when the request ends
   * either way.
   */
  run(request: () => Promise<T>, hooks: { onValue?: (value: T) => void; onSettled?: () => void } = {}): void {
    this.busy = true;
    this.#latest
      .run(request)
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
