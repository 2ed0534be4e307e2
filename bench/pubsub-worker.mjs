// Receiving side of bench/pubsub.mjs's cross-context workloads: a worker_thread
// that counts messages from a cinnabar bridge or a bare BroadcastChannel and
// reports when it has seen `n` deliveries.
import { parentPort, workerData } from "node:worker_threads";

const { mode, name, n, subscribers } = workerData;
let seen = 0;
const done = () => {
  if (++seen === n) parentPort.postMessage({ done: true });
};
if (mode === "cinnabar") {
  const { Cinnabar } = await import("../pkg/node.js");
  const db = new Cinnabar({ bridge: name });
  for (let i = 0; i < subscribers; i++) db.subscribe("bench", done);
  parentPort.on("message", (m) => m.close && (db.close(), process.exit(0)));
} else {
  const bc = new BroadcastChannel(name);
  bc.onmessage = (e) => {
    for (let i = 0; i < subscribers; i++) done(e.data);
  };
  parentPort.on("message", (m) => m.close && (bc.close(), process.exit(0)));
}
parentPort.postMessage({ ready: true });
