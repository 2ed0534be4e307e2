// cinnabar/queue with a manual clock: delays, backoff schedules, priorities,
// rate limits, stalled recovery, repeatable jobs, exactly-once completion under
// concurrency, events, bad input, and the state as plain commands show it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cinnabar } from "./load.mjs";
import { Queue, Worker, QueueEvents, ManualClock, UnrecoverableError, Job } from "../../pkg/queue.js";

function setup(name = "q", opts = {}) {
  const db = new Cinnabar();
  const clock = new ManualClock(opts.start ?? 1_000_000);
  const q = new Queue(db, name, { clock, ...opts.queue });
  return { db, clock, q };
}
async function teardown({ db, q }, ...workers) {
  for (const w of workers) await w.close(true);
  await q.close();
  db.close();
}

test("add, process, complete: the state as plain commands show it", async () => {
  const t = setup("email");
  const { db, clock, q } = t;
  const job = await q.add("welcome", { to: "a@b.c" });
  assert.ok(job instanceof Job);
  assert.equal(job.id, "1");
  assert.deepEqual(db.lrange("queue:email:wait", 0, -1), ["1"]);
  const h = db.hgetall("queue:email:job:1");
  assert.equal(h.name, "welcome");
  assert.equal(h.data, '{"to":"a@b.c"}');
  assert.equal(h.timestamp, String(clock.now()));
  assert.deepEqual(await q.getJobCounts(), { waiting: 1, prioritized: 0, active: 0, delayed: 0, completed: 0, failed: 0, paused: 0 });

  const seen = [];
  const w = new Worker(q, async (j) => {
    seen.push(["run", j.id, j.data.to, db.zscore("queue:email:active", j.id)]);
    await j.updateProgress(50);
    return "sent";
  }, { lockDuration: 10_000 });
  w.on("completed", (j, r) => seen.push(["completed", j.id, r]));
  w.on("progress", (j, p) => seen.push(["progress", j.id, p]));
  w.on("active", (j) => seen.push(["active", j.id]));
  await clock.settle();
  assert.deepEqual(seen, [
    ["active", "1"],
    ["run", "1", "a@b.c", String(clock.now() + 10_000)],
    ["progress", "1", 50],
    ["completed", "1", "sent"],
  ]);
  assert.deepEqual(db.zrange("queue:email:completed", 0, -1, "WITHSCORES"), ["1", String(clock.now())]);
  assert.equal(db.exists("queue:email:active", "queue:email:wait"), 0);
  const done = await q.getJob("1");
  assert.equal(done.returnvalue, "sent");
  assert.equal(done.progress, 50);
  assert.equal(done.attemptsMade, 1);
  assert.equal(done.finishedOn, clock.now());
  assert.equal(await done.getState(), "completed");
  assert.equal(db.hget("queue:email:job:1", "lock"), null);
  await teardown(t, w);
});

test("delayed jobs are promoted on time, in due order", async () => {
  const t = setup();
  const { clock, q } = t;
  const t0 = clock.now();
  const runs = [];
  const w = new Worker(q, async (j) => runs.push([j.name, clock.now() - t0]), { concurrency: 4 });
  await q.add("c", null, { delay: 3000 });
  await q.add("a", null, { delay: 1000 });
  await q.add("b", null, { delay: 2000 });
  await q.add("now", null);
  await clock.settle();
  assert.deepEqual(runs, [["now", 0]]);
  assert.equal((await q.getJobCounts()).delayed, 3);
  assert.equal(await (await q.getJob("2")).getState(), "delayed");
  await clock.advance(999);
  assert.deepEqual(runs, [["now", 0]]);
  await clock.advance(1);
  assert.deepEqual(runs, [["now", 0], ["a", 1000]]);
  await clock.advance(5000);
  assert.deepEqual(runs, [["now", 0], ["a", 1000], ["b", 2000], ["c", 3000]]);
  // promote() moves a delayed job at once
  const j = await q.add("p", null, { delay: 60_000 });
  await j.promote();
  await clock.settle();
  assert.deepEqual(runs.at(-1), ["p", 6000]);
  await teardown(t, w);
});

