// Panel 6: 200 points around Madrid in one geo key (180 places that stay, 20
// couriers that move). A click runs GEOSEARCH FROMLONLAT … BYRADIUS … ASC COUNT 5
// WITHDIST; a polygon fence (db.geofence) reports couriers entering and leaving
// it as "move couriers" GEOADDs their new positions.
import { $, h, svg, every, guard, logLine, clock, rng } from "../ui.js";

const KEY = "geo:city";
const LON0 = -3.7038, LAT0 = 40.4168; // Puerta del Sol
const W = 600, H = 400;
const SPAN_LON = 0.36;
const SPAN_LAT = SPAN_LON * Math.cos((LAT0 * Math.PI) / 180) * (H / W);
const KINDS = ["Café", "Bakery", "Pharmacy", "Bookshop", "Gym", "Market", "Cinema", "Bike dock", "Library", "Tapas bar"];
const FENCE = [[-3.745, 40.398], [-3.700, 40.381], [-3.655, 40.402], [-3.668, 40.446], [-3.728, 40.443]];

const toXY = (lon, lat) => [((lon - LON0) / SPAN_LON + 0.5) * W, (0.5 - (lat - LAT0) / SPAN_LAT) * H];
const toLonLat = (x, y) => [LON0 + (x / W - 0.5) * SPAN_LON, LAT0 + (0.5 - y / H) * SPAN_LAT];

