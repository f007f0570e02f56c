/**
 * The engine's one request manager: what is cached, what waits for what, and what is stale. Results are
 * kept by model + settings + data version; requests of a lane run one at a time; every change of sources
 * bumps one data version, which drops the results and the state kept for the data before it.
 */
import type { Lane } from '../src/models/registry.ts';

/** How long the engine has had no request before it runs a job that waits for it to be idle (ms). */
const IDLE_MS = 1000;

export class RequestManager {
  #version = 0;
  /** Each model's last result with the key it answered: the model's tables hold that result too, so one a model. */
  #results = new Map<string, { key: string; value: Promise<unknown>; settled?: { value: unknown } }>();
  #lanes = new Map<Lane, Promise<unknown>>();
  /** Each model's requests that touch its tables (its runs, lists and exports), one after another. */
  #models = new Map<string, Promise<unknown>>();
  /** Which settings each model's tables were last written for (`version|key`); absent when unknown (a run failed). */
  #tables = new Map<string, string>();
  /** State a model keeps for the current data (fits, transactions, columns read): replaced when the data change. */
  #state = new Map<string, unknown>();
  /** Requests under way or waiting in a lane; the jobs that wait for there to be none (warm-ups), and their timer. */
  #pending = 0;
  #idle: (() => Promise<unknown>)[] = [];
  /** Jobs that wait for idleness and for the other such jobs (see `whenIdle`). */
  #idleLast: (() => Promise<unknown>)[] = [];
  #idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** The data version: bumped by every change of sources. */
  get version(): number {
    return this.#version;
  }

  /** The sources changed: forget every result and every model's state. Runs already under way finish on their own. */
  bump(): void {
    this.#version++;
    this.#results.clear();
    this.#state = new Map();
    this.#idle = [];
    this.#idleLast = [];
  }

  /**
   * Run `job` once no request has been under way for a moment (after the jobs already waiting): work a request may
   * need later (a warm-up) that must not hold back one asked for now. Dropped when the data change. `last`: also after
   * every job queued without it, even those queued later (a long job that should not hold back the quick ones).
   */
  whenIdle(job: () => Promise<unknown>, opts: { last?: boolean } = {}): void {
    (opts.last ? this.#idleLast : this.#idle).push(job);
    this.#idleSoon();
  }

  #idleSoon(): void {
    if (this.#pending > 0 || this.#idle.length + this.#idleLast.length === 0 || this.#idleTimer !== undefined) return;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      if (this.#pending > 0) return;
      const job = this.#idle.shift() ?? this.#idleLast.shift();
      if (!job) return;
      this.#pending++;
      const done = () => {
        this.#pending--;
        this.#idleSoon();
      };
      job().then(done, done);
    }, IDLE_MS);
  }

  /**
   * The result of `model` for `args` on the current data: the one kept when it was the model's last (even while it
   * is still running), else a new run in the model's lane that becomes the last. A failed run is not kept. `tables`
   * says which settings the run writes the model's tables for (default `args`; the lifecycle run's `args` hold its
   * first list page too). Runs of one model never overlap: the second waits for the first to finish writing.
   */
  result<T>(model: string, args: unknown, lane: Lane, run: () => Promise<T>, tables: unknown = args): Promise<T> {
    const key = this.#key(args);
    const last = this.#results.get(model);
    if (last?.key === key) return last.value as Promise<T>;
    const tablesKey = this.#key(tables);
    const value = this.#serial(model, () => this.inLane(lane, () => this.#write(model, tablesKey, run)));
    const entry: { key: string; value: Promise<unknown>; settled?: { value: unknown } } = { key, value };
    this.#results.set(model, entry);
    value.then((v) => (entry.settled = { value: v }), () => {});
    value.catch(() => {
      if (this.#results.get(model)?.value === value) this.#results.delete(model);
    });
    return value;
  }

  /**
   * Run `task` on the model's tables as a run for the settings `tables` leaves them (a customer list, an export):
   * when the model's last run was for other settings (another cell of the same model), `rerun` rewrites them first.
   * Nothing else of the model runs in between. Without `rerun`, `task` reads the tables as the last run left them.
   */
  withTables<T>(model: string, tables: unknown, lane: Lane, rerun: (() => Promise<unknown>) | null, task: () => Promise<T>): Promise<T> {
    const tablesKey = this.#key(tables);
    return this.#serial(model, () =>
      this.inLane(lane, async () => {
        if (rerun && this.#tables.get(model) !== tablesKey) await this.#write(model, tablesKey, rerun);
        return task();
      }),
    );
  }

  /** Whether the model's tables were written by a run that succeeded or is under way (on any data). */
  written(model: string): boolean {
    return this.#tables.has(model);
  }

  #key(args: unknown): string {
    return `${this.#version}|${JSON.stringify(args ?? null)}`;
  }

  /** A run that (re)writes the model's tables for `tablesKey`; a failed one leaves them unknown. */
  async #write<T>(model: string, tablesKey: string, run: () => Promise<T>): Promise<T> {
    this.#tables.set(model, tablesKey);
    try {
      return await run();
    } catch (e) {
      if (this.#tables.get(model) === tablesKey) this.#tables.delete(model);
      throw e;
    }
  }

  /** Run `task` after the model's earlier requests have settled. */
  #serial<T>(model: string, task: () => Promise<T>): Promise<T> {
    const next = (this.#models.get(model) ?? Promise.resolve()).then(task, task);
    this.#models.set(model, next.catch(() => undefined));
    return next;
  }

  /**
   * A later, fuller answer of the run that answered `earlier` (the CLV result once its model comparison is filled in):
   * kept in its place when that answer is still the model's last, so that asking again gives the fuller one.
   */
  replace(model: string, earlier: unknown, later: unknown): void {
    const last = this.#results.get(model);
    if (last?.settled && last.settled.value === earlier) {
      last.value = Promise.resolve(later);
      last.settled = { value: later };
    }
  }

  /** Run `task` in `lane`: at once for `sql`, else after the lane's earlier requests have settled. */
  inLane<T>(lane: Lane, task: () => Promise<T>): Promise<T> {
    this.#pending++;
    let next: Promise<T>;
    if (lane === 'sql') {
      try {
        next = task();
      } catch (e) {
        next = Promise.reject(e);
      }
    } else {
      next = (this.#lanes.get(lane) ?? Promise.resolve()).then(task, task);
      this.#lanes.set(lane, next.catch(() => undefined));
    }
    const done = () => {
      this.#pending--;
      this.#idleSoon();
    };
    next.then(done, done);
    return next;
  }

  /**
   * The state `name` for the current data, made on first use. A run that began before the data changed keeps the
   * object it was given, so what it writes there is never seen by runs on the new data.
   */
  state<T>(name: string, make: () => T): T {
    if (!this.#state.has(name)) this.#state.set(name, make());
    return this.#state.get(name) as T;
  }
}