test("retries with fixed and exponential backoff follow their schedules", async () => {
  const t = setup();
  const { clock, q } = t;
  const t0 = clock.now();
  const tries = {};
  const failed = [];
  const w = new Worker(q, async (j) => {
    (tries[j.name] ??= []).push(clock.now() - t0);
    if (j.name === "flaky" && j.attemptsMade === 2) return "ok at last";
    throw new Error(`boom ${j.attemptsMade}`);
  }, { concurrency: 3 });
  w.on("failed", (j, e) => failed.push([j.name, j.attemptsMade, e.message]));
  await q.add("exp", null, { attempts: 5, backoff: { type: "exponential", delay: 1000 } });
  await q.add("fixed", null, { attempts: 3, backoff: { type: "fixed", delay: 500 } });
  await q.add("flaky", null, { attempts: 5, backoff: 200 });
  for (let i = 0; i < 40; i++) await clock.advance(500);
  assert.deepEqual(tries.exp, [0, 1000, 3000, 7000, 15000]);
  assert.deepEqual(tries.fixed, [0, 500, 1000]);
  assert.deepEqual(tries.flaky, [0, 200, 400]);
  const exp = await q.getJob("1");
  assert.equal(await exp.getState(), "failed");
  assert.equal(exp.attemptsMade, 5);
  assert.equal(exp.failedReason, "boom 4");
  assert.equal(exp.stacktrace.length, 5);
  assert.equal(exp.finishedOn, t0 + 15000);
  assert.equal((await q.getJob("3")).returnvalue, "ok at last");
  assert.deepEqual(failed.filter(([n]) => n === "fixed"), [["fixed", 1, "boom 0"], ["fixed", 2, "boom 1"], ["fixed", 3, "boom 2"]]);
  assert.deepEqual(await q.getJobCounts("completed", "failed"), { completed: 1, failed: 2 });
  await teardown(t, w);
});

test("UnrecoverableError and a custom backoff strategy", async () => {
  const t = setup();
  const { clock, q } = t;
  const times = [];
  const w = new Worker(q, async (j) => {
    times.push([j.name, clock.now() - 1_000_000]);
    if (j.name === "fatal") throw new UnrecoverableError("no point");
    throw new Error("again");
  }, { settings: { backoffStrategy: (attemptsMade) => attemptsMade * 100 } });
  await q.add("fatal", null, { attempts: 5 });
  await q.add("custom", null, { attempts: 3, backoff: { type: "linear" } });
  for (let i = 0; i < 10; i++) await clock.advance(100);
  assert.deepEqual(times, [["fatal", 0], ["custom", 0], ["custom", 100], ["custom", 300]]);
  assert.equal((await q.getJob("1")).attemptsMade, 1);
  await teardown(t, w);
});

test("priorities: plain jobs first, then by priority, FIFO within one", async () => {
  const t = setup();
  const { db, clock, q } = t;
  for (const [name, priority] of [["p3", 3], ["p1a", 1], ["plain1", undefined], ["p2", 2], ["p1b", 1], ["plain2", 0]]) {
    await q.add(name, null, priority === undefined ? {} : { priority });
  }
  assert.equal(db.zcard("queue:q:prioritized"), 4);
  assert.deepEqual((await q.getPrioritized()).map((j) => j.name), ["p1a", "p1b", "p2", "p3"]);
  assert.equal(await (await q.getJob("1")).getState(), "prioritized");
  const order = [];
  const w = new Worker(q, async (j) => order.push(j.name));
  await clock.settle(10);
  assert.deepEqual(order, ["plain1", "plain2", "p1a", "p1b", "p2", "p3"]);
  await teardown(t, w);
});

test("lifo puts a job at the front of the line", async () => {
  const t = setup();
  const { clock, q } = t;
  await q.add("a", null);
  await q.add("b", null);
  await q.add("urgent", null, { lifo: true });
  assert.deepEqual((await q.getWaiting()).map((j) => j.name), ["urgent", "a", "b"]);
  const order = [];
  const w = new Worker(q, async (j) => order.push(j.name));
  await clock.settle(5);
  assert.deepEqual(order, ["urgent", "a", "b"]);
  await teardown(t, w);
});

