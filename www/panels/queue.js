// Panel 3: a job queue (cinnabar/queue: BullMQ's API on the store) with a
// Worker of concurrency 3 in this page. Flaky jobs throw on their first
// attempt, failing jobs on every attempt; both have 3 attempts with
// exponential backoff (600 ms, 1.2 s).
import { Queue, Worker } from "cinnabar/queue";
import { $, h, guard, showError } from "../ui.js";

const ATTEMPTS = 3;
const BACKOFF = 600;
const WORDS = ["resize image", "send email", "render PDF", "sync CRM", "index doc", "bill customer", "thumbnail", "webhook"];

export function setupQueue(db) {
  const panel = $("#queue");
  const status = h("p", { class: "muted status" });
  panel.append(status);
  const q = new Queue(db, "demo-jobs", {
    defaultJobOptions: { attempts: ATTEMPTS, backoff: { type: "exponential", delay: BACKOFF }, removeOnComplete: 50, removeOnFail: 50 },
  });
  q.on("error", (e) => showError(e, status));

  const worker = new Worker(q, async (job) => {
    const { kind, steps } = job.data;
    for (let i = 1; i <= steps; i++) {
      await new Promise((r) => setTimeout(r, 110 + ((Number(job.id) * 37 + i * 13) % 90)));
      if (kind === "flaky" && job.attemptsMade === 0 && i === 4) throw new Error("upstream timeout (first try)");
      if (kind === "failing" && i === 3) throw new Error("invalid payload");
      await job.updateProgress(Math.round((i / steps) * 100));
    }
    return { ok: true };
  }, { concurrency: 3 });
  worker.on("error", (e) => showError(e, status));

  const list = $("#q-jobs");
  const rows = new Map();
  function row(job) {
    let r = rows.get(job.id);
    if (!r) {
      const bar = h("span", { style: "width:0%" });
      r = {
        li: h("li", { "data-job": job.id, class: "waiting" }),
        tag: h("span", { class: "tag" }, "waiting"),
        att: h("span", { class: "att" }),
        bar,
        note: h("span", { class: "note" }),
      };
      r.li.append(r.tag, h("span", { class: "name" }, `#${job.id} ${job.name}`), r.att, h("span", { class: "prog" }, bar), r.note);
      rows.set(job.id, r);
      list.prepend(r.li);
      while (list.children.length > 12) {
        const last = list.lastElementChild;
        rows.delete(last.dataset.job);
        last.remove();
      }
    }
    return r;
  }
  function state(job, s, label = s) {
    const r = row(job);
    r.li.className = s;
    r.li.dataset.state = s;
    r.tag.className = `tag ${s}`;
    r.tag.textContent = label;
    return r;
  }

  worker.on("active", (job) => {
    const r = state(job, "active");
    r.att.textContent = `try ${job.attemptsMade + 1}/${ATTEMPTS}`;
    r.bar.style.width = "0%";
  });
  worker.on("progress", (job, p) => {
    row(job).bar.style.width = `${Number(p) || 0}%`;
  });
  worker.on("completed", (job) => {
    const r = state(job, "completed", "done");
    r.bar.style.width = "100%";
    if (job.attemptsMade > 1) r.note.textContent = `succeeded on try ${job.attemptsMade}`;
  });
  worker.on("failed", (job, err) => {
    if (job.attemptsMade < ATTEMPTS) {
      const delay = 2 ** (job.attemptsMade - 1) * BACKOFF;
      const r = state(job, "delayed", "retry");
      r.li.dataset.retried = "1";
      r.note.textContent = `try ${job.attemptsMade} failed: ${err.message} → retry in ${delay} ms`;
    } else {
      const r = state(job, "failed");
      r.note.textContent = `gave up after ${job.attemptsMade} tries: ${err.message}`;
    }
  });

  let n = 0;
  const add = async (kind) => {
    n++;
    const name = `${WORDS[n % WORDS.length]}${kind === "ok" ? "" : ` (${kind})`}`;
    const job = await q.add(name, { kind, steps: 10 });
    state(job, "waiting");
    row(job).att.textContent = `try 1/${ATTEMPTS}`;
    counts();
  };
  $("#q-add").addEventListener("click", guard(() => add("ok"), status));
  $("#q-flaky").addEventListener("click", guard(() => add("flaky"), status));
  $("#q-doomed").addEventListener("click", guard(() => add("failing"), status));
  $("#q-many").addEventListener("click", guard(async () => {
    for (const k of ["ok", "flaky", "ok", "ok", "flaky"]) await add(k);
  }, status));

  async function counts() {
    const c = await q.getJobCounts();
    for (const k of ["waiting", "active", "delayed", "completed", "failed"]) {
      $(`#q-${k}`).textContent = k === "waiting" ? c.waiting + c.prioritized + c.paused : c[k];
    }
  }
  // counts follow the worker's events (no polling, so INFO's stats stay quiet when idle)
  const tick = guard(counts, status);
  for (const ev of ["active", "completed", "failed"]) worker.on(ev, tick);
  addEventListener("cinnabar:console", tick);
  tick();
  return { q, worker };
}
