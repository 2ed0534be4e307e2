// The geo dataset, loaded into the store when the Worker's isolate starts:
// 60 real cities (longitude, latitude, rounded to 0.01°) and, around each, 5
// "stations" at pseudo-random offsets of up to ~0.5° from a fixed seed, so the
// 360 places are the same in every isolate and in the tests.

const CITIES = [
  ["Amsterdam", 4.9, 52.37], ["Athens", 23.73, 37.98], ["Auckland", 174.76, -36.85],
  ["Bangkok", 100.5, 13.76], ["Barcelona", 2.17, 41.39], ["Beijing", 116.41, 39.9],
  ["Berlin", 13.4, 52.52], ["Bogota", -74.07, 4.71], ["Brussels", 4.35, 50.85],
  ["Budapest", 19.04, 47.5], ["Buenos Aires", -58.38, -34.6], ["Cairo", 31.24, 30.04],
  ["Cape Town", 18.42, -33.92], ["Chicago", -87.63, 41.88], ["Copenhagen", 12.57, 55.68],
  ["Delhi", 77.21, 28.61], ["Dubai", 55.27, 25.2], ["Dublin", -6.26, 53.35],
  ["Edinburgh", -3.19, 55.95], ["Frankfurt", 8.68, 50.11], ["Geneva", 6.14, 46.2],
  ["Hamburg", 9.99, 53.55], ["Helsinki", 24.94, 60.17], ["Hong Kong", 114.17, 22.32],
  ["Istanbul", 28.98, 41.01], ["Jakarta", 106.85, -6.21], ["Johannesburg", 28.05, -26.2],
  ["Kyiv", 30.52, 50.45], ["Lagos", 3.38, 6.52], ["Lima", -77.04, -12.05],
  ["Lisbon", -9.14, 38.72], ["London", -0.13, 51.51], ["Los Angeles", -118.24, 34.05],
  ["Lyon", 4.84, 45.76], ["Madrid", -3.7, 40.42], ["Manchester", -2.24, 53.48],
  ["Marseille", 5.37, 43.3], ["Melbourne", 144.96, -37.81], ["Mexico City", -99.13, 19.43],
  ["Milan", 9.19, 45.46], ["Montreal", -73.57, 45.5], ["Moscow", 37.62, 55.76],
  ["Mumbai", 72.88, 19.08], ["Munich", 11.58, 48.14], ["Nairobi", 36.82, -1.29],
  ["New York", -74.01, 40.71], ["Oslo", 10.75, 59.91], ["Paris", 2.35, 48.86],
  ["Prague", 14.44, 50.08], ["Rome", 12.5, 41.9], ["San Francisco", -122.42, 37.77],
  ["Santiago", -70.67, -33.45], ["Sao Paulo", -46.63, -23.55], ["Seoul", 126.98, 37.57],
  ["Singapore", 103.82, 1.35], ["Stockholm", 18.07, 59.33], ["Sydney", 151.21, -33.87],
  ["Tokyo", 139.69, 35.69], ["Toronto", -79.38, 43.65], ["Vienna", 16.37, 48.21],
];

/** mulberry32: a tiny seeded generator, so the dataset is deterministic. */
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** [{ name, lon, lat }]: the cities, then 5 stations per city ("Paris station 1" ...). */
export const PLACES = (() => {
  const next = rng(9);
  const out = CITIES.map(([name, lon, lat]) => ({ name, lon, lat }));
  for (const [name, lon, lat] of CITIES) {
    for (let i = 1; i <= 5; i++) {
      const round = (x) => Math.round(x * 1e4) / 1e4;
      out.push({ name: `${name} station ${i}`, lon: round(lon + (next() - 0.5)), lat: round(lat + (next() - 0.5)) });
    }
  }
  return out;
})();