test("rate limiter: at most max jobs per duration, across workers", async () => {
  const t = setup();
  const { clock, q } = t;
  const t0 = clock.now();
  const runs = [];
  const limiter = { max: 2, duration: 1000 };
  const proc = async (j) => runs.push([j.name, clock.now() - t0]);
  const w1 = new Worker(q, proc, { concurrency: 4, limiter });
  const w2 = new Worker(q, proc, { concurrency: 4, limiter });
  await q.addBulk(["a", "b", "c", "d", "e", "f", "g"].map((name) => ({ name, data: null })));
  await clock.settle();
  assert.deepEqual(runs.map((r) => r[1]), [0, 0]);
  await clock.advance(999);
  assert.equal(runs.length, 2);
  await clock.advance(1);
  assert.deepEqual(runs.map((r) => r[1]), [0, 0, 1000, 1000]);
  await clock.advance(5000);
  assert.deepEqual(runs.map((r) => r[1]), [0, 0, 1000, 1000, 2000, 2000, 3000]);
  assert.deepEqual(runs.map((r) => r[0]), ["a", "b", "c", "d", "e", "f", "g"]);
  await teardown(t, w1, w2);
});

test("stalled recovery: a worker that dies mid-job has the job retried, completed once", async () => {
  const t = setup();
  const { db, clock, q } = t;
  let release;
  const hang = new Promise((r) => (release = r));
  const a = new Worker(q, async () => {
    await hang;
    return "late";
  }, { lockDuration: 1000, stalledInterval: 500 });
  const errorsA = [];
  a.on("error", (e) => errorsA.push(e.message));
  const completedA = [];
  a.on("completed", (j) => completedA.push(j.id));
  const job = await q.add("x", { n: 1 });
  await clock.settle();
  assert.equal(await job.getState(), "active");
  // The lock is renewed while the worker lives.
  await clock.advance(5000);
  assert.equal(await job.getState(), "active");
  assert.equal(Number(db.zscore("queue:q:active", job.id)) > clock.now(), true);
  // "Dies": stops renewing, never finishes.
  await a.close(true);
  const stalled = [];
  const completedB = [];
  const b = new Worker(q, async (j) => `done by b after ${j.stalledCounter} stall`, { lockDuration: 1000, stalledInterval: 500 });
  b.on("stalled", (id) => stalled.push(id));
  b.on("completed", (j, r) => completedB.push([j.id, r]));
  await clock.advance(2000);
  assert.deepEqual(stalled, [job.id]);
  assert.deepEqual(completedB, [[job.id, "done by b after 1 stall"]]);
  // The dead worker's processor settles at last: its result is dropped.
  release();
  await clock.settle();
  assert.deepEqual(completedA, []);
  assert.equal(errorsA.length, 1);
  assert.match(errorsA[0], /lock of job 1 was lost/);
  const j = await q.getJob(job.id);
  assert.equal(j.returnvalue, "done by b after 1 stall");
  assert.equal(j.stalledCounter, 1);
  assert.equal(db.zcard("queue:q:completed"), 1);
  await teardown(t, b);
});

test("a job stalling more than maxStalledCount fails; a restored store resumes", async () => {
  const t = setup();
  const { db, clock, q } = t;
  await q.add("x", null);
  // Simulate a page that reloaded mid-job: the job is active with a lock deadline in the past.
  const a = new Worker(q, () => new Promise(() => {}), { lockDuration: 1000, stalledInterval: 1000, maxStalledCount: 0 });
  await clock.settle();
  await a.close(true);
  assert.equal(db.zcard("queue:q:active"), 1);
  await clock.advance(1500);
  const failed = [];
  const b = new Worker(q, async () => "never", { stalledInterval: 1000, maxStalledCount: 0 });
  b.on("failed", (j) => failed.push(j));
  await clock.advance(1000);
  const j = await q.getJob("1");
  assert.equal(await j.getState(), "failed");
  assert.equal(j.failedReason, "job stalled more than allowable limit");
  await b.close();

  // A store "restored" with an active job whose lock expired: the first worker retries it.
  await q.add("y", null);
  const c = new Worker(q, () => new Promise(() => {}), { lockDuration: 1000 });
  await clock.settle();
  await c.close(true);
  await clock.advance(1001);
  const done = [];
  const d = new Worker(q, async (job) => done.push(job.name), { stalledInterval: 60_000 });
  await clock.settle();
  assert.deepEqual(done, ["y"]);
  await teardown(t, d);
});

