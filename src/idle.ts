/**
 * Run `jobs` one per idle moment of the main thread, in order; a job that throws does not stop the rest (these are
 * warm-ups: what fails here fails visibly where it is used for real). Nothing runs where idle callbacks do not exist.
 */
export function runWhenIdle(jobs: (() => unknown)[]): void {
  if (typeof requestIdleCallback !== 'function') return;
  const queue = [...jobs];
  const next = () => {
    try {
      queue.shift()?.();
    } catch {
      // see above
    }
    if (queue.length) requestIdleCallback(next);
  };
  requestIdleCallback(next);
}
