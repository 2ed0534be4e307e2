// Types of `cinnabar/queue`: a BullMQ-like job queue on a Cinnabar store.
//
// The queue's state is plain keys (lists, sorted sets, hashes) under
// `<prefix>:<name>:` (prefix "queue" by default), readable with LRANGE, ZRANGE
// and HGETALL; see pkg/src/queue.js for the key layout. Times are the queue
// clock's milliseconds (Date.now by default; a ManualClock in tests).
import type { Cinnabar } from "./index.js";

/** Time source and timer scheduler of a Queue or Worker (default: Date.now and the global timers). */
export interface Clock {
  /** The current time in ms. */
  now(): number;
  /** Runs `fn` after `ms` ms; a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set with setTimeout. */
  clearTimeout(handle: any): void;
}

/** The default clock: Date.now, setTimeout, clearTimeout. */
export declare const systemClock: Clock;

/**
 * A clock whose time moves only when told, for deterministic tests.
 * @example
 * const clock = new ManualClock(0);
 * const q = new Queue(db, "email", { clock });
 * await q.add("later", {}, { delay: 5000 });
 * await clock.advance(5000); // runs the timers due, letting promises settle after each
 */
export declare class ManualClock implements Clock {
  /** A clock standing at `start` ms (default 0). */
  constructor(start?: number);
  /** The clock's time in ms. */
  now(): number;
  /** Schedules `fn` at now() + `ms`; it runs when advance() reaches that time. */
  setTimeout(fn: () => void, ms: number): number;
  /** Cancels a timer set with setTimeout. */
  clearTimeout(handle: number): void;
  /** Timers not yet run. */
  readonly pending: number;
  /** Lets pending promise callbacks run (a few macrotask turns). */
  settle(turns?: number): Promise<void>;
  /** Moves time forward by `ms`, running each timer at its due time, in order. */
  advance(ms: number): Promise<void>;
}

/** Retry delay: fixed, exponential (delay · 2^(attempt−1)), or a custom type handled by the worker's `settings.backoffStrategy`. */
export type BackoffOptions = { type: "fixed" | "exponential" | (string & {}); delay?: number };

/** Keep-or-remove policy for finished jobs: true = remove at once, a number = keep the newest N, or by age (seconds) and/or count. */
export type KeepJobs = boolean | number | { age?: number; count?: number };

/** Repeat a job every `every` ms (runs aligned to multiples of `every`, or starting now with `immediately`). */
export interface RepeatOptions {
  every: number;
  /** Stop after this many runs. */
  limit?: number;
  /** First run now instead of at the next multiple of `every`. */
  immediately?: boolean;
  /** The repeatable configuration's key (default: `<name>:<jobId>:<every>`). */
  key?: string;
}

/** Options of one job (Queue.add, addBulk, `defaultJobOptions`), as BullMQ's. */
export interface JobsOptions {
  /** Wait this many ms before the job may run. */
  delay?: number;
  /** 1 (highest) .. 2097152; 0 or absent = no priority (taken before prioritized jobs). */
  priority?: number;
  /** Total attempts (default 1: no retries). */
  attempts?: number;
  /** Delay before each retry; a number is a fixed delay. */
  backoff?: number | BackoffOptions;
  /** A custom id (not an integer, no ':'); adding an existing id returns that job unchanged. */
  jobId?: string;
  /** Put the job at the front of the wait list. */
  lifo?: boolean;
  /** Fail an attempt that has not settled after this many ms (the default is the worker's `timeout`). */
  timeout?: number;
  removeOnComplete?: KeepJobs;
  removeOnFail?: KeepJobs;
  repeat?: RepeatOptions;
}

/** Options of `new Queue(...)`. */
export interface QueueOptions {
  /** Key prefix (default "queue"). */
  prefix?: string;
  /** Time source (default: {@link systemClock}; a {@link ManualClock} in tests). */
  clock?: Clock;
  /** Options merged under each job's own. */
  defaultJobOptions?: JobsOptions;
}