test("a processor that never settles times out and is retried", async () => {
  const t = setup();
  const { clock, q } = t;
  let calls = 0;
  const w = new Worker(q, (j) => (++calls === 1 ? new Promise(() => {}) : `ok ${j.attemptsMade}`), { timeout: 5000 });
  const failed = [];
  w.on("failed", (j, e) => failed.push(e.message));
  await q.add("x", null, { attempts: 2 });
  await clock.advance(4999);
  assert.equal(calls, 1);
  await clock.advance(1);
  assert.deepEqual(failed, ["cinnabar/queue: job 1 timed out after 5000 ms"]);
  assert.equal(calls, 2);
  assert.equal((await q.getJob("1")).returnvalue, "ok 1");
  await teardown(t, w);
});

test("repeatable jobs run every N ms, up to a limit, and can be removed", async () => {
  const t = setup("r", { start: 10_500 });
  const { db, clock, q } = t;
  const runs = [];
  const w = new Worker(q, async (j) => runs.push([j.name, clock.now(), j.id]), { autorun: false });
  await q.add("tick", { a: 1 }, { repeat: { every: 1000, limit: 3 } });
  await q.add("tick", { a: 1 }, { repeat: { every: 1000, limit: 3 } }); // same config: no second schedule
  await q.add("tock", null, { repeat: { every: 2500, immediately: true } });
  assert.deepEqual((await q.getRepeatableJobs()).map((r) => [r.name, r.every, r.next]), [["tock", 2500, 10500], ["tick", 1000, 11000]]);
  w.run();
  await clock.advance(5000);
  assert.deepEqual(runs, [
    ["tock", 10500, "repeat:tock::2500:10500"],
    ["tick", 11000, "repeat:tick::1000:11000"],
    ["tick", 12000, "repeat:tick::1000:12000"],
    ["tick", 13000, "repeat:tick::1000:13000"], // ties: by id
    ["tock", 13000, "repeat:tock::2500:13000"],
    ["tock", 15500, "repeat:tock::2500:15500"],
  ]);
  // tick reached its limit; tock goes on until removed
  assert.deepEqual((await q.getRepeatableJobs()).map((r) => r.name), ["tock"]);
  assert.equal(await q.removeRepeatable("tock", { every: 2500 }), true);
  assert.equal(db.zcard("queue:r:delayed"), 0);
  await clock.advance(10_000);
  assert.equal(runs.length, 6);
  await teardown(t, w);
});

test("exactly-once completion under concurrency 8 with many jobs, failures and stalls", async () => {
  const t = setup();
  const { db, clock, q } = t;
  const N = 3000;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const completed = new Map();
  const processed = new Map();
  const proc = async (j) => {
    processed.set(j.id, (processed.get(j.id) ?? 0) + 1);
    const r = rnd();
    for (let i = 0; i < Math.floor(r * 4); i++) await new Promise((res) => setImmediate(res));
    if (r < 0.1) throw new Error("transient");
    return j.data.n * 2;
  };
  const workers = [1, 2, 3].map(() => new Worker(q, proc, { concurrency: 8, lockDuration: 2000, stalledInterval: 1000 }));
  for (const w of workers) {
    w.on("completed", (j, r) => {
      assert.equal(r, j.data.n * 2);
      completed.set(j.id, (completed.get(j.id) ?? 0) + 1);
    });
    w.on("error", () => {});
  }
  for (let i = 0; i < N; i += 100) {
    await q.addBulk(Array.from({ length: 100 }, (_, k) => ({ name: "j", data: { n: i + k }, opts: { attempts: 10, backoff: 10 } })));
  }
  for (let i = 0; i < 200 && completed.size < N; i++) await clock.advance(10);
  assert.equal(completed.size, N);
  for (const [, c] of completed) assert.equal(c, 1);
  assert.equal(db.zcard("queue:q:completed"), N);
  assert.deepEqual(await q.getJobCounts(), { waiting: 0, prioritized: 0, active: 0, delayed: 0, completed: N, failed: 0, paused: 0 });
  assert.ok([...processed.values()].some((c) => c > 1)); // some jobs were retried
  await teardown(t, ...workers);
});