export function setupGeo(db) {
  const panel = $("#geo");
  const status = h("p", { class: "muted status" });
  panel.append(status);
  const map = $("#geo-map");
  const rand = rng(2026);
  const gauss = () => (rand() + rand() + rand() - 1.5) / 1.5; // -1..1, centred

  // 180 places, clustered towards the centre
  const places = [];
  for (let i = 0; i < 180; i++) {
    const lon = LON0 + gauss() * SPAN_LON * 0.48;
    const lat = LAT0 + gauss() * SPAN_LAT * 0.48;
    places.push({ name: `${KINDS[i % KINDS.length]} ${Math.floor(i / KINDS.length) + 1}`, lon, lat });
  }
  // 20 couriers on circular rounds, many of which cross the fence
  const couriers = [];
  for (let i = 0; i < 20; i++) {
    couriers.push({
      name: `courier-${String(i + 1).padStart(2, "0")}`,
      cx: LON0 + (rand() - 0.5) * SPAN_LON * 0.55, cy: LAT0 + (rand() - 0.5) * SPAN_LAT * 0.55,
      r: 0.015 + rand() * 0.04, w: (0.25 + rand() * 0.5) * (rand() < 0.5 ? -1 : 1), a: rand() * Math.PI * 2,
    });
  }
  const courierPos = (c) => [c.cx + c.r * Math.cos(c.a), c.cy + c.r * Math.sin(c.a) * 0.76];
  db.geoadd(KEY, places.flatMap((p) => [p.lon, p.lat, p.name]), couriers.flatMap((c) => [...courierPos(c), c.name]));

  // ---- drawing
  const base = svg("g");
  base.append(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#eef3f8" }));
  for (let x = 50; x < W; x += 50) base.append(svg("line", { x1: x, y1: 0, x2: x, y2: H, class: "grid-line" }));
  for (let y = 50; y < H; y += 50) base.append(svg("line", { x1: 0, y1: y, x2: W, y2: y, class: "grid-line" }));
  for (const d of ["M-10 120 C 150 160, 300 90, 610 170", "M120 -10 C 200 150, 260 260, 230 410", "M380 -10 C 340 140, 420 300, 520 410",
    "M-10 330 C 180 300, 420 340, 610 290"]) base.append(svg("path", { d, class: "road" }));
  base.append(svg("polygon", { points: FENCE.map((p) => toXY(...p).join(",")).join(" "), class: "fence" }));
  const [fx, fy] = toXY(-3.742, 40.440);
  const label = svg("text", { x: fx, y: fy + 14 });
  label.textContent = "geofence";
  base.append(label);
  const scale = svg("g");
  const km5 = (5 / (111.32 * Math.cos((LAT0 * Math.PI) / 180))) / SPAN_LON * W;
  scale.append(svg("line", { x1: 12, y1: H - 14, x2: 12 + km5, y2: H - 14, stroke: "#475467", "stroke-width": 2 }));
  const st = svg("text", { x: 12, y: H - 20 });
  st.textContent = "5 km";
  scale.append(st);
  base.append(scale);

  const placeDots = new Map();
  const gPlaces = svg("g");
  for (const p of places) {
    const [x, y] = toXY(p.lon, p.lat);
    const c = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 3, class: "place" });
    placeDots.set(p.name, c);
    gPlaces.append(c);
  }
  const gSearch = svg("g");
  const gCouriers = svg("g");
  const courierDots = new Map();
  for (const c of couriers) {
    const dot = svg("circle", { r: 5, class: "courier" });
    courierDots.set(c.name, dot);
    gCouriers.append(dot);
  }
  const drawCouriers = () => {
    for (const c of couriers) {
      const [x, y] = toXY(...courierPos(c));
      const d = courierDots.get(c.name);
      d.setAttribute("cx", x.toFixed(1));
      d.setAttribute("cy", y.toFixed(1));
    }
  };
  drawCouriers();
  map.append(base, gPlaces, gSearch, gCouriers);

  // ---- nearest search on click
  const near = $("#geo-near");
  map.addEventListener("click", guard((ev) => {
    const m = map.getScreenCTM();
    if (!m) return;
    const pt = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
    const [lon, lat] = toLonLat(pt.x, pt.y);
    const args = ["GEOSEARCH", KEY, "FROMLONLAT", lon.toFixed(5), lat.toFixed(5), "BYRADIUS", 25, "km", "ASC", "COUNT", 5, "WITHDIST", "WITHCOORD"];
    const found = db.call(...args);
    $("#geo-query").textContent = args.slice(0, -2).join(" ");
    for (const c of placeDots.values()) c.classList.remove("hit");
    gSearch.replaceChildren();
    let far = 0;
    const items = found.map(([name, dist, [plon, plat]]) => {
      const [x, y] = toXY(Number(plon), Number(plat));
      far = Math.max(far, Math.hypot(x - pt.x, y - pt.y));
      gSearch.append(svg("line", { x1: pt.x, y1: pt.y, x2: x, y2: y, class: "link" }));
      placeDots.get(name)?.classList.add("hit");
      return h("li", {}, `${name} `, h("span", { class: "d" }, `${Number(dist).toFixed(2)} km`));
    });
    gSearch.prepend(svg("circle", { cx: pt.x, cy: pt.y, r: Math.max(6, far + 6), class: "probe" }));
    gSearch.append(svg("circle", { cx: pt.x, cy: pt.y, r: 3.5, fill: "#2e6bd9" }));
    near.replaceChildren(...items);
    near.dataset.count = String(items.length);
  }, status));

  // ---- the fence
  const counts = { enter: 0, exit: 0 };
  const log = $("#geo-log");
  db.geofence(KEY, { polygon: FENCE }, (ev) => {
    const dot = courierDots.get(ev.member);
    if (ev.type === "inside") return;
    dot?.classList.toggle("in", ev.type === "enter");
    counts[ev.type]++;
    $(`#geo-${ev.type}`).textContent = counts[ev.type];
    logLine(log, 30, h("span", { class: `tag ${ev.type}` }, ev.type), `${clock()} ${ev.member} (${ev.lon.toFixed(4)}, ${ev.lat.toFixed(4)})`);
  });
  // couriers that start inside the fence are drawn so (GEOSEARCH … BYPOLYGON is not Redis 7.0: test in JS)
  const inside = ([x, y]) => {
    let c = false;
    for (let i = 0, j = FENCE.length - 1; i < FENCE.length; j = i++) {
      const [xi, yi] = FENCE[i], [xj, yj] = FENCE[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
    }
    return c;
  };
  for (const c of couriers) courierDots.get(c.name).classList.toggle("in", inside(courierPos(c)));

  let timer = null;
  $("#geo-move").addEventListener("change", guard((ev) => {
    clearInterval(timer);
    timer = null;
    if (!ev.target.checked) return;
    timer = every(150, () => {
      // every courier moves a step: one GEOADD for all of them
      const moved = [];
      for (const c of couriers) {
        c.a += c.w * 0.12;
        moved.push(...courierPos(c), c.name);
      }
      db.geoadd(KEY, moved);
      drawCouriers();
    }, status);
  }, status));
}