/** Where a job is (`unknown` when there is no such job). */
export type JobState = "completed" | "failed" | "delayed" | "active" | "prioritized" | "waiting" | "unknown";
/** A state name accepted by getJobs / getJobCounts (`wait` = `waiting`; `paused` = waiting while paused). */
export type JobType = "waiting" | "wait" | "paused" | "active" | "delayed" | "prioritized" | "completed" | "failed";

/** Jobs per state (Queue.getJobCounts()). */
export interface JobCounts {
  waiting: number;
  prioritized: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  /** Waiting + prioritized jobs while the queue is paused (they then count 0 as waiting). */
  paused: number;
}

/** A job: its stored fields and methods acting on it. */
export declare class Job<Data = any, Result = any, Name extends string = string> {
  readonly queue: Queue<Data, Result, Name>;
  readonly id: string;
  name: Name;
  data: Data;
  opts: JobsOptions;
  /** When it was added (clock ms). */
  timestamp: number;
  delay: number;
  priority: number;
  /** Attempts finished (completed or failed). */
  attemptsMade: number;
  /** Attempts started. */
  attemptsStarted: number;
  /** Times it was recovered from a stalled worker. */
  stalledCounter: number;
  progress: unknown;
  processedOn?: number;
  finishedOn?: number;
  returnvalue: Result | null;
  failedReason?: string;
  /** Stacks of the last (up to 10) failures. */
  stacktrace: string[];
  /** The lock token while a worker processes the job. */
  token?: string;
  /**
   * Stores the job's progress and emits "progress" on the worker and QueueEvents.
   * @example await job.updateProgress(50)
   */
  updateProgress(progress: number | object): Promise<void>;
  /** Replaces the job's data. */
  updateData(data: Data): Promise<void>;
  /** Appends a row to the job's log; the log's length. */
  log(row: string): Promise<number>;
  /** The job's current state (read from the store). */
  getState(): Promise<JobState>;
  /** Whether the job is in the completed set. */
  isCompleted(): Promise<boolean>;
  /** Whether the job is in the failed set. */
  isFailed(): Promise<boolean>;
  /** Whether a worker holds the job. */
  isActive(): Promise<boolean>;
  /** Whether the job waits for its delay (or a retry backoff). */
  isDelayed(): Promise<boolean>;
  /** Whether the job waits for a worker (waiting or prioritized). */
  isWaiting(): Promise<boolean>;
  /** Removes the job (throws while a worker holds it). */
  remove(): Promise<number>;
  /** Moves a failed (or completed) job back to waiting with its attempts reset. */
  retry(state?: "failed" | "completed"): Promise<void>;
  /** Moves a delayed job to waiting now. */
  promote(): Promise<void>;
  /** The job's own fields except its lock token (what JSON.stringify(job) writes). */
  toJSON(): Record<string, unknown>;
}