test("a job recovered while its first worker still runs is completed by one worker only", async () => {
  const t = setup();
  const { clock, q } = t;
  const releases = [];
  const completions = [];
  const mk = (name) => {
    const w = new Worker(q, (j) => new Promise((r) => releases.push(() => r(name))), { lockDuration: 1000, stalledInterval: 500 });
    w.on("completed", (j, r) => completions.push([name, j.id, r]));
    w.on("error", () => {});
    return w;
  };
  const a = mk("a");
  await q.add("x", null);
  await clock.settle();
  await a.close(true); // no renewals any more, processor still pending
  const b = mk("b");
  await clock.advance(1500); // b recovers it and starts it
  assert.equal(releases.length, 2);
  releases[1](); // b finishes first
  releases[0](); // a finishes too: dropped
  await clock.settle();
  assert.deepEqual(completions, [["b", "1", "b"]]);
  await teardown(t, b);
});

test("events: Queue, Worker and QueueEvents", async () => {
  const t = setup();
  const { clock, q } = t;
  const qe = new QueueEvents(q);
  const got = [];
  for (const e of ["added", "waiting", "delayed", "active", "progress", "completed", "failed", "stalled", "removed", "paused", "resumed", "drained"]) {
    qe.on(e, (p) => got.push([e, p.jobId ?? null]));
  }
  const waiting = [];
  q.on("waiting", (j) => waiting.push(j.id));
  const w = new Worker(q, async (j) => {
    await j.updateProgress({ step: 1 });
    if (j.name === "bad") throw new Error("x");
    return 1;
  });
  const drained = [];
  w.on("drained", () => drained.push(clock.now()));
  await clock.settle();
  await q.add("ok", null);
  await clock.settle();
  await q.add("bad", null);
  await clock.settle();
  await q.add("later", null, { delay: 10 });
  await clock.advance(10);
  await q.pause();
  await q.resume();
  const j = await q.add("gone", null, { delay: 1000 });
  await j.remove();
  assert.deepEqual(waiting, ["1", "2", "3", "4"]);
  assert.deepEqual(got, [
    ["waiting", "1"], ["added", "1"], ["active", "1"], ["progress", "1"], ["completed", "1"],
    ["waiting", "2"], ["added", "2"], ["active", "2"], ["progress", "2"], ["failed", "2"],
    ["delayed", "3"], ["added", "3"],
    ["waiting", "3"], ["active", "3"], ["progress", "3"], ["completed", "3"],
    ["paused", null], ["resumed", null],
    ["delayed", "4"], ["added", "4"], ["removed", "4"],
  ]);
  assert.ok(drained.length >= 2);
  await qe.close();
  await teardown(t, w);
});

