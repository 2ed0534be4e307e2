// Panel 5: a leaderboard in one sorted set: ZREVRANGE … WITHSCORES for the top
// 10, ZINCRBY for scores, ZREVRANK for a player's rank.
import { $, h, every, guard, rng } from "../ui.js";

const KEY = "lb";
const FIRST = ["Ada", "Linus", "Grace", "Ken", "Barbara", "Dennis", "Margaret", "Alan", "Radia", "Guido", "Frances", "Bjarne",
  "Hedy", "Donald", "Sophie", "Niklaus", "Katherine", "Tim", "Shafi", "Edsger", "Jean", "Salvatore", "Anita", "John", "Mary"];

export function setupLeaderboard(db) {
  const panel = $("#board");
  const status = h("p", { class: "muted status" });
  panel.append(status);
  const rand = rng(42);
  const players = [];
  for (let i = 0; i < 50; i++) players.push(`${FIRST[i % FIRST.length]}${i >= FIRST.length ? " II" : ""}`);
  if (db.exists(KEY) === 0) {
    db.zadd(KEY, players.flatMap((p) => [Math.floor(rand() * 2000), p]));
  }

  const select = $("#lb-player");
  select.replaceChildren(...[...players].sort().map((p) => h("option", { value: p }, p)));
  select.value = "Grace";

  let lastRanks = new Map();
  function render() {
    const flat = db.call("ZREVRANGE", KEY, 0, 9, "WITHSCORES");
    const top = [];
    for (let i = 0; i < flat.length; i += 2) top.push([flat[i], Number(flat[i + 1])]);
    const max = top.length ? Math.max(1, top[0][1]) : 1;
    const ranks = new Map();
    $("#lb-top").replaceChildren(...top.map(([p, s], i) => {
      ranks.set(p, i);
      const was = lastRanks.get(p);
      return h("li", { class: [p === select.value ? "me" : "", was !== undefined && was > i ? "up" : ""].join(" ").trim() || undefined,
        "data-player": p },
      h("span", { class: "fill", style: `width:${((s / max) * 100).toFixed(1)}%` }),
      h("span", { class: "pos" }, String(i + 1)), h("span", {}, p), h("span", { class: "score" }, String(s)));
    }));
    lastRanks = ranks;
    const me = select.value;
    const rank = db.zrevrank(KEY, me);
    $("#lb-name").textContent = me;
    $("#lb-rank").textContent = rank === null ? "–" : `#${rank + 1}`;
    $("#lb-score").textContent = db.zscore(KEY, me) ?? "–";
  }

  select.addEventListener("change", guard(render, status));
  $("#lb-add").addEventListener("click", guard(() => {
    db.zincrby(KEY, 250, select.value);
    render();
  }, status));

  let sim = null;
  $("#lb-sim").addEventListener("change", guard((ev) => {
    clearInterval(sim);
    sim = null;
    if (ev.target.checked) {
      sim = every(250, () => {
        // a few games end: random players gain 5..120 points
        for (let k = 0; k < 3; k++) db.zincrby(KEY, 5 + Math.floor(Math.random() * 116), players[Math.floor(Math.random() * players.length)]);
        render();
      }, status);
    }
  }, status));
  render();
  addEventListener("cinnabar:console", guard(render, status)); // console edits (ZADD lb …) show up too
}
