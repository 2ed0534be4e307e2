// Entry of `cinnabar/queue`: Queue, Worker and QueueEvents (src/queue.js) on a
// store of the package's main entry. Importing "cinnabar" (the package's own
// name) picks that entry by the same runtime conditions (node, browser, worker,
// workerd), so one store class serves both imports.
import { Cinnabar } from "cinnabar";
import { _useCinnabar } from "./src/queue.js";

_useCinnabar(Cinnabar);

export { Queue, Worker, QueueEvents, Job, ManualClock, UnrecoverableError, RateLimitError, systemClock } from "./src/queue.js";