test("pause and resume, drain, clean, remove, retry, counts", async () => {
  const t = setup();
  const { db, clock, q } = t;
  const done = [];
  const w = new Worker(q, async (j) => {
    if (j.data === "fail") throw new Error("nope");
    done.push(j.name);
  });
  await q.pause();
  assert.equal(await q.isPaused(), true);
  await q.add("a", null);
  await q.add("b", null, { priority: 5 });
  await clock.settle();
  assert.deepEqual(done, []);
  assert.deepEqual(await q.getJobCounts("waiting", "paused"), { waiting: 0, paused: 2 });
  await q.resume();
  await clock.settle();
  assert.deepEqual(done, ["a", "b"]);

  w.pause();
  await q.add("c", null);
  await q.add("d", null, { delay: 100 });
  await q.add("e", null, { priority: 1 });
  await q.drain();
  assert.deepEqual(await q.getJobCounts("waiting", "prioritized", "delayed"), { waiting: 0, prioritized: 0, delayed: 1 });
  assert.equal(await q.getJob("3"), undefined);
  assert.equal(db.exists("queue:q:job:3", "queue:q:job:5"), 0);
  await q.drain(true);
  assert.equal((await q.getJobCounts()).delayed, 0);
  w.resume();

  await q.add("f", "fail");
  await clock.advance(1000);
  await q.add("g", null);
  await clock.settle();
  assert.deepEqual(await q.getJobCounts("completed", "failed"), { completed: 3, failed: 1 });
  assert.deepEqual((await q.getCompleted()).map((j) => j.name), ["g", "b", "a"]);
  // clean: completed older than 500 ms → a and b
  assert.deepEqual((await q.clean(500, 0, "completed")).sort(), ["1", "2"]);
  assert.equal(db.exists("queue:q:job:1"), 0);
  // retry a failed job
  const f = (await q.getFailed())[0];
  assert.equal(f.name, "f");
  await q.getJob(f.id).then((j) => j.updateData("fixed"));
  await f.retry();
  await clock.settle();
  assert.equal(await f.getState(), "completed");
  assert.deepEqual(await q.getJobCounts("completed", "failed"), { completed: 2, failed: 0 });
  assert.equal(await q.remove("7"), 1);
  assert.equal(await q.remove("7"), 0);
  assert.equal(await q.count(), 0);
  await teardown(t, w);
});

test("removeOnComplete / removeOnFail by count and by age; job ids dedupe; logs", async () => {
  const t = setup();
  const { db, clock, q } = t;
  const w = new Worker(q, async (j) => {
    await j.log(`ran ${j.name}`);
    if (j.data === "fail") throw new Error("x");
  });
  for (let i = 0; i < 5; i++) {
    await q.add("k" + i, null, { removeOnComplete: 2 });
    await clock.advance(10);
  }
  assert.deepEqual(db.zrange("queue:q:completed", 0, -1), ["4", "5"]);
  assert.equal(db.exists("queue:q:job:1", "queue:q:job:1:logs"), 0);
  assert.deepEqual((await q.getJobLogs("5")).logs, ["ran k4"]);
  await q.add("gone", null, { removeOnComplete: true });
  await q.add("f1", "fail", { removeOnFail: { age: 1 } });
  await clock.advance(2000);
  await q.add("f2", "fail", { removeOnFail: { age: 1 } });
  await clock.settle();
  assert.equal(db.exists("queue:q:job:6"), 0);
  assert.deepEqual(db.zrange("queue:q:failed", 0, -1), ["8"]);
  const a = await q.add("x", 1, { jobId: "dedupe-key", delay: 5000 });
  const b = await q.add("x", 2, { jobId: "dedupe-key" });
  assert.equal(a.id, "dedupe-key");
  assert.equal(b.id, "dedupe-key");
  assert.equal(b.data, 1);
  assert.equal((await q.getJobCounts()).delayed, 1);
  await teardown(t, w);
});