/** A repeatable job's configuration (Queue.getRepeatableJobs()). */
export interface RepeatableJob {
  key: string;
  name: string;
  every: number;
  /** When the next run is due. */
  next: number;
  limit?: number;
  /** Runs scheduled so far. */
  count: number;
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** The event methods of Queue, Worker and QueueEvents (Node's EventEmitter API, typed per event). */
declare class Emitter<Events extends Record<string, unknown[]>> {
  /** Calls `listener` on every `event`. */
  on<E extends keyof Events & string>(event: E, listener: Listener<Events[E]>): this;
  /** Same as on(). */
  addListener<E extends keyof Events & string>(event: E, listener: Listener<Events[E]>): this;
  /** Calls `listener` on the next `event` only. */
  once<E extends keyof Events & string>(event: E, listener: Listener<Events[E]>): this;
  /** Removes a listener added with on() or once(). */
  off<E extends keyof Events & string>(event: E, listener: Listener<Events[E]>): this;
  /** Same as off(). */
  removeListener<E extends keyof Events & string>(event: E, listener: Listener<Events[E]>): this;
  /** Removes every listener of `event` (of all events without it). */
  removeAllListeners(event?: keyof Events & string): this;
  /** How many listeners `event` has. */
  listenerCount(event: keyof Events & string): number;
  /** Calls the listeners of `event` with `args`; whether there were any. */
  emit<E extends keyof Events & string>(event: E, ...args: Events[E]): boolean;
  /** A Promise of the next `event`'s first argument. */
  waitFor<E extends keyof Events & string>(event: E): Promise<Events[E][0]>;
}

/** Events of a Queue and their listener arguments. */
export interface QueueListeners<Data, Result, Name extends string> {
  [event: string]: unknown[];
  waiting: [job: Job<Data, Result, Name>];
  paused: [];
  resumed: [];
  removed: [jobId: string];
  cleaned: [jobIds: string[], type: string];
  closed: [];
  error: [error: Error];
}

/**
 * A named queue in a store.
 * @example
 * import { Cinnabar } from "cinnabar";
 * import { Queue, Worker } from "cinnabar/queue";
 * const db = new Cinnabar();
 * const q = new Queue(db, "email");
 * await q.add("welcome", { to: "a@b.c" }, { attempts: 5, backoff: { type: "exponential", delay: 1000 } });
 */
export declare class Queue<Data = any, Result = any, Name extends string = string> extends Emitter<QueueListeners<Data, Result, Name>> {
  constructor(db: Cinnabar, name: string, options?: QueueOptions);
  /** BullMQ's form; without `connection` the queue makes a store of its own (closed by `close()`). */
  constructor(name: string, options?: QueueOptions & { connection?: Cinnabar });
  readonly db: Cinnabar;
  readonly name: string;
  readonly prefix: string;
  readonly clock: Clock;
  readonly defaultJobOptions: JobsOptions;
  /** The queue's key names (`wait`, `active`, `job` prefix, ...). */
  readonly keys: Readonly<Record<"base" | "id" | "pc" | "job" | "wait" | "prioritized" | "delayed" | "active" | "completed" | "failed" | "meta" | "limiter" | "marker" | "repeat", string>>;
  /**
   * Adds a job. Throws a TypeError when `data` cannot be serialised as JSON, a
   * RangeError/TypeError for bad options; with `jobId`, an existing job is
   * returned unchanged. A repeatable job answers its next run (or null when its limit is reached).
   * @example const job = await q.add("welcome", { to: "a@b.c" }, { delay: 5000, priority: 1 })
   */
  add(name: Name, data: Data, opts?: JobsOptions): Promise<Job<Data, Result, Name>>;
  /**
   * Adds several jobs in one crossing.
   * @example await q.addBulk([{ name: "a", data: 1 }, { name: "b", data: 2, opts: { priority: 3 } }])
   */
  addBulk(jobs: { name: Name; data: Data; opts?: Omit<JobsOptions, "repeat"> }[]): Promise<Job<Data, Result, Name>[]>;
  /** The job with this id, or undefined. */
  getJob(id: string): Promise<Job<Data, Result, Name> | undefined>;
  /** The state of the job with this id (`unknown` when missing). */
  getJobState(id: string): Promise<JobState>;
  /**
   * Counts by state, or of the named states only.
   * @example await q.getJobCounts() // { waiting: 1, prioritized: 0, active: 0, delayed: 0, completed: 3, failed: 0, paused: 0 }
   */
  getJobCounts(): Promise<JobCounts>;
  getJobCounts(...types: JobType[]): Promise<Partial<Record<JobType, number>>>;
  /** The number of jobs in the named states together. */
  getJobCountByTypes(...types: JobType[]): Promise<number>;
  /** Jobs not yet processed (waiting, prioritized, delayed, paused). */
  count(): Promise<number>;
  /** Jobs in the given states: waiting/prioritized/delayed in processing order, completed/failed newest first. */
  getJobs(types?: JobType | JobType[], start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** `getJobs("waiting", start, end)`: jobs waiting for a worker, in processing order. */
  getWaiting(start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** `getJobs("prioritized", start, end)`: prioritized jobs, in processing order. */
  getPrioritized(start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** `getJobs("active", start, end)`: jobs workers hold. */
  getActive(start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** `getJobs("delayed", start, end)`: delayed jobs, soonest first. */
  getDelayed(start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** `getJobs("completed", start, end)`: completed jobs, newest first. */
  getCompleted(start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** `getJobs("failed", start, end)`: failed jobs, newest first. */
  getFailed(start?: number, end?: number): Promise<Job<Data, Result, Name>[]>;
  /** Rows `start..end` of a job's log (written with job.log) and the log's length. */
  getJobLogs(id: string, start?: number, end?: number): Promise<{ logs: string[]; count: number }>;
  /** The repeatable jobs' configurations, next run first. */
  getRepeatableJobs(): Promise<RepeatableJob[]>;
  /** Stops a repeatable job (same name and repeat options as given to add); whether it existed. */
  removeRepeatable(name: Name, repeat: RepeatOptions, jobId?: string): Promise<boolean>;
  /** Stops a repeatable job by its key (RepeatableJob.key); whether it existed. */
  removeRepeatableByKey(key: string): Promise<boolean>;
  /** Workers stop taking jobs until resume(); running jobs finish. */
  pause(): Promise<void>;
  /** Lets workers take jobs again after pause(). */
  resume(): Promise<void>;
  /** Whether the queue is paused. */
  isPaused(): Promise<boolean>;
  /** Removes a job no worker holds: 1, or 0 when missing; throws for an active job. */
  remove(id: string): Promise<number>;
  /** Removes the waiting and prioritized jobs (and delayed ones with `delayed`). */
  drain(delayed?: boolean): Promise<void>;
  /**
   * Removes up to `limit` (0 = all) jobs of `type` finished (or, for unfinished states,
   * added) more than `grace` ms ago; the removed ids.
   * @example await q.clean(24 * 3600_000, 1000, "completed")
   */
  clean(grace: number, limit?: number, type?: "completed" | "failed" | "delayed" | "prioritized" | "wait" | "waiting" | "paused"): Promise<string[]>;
  /** Deletes every key of the queue (refused while jobs are active unless `force`). */
  obliterate(opts?: { force?: boolean }): Promise<void>;
  /** Throws a TypeError naming the first queue key that holds the wrong type. */
  checkKeys(): void;
  /** Closes the queue's own connection (the data stays). */
  close(): Promise<void>;
}

/** Options of `new Worker(...)`. */
export interface WorkerOptions {
  /** Jobs processed at once (default 1). */
  concurrency?: number;
  /** Global rate limit of the queue: at most `max` jobs started per `duration` ms. */
  limiter?: { max: number; duration: number };
  /** A job's lock lasts this long and is renewed every half of it while it runs (default 30000 ms). */
  lockDuration?: number;
  /** How often active jobs with an expired lock are recovered (default 30000 ms; also once at start). */
  stalledInterval?: number;
  /** Recoveries of one job before it fails as stalled (default 1). */
  maxStalledCount?: number;
  /** Default per-attempt time limit in ms (job option `timeout` overrides). */
  timeout?: number;
  /** Start at once (default true); else call run(). */
  autorun?: boolean;
  /** Wait after an error before fetching again (default 1000 ms). */
  retryDelay?: number;
  /** Time source (default: the queue's clock). */
  clock?: Clock;
  settings?: {
    /** Delay for custom backoff types; a negative number means no retry. */
    backoffStrategy?: (attemptsMade: number, type: string, err: unknown, job: Job) => number;
  };
}

/** Events of a Worker and their listener arguments. */
export interface WorkerListeners<Data, Result, Name extends string> {
  [event: string]: unknown[];
  active: [job: Job<Data, Result, Name>, prev: string];
  completed: [job: Job<Data, Result, Name>, result: Result, prev: string];
  /** Every failed attempt (job.attemptsMade tells which; a retry follows while attempts remain). */
  failed: [job: Job<Data, Result, Name>, error: Error, prev: string];
  progress: [job: Job<Data, Result, Name>, progress: unknown];
  stalled: [jobId: string, prev: string];
  lockRenewalFailed: [jobIds: string[]];
  drained: [];
  paused: [];
  resumed: [];
  closed: [];
  error: [error: Error];
}

/** The function a Worker runs per job: its return value (or resolved value) is the job's result; a throw fails the attempt. */
export type Processor<Data, Result, Name extends string> = (job: Job<Data, Result, Name>, token?: string) => Result | Promise<Result>;

/**
 * Takes jobs from a queue and runs `processor` on them.
 * @example
 * const w = new Worker(q, async (job) => { await job.updateProgress(50); return "sent"; }, { concurrency: 4 });
 * w.on("completed", (job, result) => {});
 * w.on("failed", (job, err) => {});
 */
export declare class Worker<Data = any, Result = any, Name extends string = string> extends Emitter<WorkerListeners<Data, Result, Name>> {
  /** A worker on `queue`, started at once unless `autorun: false`. */
  constructor(queue: Queue<Data, Result, Name>, processor: Processor<Data, Result, Name>, options?: WorkerOptions);
  readonly id: string;
  readonly queue: Queue<Data, Result, Name>;
  readonly name: string;
  readonly opts: WorkerOptions;
  readonly clock: Clock;
  /** Jobs this worker is processing. */
  readonly activeCount: number;
  /** Starts taking jobs (with `autorun: false`); resolves when the worker closes. */
  run(): Promise<void>;
  /** Whether the worker has started and not closed. */
  isRunning(): boolean;
  /** Whether this worker is paused. */
  isPaused(): boolean;
  /** Stops taking jobs (this worker only; see Queue.pause for all). */
  pause(): void;
  /** Takes jobs again after pause(). */
  resume(): void;
  /** Takes no job for `ms`; throw a RateLimitError from the processor to put the current job back. */
  rateLimit(ms: number): void;
  /** Recovers active jobs whose lock expired; their ids. Runs on its own every `stalledInterval`. */
  moveStalledJobs(force?: boolean): string[];
  /** Stops: no new jobs; waits for running ones unless `force` (their locks then expire and they are retried elsewhere). */
  close(force?: boolean): Promise<void>;
}

/** Events of QueueEvents and their listener arguments (BullMQ's names and shapes). */
export interface QueueEventsListeners {
  [event: string]: unknown[];
  added: [args: { jobId: string; name: string }, ts: number];
  waiting: [args: { jobId: string; prev?: string }, ts: number];
  delayed: [args: { jobId: string; delay: number }, ts: number];
  active: [args: { jobId: string; prev: string }, ts: number];
  progress: [args: { jobId: string; data: unknown }, ts: number];
  completed: [args: { jobId: string; returnvalue: unknown; prev: string }, ts: number];
  failed: [args: { jobId: string; failedReason: string; prev: string; attemptsMade: number; willRetry: boolean }, ts: number];
  "retries-exhausted": [args: { jobId: string; attemptsMade: number }, ts: number];
  stalled: [args: { jobId: string; prev: string }, ts: number];
  removed: [args: { jobId: string }, ts: number];
  cleaned: [args: { count: number }, ts: number];
  drained: [args: {}, ts: number];
  paused: [args: {}, ts: number];
  resumed: [args: {}, ts: number];
  error: [error: Error];
}

/**
 * Events of one queue from all its Queue and Worker objects on this store in this process.
 * @example
 * const events = new QueueEvents(q);
 * events.on("completed", ({ jobId, returnvalue }) => console.log(jobId, returnvalue));
 */
export declare class QueueEvents extends Emitter<QueueEventsListeners> {
  /** Listens to `queue` (or to the queue `name` in `db`). */
  constructor(queue: Queue);
  constructor(db: Cinnabar, name: string, options?: { prefix?: string });
  /** Stops listening and removes the listeners. */
  close(): Promise<void>;
}

/** Throw from a processor to fail the job at once, whatever attempts remain. */
export declare class UnrecoverableError extends Error {}
/** Throw from a processor (after `worker.rateLimit(ms)`) to put the job back untouched. */
export declare class RateLimitError extends Error {
  /** A RateLimitError; the message defaults to "rate limit exceeded". */
  constructor(message?: string);
}
