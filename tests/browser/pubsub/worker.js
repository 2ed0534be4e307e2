// A dedicated module Worker joined to the "chromium" bridge (see index.html).
import { Cinnabar } from "/pkg/browser.js";

const db = new Cinnabar({ bridge: "chromium" });
db.psubscribe("chat:*", (message, channel, pattern) => self.postMessage({ channel, message, pattern }));
db.subscribe("bin", (message) => self.postMessage({ bin: Array.from(message) }), { buffer: true });
self.onmessage = ({ data }) => {
  if (data.publish) self.postMessage({ published: db.publish(...data.publish) });
};
self.postMessage({ ready: true });