test("bad input: unserialisable data, bad options, wrong-type keys", async () => {
  const t = setup();
  const { db, clock, q } = t;
  const circular = {};
  circular.self = circular;
  await assert.rejects(q.add("x", circular), (e) => e instanceof TypeError && /job data cannot be serialised as JSON/.test(e.message));
  await assert.rejects(q.add("x", 10n), TypeError);
  await assert.rejects(q.add("x", () => 1), /cannot be serialised as JSON \(it is function\)/);
  await assert.rejects(q.add("x", null, { delay: -1 }), RangeError);
  await assert.rejects(q.add("x", null, { attempts: 0 }), RangeError);
  await assert.rejects(q.add("x", null, { jobId: "12" }), TypeError);
  await assert.rejects(q.add("x", null, { backoff: { delay: 5 } }), TypeError);
  await assert.rejects(q.add("x", null, { repeat: { every: 0 } }), TypeError);
  assert.equal(db.dbsize(), 0); // nothing stored by refused adds
  assert.throws(() => new Worker(q, "nope"), TypeError);
  assert.throws(() => new Worker({}, async () => {}), TypeError);
  assert.throws(() => new Queue({}, "q"), TypeError);
  assert.throws(() => new Queue(db, "a:b"), TypeError);

  // A key of the wrong type: a clear error at construction...
  db.set("queue:bad:wait", "oops");
  assert.throws(() => new Queue(db, "bad"), /key "queue:bad:wait" is a string, expected a list/);
  // ... and at run time, without a half-added job.
  db.del("queue:bad:wait");
  db.set("queue:q:wait", "oops");
  await assert.rejects(q.add("x", 1), (e) => e instanceof TypeError && /queue:q:wait/.test(e.message));
  assert.equal(db.exists("queue:q:job:1"), 0);
  assert.deepEqual(db.keys("*").sort(), ["queue:q:id", "queue:q:marker", "queue:q:wait"]); // no job, only a spare wake-up token
  db.del("queue:q:wait");

  // A worker meeting a wrong-type key reports it (naming the key), retries, and recovers.
  db.set("queue:q:delayed", "oops");
  const errors = [];
  const done = [];
  const w = new Worker(q, async (j) => done.push(j.name), { retryDelay: 100 });
  w.on("error", (e) => errors.push(e.message));
  await clock.settle();
  assert.ok(errors.length >= 1);
  assert.match(errors[0], /key "queue:q:delayed" holds the wrong kind of value for ZRANGEBYSCORE/);
  db.del("queue:q:delayed");
  await q.add("ok", null);
  await clock.advance(200);
  assert.deepEqual(done, ["ok"]);

  // A return value that cannot be serialised fails the job (and it is not lost).
  const w2done = [];
  w.on("failed", (j, e) => w2done.push(e.message));
  await w.close();
  const w2 = new Worker(q, async () => 5n);
  w2.on("failed", (j, e) => w2done.push(e.message));
  await q.add("big", null);
  await clock.settle();
  assert.match(w2done[0], /return value of job \d+ cannot be serialised/);
  // A processor throwing a non-Error value fails with its text.
  await w2.close();
  const w3 = new Worker(q, async () => {
    throw "plain string";
  });
  await q.add("str", null);
  await clock.settle();
  assert.equal((await q.getFailed())[0].failedReason, "plain string");
  await teardown(t, w3);
});

test("close() waits for running jobs; close(true) does not", async () => {
  const t = setup();
  const { clock, q } = t;
  let release;
  const w = new Worker(q, () => new Promise((r) => (release = r)));
  await q.add("x", null);
  await clock.settle();
  let closed = false;
  const p = w.close().then(() => (closed = true));
  await clock.settle();
  assert.equal(closed, false);
  release("r");
  await p;
  assert.equal((await q.getJob("1")).returnvalue, "r");
  assert.equal(w.isRunning(), false);
  await teardown(t);
});

test("BullMQ form: new Queue(name, { connection }) and a store of its own", async () => {
  const db = new Cinnabar();
  const q = new Queue("bq", { connection: db });
  await q.add("a", 1);
  assert.deepEqual(db.lrange("queue:bq:wait", 0, -1), ["1"]);
  await q.close();
  const own = new Queue("solo");
  await own.add("a", 1);
  assert.equal((await own.getJobCounts()).waiting, 1);
  await own.close();
  db.close();
});

/** A stand-in for a snapshot + reload until issue 7 lands: every key copied into a fresh store. */
function copyStore(src) {
  const dst = new Cinnabar();
  for (const key of src.keys("*")) {
    const type = src.type(key);
    if (type === "string") dst.set(key, src.get(key));
    else if (type === "list") dst.rpush(key, ...src.lrange(key, 0, -1));
    else if (type === "zset") {
      const r = src.zrange(key, 0, -1, "WITHSCORES");
      for (let i = 0; i < r.length; i += 2) dst.zadd(key, r[i + 1], r[i]);
    } else if (type === "hash") dst.hset(key, src.hgetall(key));
    else throw new Error(`copyStore: ${type}`);
  }
  return dst;
}

test("a store restored from a snapshot resumes: waiting, delayed and interrupted jobs all complete once", async () => {
  const t = setup();
  const { db, clock, q } = t;
  await q.add("waiting", 1);
  await q.add("busy", 2);
  const w = new Worker(q, (j) => (j.name === "busy" ? new Promise(() => {}) : "first"), { lockDuration: 5000 });
  await clock.settle();
  await q.add("queued", 3);
  await q.add("delayed", 4, { delay: 60_000 });
  await w.close(true);
  assert.deepEqual(await q.getJobCounts("completed", "active", "waiting", "delayed"), { completed: 1, active: 1, waiting: 1, delayed: 1 });

  // "Reload" 10 s later: a new store from the snapshot, a new clock reading, a new worker.
  const db2 = copyStore(db);
  const clock2 = new ManualClock(clock.now() + 10_000);
  const q2 = new Queue(db2, "q", { clock: clock2 });
  const done = [];
  const stalled = [];
  const w2 = new Worker(q2, async (j) => done.push(j.name), { lockDuration: 5000 });
  w2.on("stalled", (id) => stalled.push(id));
  await clock2.settle();
  assert.deepEqual(stalled, ["2"]); // its lock expired while the page was gone
  assert.deepEqual(done.sort(), ["busy", "queued"]);
  await clock2.advance(50_000);
  assert.deepEqual(done.sort(), ["busy", "delayed", "queued"]);
  assert.deepEqual(await q2.getJobCounts("completed", "active", "waiting", "delayed", "failed"), { completed: 4, active: 0, waiting: 0, delayed: 0, failed: 0 });
  await w2.close();
  await q2.close();
  db2.close();
  await teardown(t);
});

test("worker.rateLimit + RateLimitError put the job back untouched and pause fetching", async () => {
  const t = setup();
  const { clock, q } = t;
  const { RateLimitError } = await import("../../pkg/queue.js");
  const runs = [];
  let limited = false;
  const w = new Worker(q, async (j) => {
    runs.push([j.name, clock.now() - 1_000_000, j.attemptsMade]);
    if (j.name === "a" && !limited) {
      limited = true;
      w.rateLimit(2000);
      throw new RateLimitError();
    }
  });
  await q.add("a", null);
  await q.add("b", null);
  await clock.settle();
  assert.deepEqual(runs, [["a", 0, 0]]);
  await clock.advance(1999);
  assert.equal(runs.length, 1);
  await clock.advance(1);
  assert.deepEqual(runs, [["a", 0, 0], ["a", 2000, 0], ["b", 2000, 0]]);
  assert.equal((await q.getJob("1")).attemptsMade, 1);
  await teardown(t, w);
});

test("addBulk: a custom id twice in one call adds one job; lock renewal keeps long jobs", async () => {
  const t = setup();
  const { db, clock, q } = t;
  const jobs = await q.addBulk([{ name: "a", data: 1, opts: { jobId: "x" } }, { name: "b", data: 2, opts: { jobId: "x" } }, { name: "c", data: 3 }]);
  assert.deepEqual(jobs.map((j) => j.id), ["x", "x", "1"]);
  assert.deepEqual(db.lrange("queue:q:wait", 0, -1), ["1", "x"]);
  let release;
  const w = new Worker(q, (j) => (j.name === "a" ? new Promise((r) => (release = r)) : null), { lockDuration: 1000, stalledInterval: 100 });
  const stalled = [];
  w.on("stalled", (id) => stalled.push(id));
  await clock.settle();
  for (let i = 0; i < 50; i++) await clock.advance(100); // 5 s: renewed every 500 ms
  assert.deepEqual(stalled, []);
  release("done");
  await clock.settle();
  assert.equal((await q.getJob("x")).returnvalue, "done");
  await teardown(t, w);
});
