//! Geo parity with redis-server 7.0: hand-written steps for every command and
//! option, then a seeded random sequence (dense clusters with duplicate
//! points, poles, the antimeridian, the ±85.05112878 limits, invalid pairs,
//! every unit and option, wrong types and arity). Keys above
//! `GEO_INDEX_MIN` members also try the k-nearest search, so this holds it
//! and the pruned scan to Redis's plain 9-cell scan.
//!
//! No known differences. `CINNABAR_GEO_SEED=n` tries another seed;
//! `CINNABAR_GEO_DUMP=i` prints the random steps up to #i instead of running them.

mod support;

use support::{assert_parity, Gen, Step};

fn seed(default: u64) -> u64 {
    std::env::var("CINNABAR_GEO_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn s(v: &[&str]) -> Step {
    Step::exact(v)
}

#[test]
fn geo_hand_written() {
    let steps = vec![
        s(&["GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"]),
        s(&["GEODIST", "Sicily", "Palermo", "Catania"]),
        s(&["GEODIST", "Sicily", "Palermo", "Catania", "km"]),
        s(&["GEODIST", "Sicily", "Palermo", "Catania", "MI"]),
        s(&["GEODIST", "Sicily", "Palermo", "Catania", "ft"]),
        s(&["GEODIST", "Sicily", "Palermo", "Catania", "yd"]),
        s(&["GEODIST", "Sicily", "Palermo", "Catania", "km", "x"]),
        s(&["GEODIST", "Sicily", "Palermo", "nope"]),
        s(&["GEODIST", "nokey", "a", "b"]),
        s(&["GEOPOS", "Sicily", "Palermo", "Catania", "NonExisting"]),
        s(&["GEOPOS", "nokey", "a"]),
        s(&["GEOPOS", "Sicily"]),
        s(&["GEOHASH", "Sicily", "Palermo", "Catania", "x"]),
        s(&["GEOHASH", "nokey", "a"]),
        s(&["ZRANGE", "Sicily", "0", "-1", "WITHSCORES"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHDIST", "COUNT", "1"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "DESC"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "1", "ANY"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "ANY"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "0"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "COUNT", "x"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "-200", "km"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "abc", "km"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "parsec"]),
        s(&["GEORADIUS", "Sicily", "200", "37", "200", "km"]),
        s(&["GEORADIUS", "Sicily", "15", "86", "200", "km"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst"]),
        s(&["ZRANGE", "dst", "0", "-1", "WITHSCORES"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst"]),
        s(&["ZRANGE", "dst", "0", "-1", "WITHSCORES"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"]),
        s(&["GEORADIUS", "Sicily", "15", "37", "1", "m", "STORE", "dst"]),
        s(&["EXISTS", "dst"]),
        s(&["GEORADIUS", "nokey", "15", "37", "200", "km", "STORE", "dst"]),
        s(&["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "STORE", "dst"]),
        s(&["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST", "ASC"]),
        s(&["GEORADIUSBYMEMBER", "Sicily", "Palermo", "200", "km", "WITHDIST"]),
        s(&["GEORADIUSBYMEMBER", "Sicily", "nope", "200", "km"]),
        s(&["GEORADIUSBYMEMBER", "nokey", "nope", "abc", "km"]),
        s(&["GEORADIUSBYMEMBER_RO", "Sicily", "Palermo", "200", "km", "WITHCOORD", "DESC"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"]),
        s(&["GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "WITHDIST"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "-1", "400", "km"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "x", "400", "km"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYBOX", "1", "y", "km"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37"]),
        s(&["GEOSEARCH", "Sicily", "BYRADIUS", "15", "km", "ASC"]),
        s(&["geosearch", "Sicily", "FROMLONLAT", "15", "37", "ASC"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"]),
        s(&["GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "km", "STORE", "x"]),
        s(&["GEOSEARCH", "Sicily", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"]),
        s(&["GEOSEARCH", "nokey", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"]),
        s(&["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"]),
        s(&["ZRANGE", "dst", "0", "-1", "WITHSCORES"]),
        s(&["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "1"]),
        s(&["ZRANGE", "dst", "0", "-1", "WITHSCORES"]),
        s(&["GEOSEARCHSTORE", "dst", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"]),
        s(&["GEOSEARCHSTORE", "dst", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"]),
        s(&["EXISTS", "dst"]),
        s(&["GEOADD", "Sicily", "NX", "13", "38", "Palermo", "1", "1", "new"]),
        s(&["GEOADD", "Sicily", "XX", "CH", "13", "38", "Palermo", "1", "1", "new2"]),
        s(&["GEOADD", "Sicily", "NX", "XX", "13", "38", "Palermo"]),
        s(&["GEOADD", "Sicily", "13", "38"]),
        s(&["GEOADD", "Sicily", "GT", "13", "38", "x"]),
        s(&["GEOADD", "Sicily", "180", "85.05112878", "corner", "-180", "-85.05112878", "c2"]),
        s(&["GEOADD", "Sicily", "180.000001", "0", "bad"]),
        s(&["GEOADD", "Sicily", "0", "85.05112879", "bad"]),
        s(&["GEOADD", "Sicily", "0", "inf", "bad"]),
        s(&["GEOADD", "Sicily", "0", "nan", "bad"]),
        s(&["GEOPOS", "Sicily", "corner", "c2"]),
        s(&["GEOHASH", "Sicily", "corner", "c2"]),
        s(&["GEODIST", "Sicily", "corner", "c2"]),
        s(&["ZADD", "weird", "-5", "neg", "1e20", "big", "0.5", "half", "inf", "pinf"]),
        s(&["GEOPOS", "weird", "neg", "big", "half", "pinf"]),
        s(&["GEOHASH", "weird", "neg", "big", "half", "pinf"]),
        s(&["GEODIST", "weird", "neg", "big"]),
        s(&["SET", "str", "x"]),
        s(&["GEOADD", "str", "1", "1", "a"]),
        s(&["GEOPOS", "str", "a"]),
        s(&["GEODIST", "str", "a", "b"]),
        s(&["GEOSEARCH", "str", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"]),
        s(&["GEOSEARCHSTORE", "dst", "str", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"]),
        s(&["GEOADD", "g"]),
        s(&["GEORADIUS", "g", "1", "1", "1"]),
        s(&["GEOSEARCH", "g", "FROMLONLAT", "1", "1"]),
    ];
    assert_parity("geo hand-written", &steps);
}

struct Ctx {
    g: Gen,
    n: u64,
}

impl Ctx {
    fn member(&mut self) -> String {
        format!("m{}", self.g.below(self.n))
    }
    fn coord(&mut self) -> (String, String) {
        let g = &mut self.g;
        match g.below(12) {
            0..=3 => {
                // dense cluster around Paris, with repeated points
                let k = g.below(40);
                (format!("2.35{:02}", k % 7), format!("48.85{:02}", k / 7))
            }
            4 => (format!("{}", g.below(361) as i64 - 180), format!("{}", g.below(171) as i64 - 85)),
            5 => (
                g.pick(&["180", "-180", "179.9999", "-179.9999", "0", "180.0000001", "-180.5"]).to_string(),
                g.pick(&["85.05112878", "-85.05112878", "85.05", "-85.0511", "0", "85.05112879", "89", "-90"]).to_string(),
            ),
            6 => (format!("{}.{}", g.below(360) as i64 - 180, g.below(1_000_000)), format!("{}.{}", g.below(170) as i64 - 85, g.below(1_000_000))),
            7 => (g.numberish(), g.numberish()),
            8 => (format!("{}.{}", 179 + g.below(2) as i64 * -358, g.below(100_000)), format!("{}.{}", g.below(20), g.below(1000))),
            _ => (format!("2.{}", g.below(1000)), format!("48.{}", g.below(1000))),
        }
    }
    fn unit(&mut self) -> String {
        self.g.pick(&["m", "km", "mi", "ft", "KM", "M", "Mi", "yd"]).to_string()
    }
    fn radius(&mut self) -> String {
        let g = &mut self.g;
        match g.below(10) {
            0 => "0".into(),
            1 => g.pick(&["-1", "abc", "inf", "1e400", "nan", "0.5"]).to_string(),
            2 => format!("{}", g.below(20_000)),
            3 => format!("{}", g.below(50)),
            _ => format!("{}.{}", g.below(3000), g.below(10)),
        }
    }
    fn key(&mut self) -> String {
        self.g.pick(&["g", "g", "g", "big", "big", "dense", "dense", "str", "nokey", "weird"]).to_string()
    }
}

fn options(c: &mut Ctx, store: bool) -> Vec<String> {
    let mut v = Vec::new();
    for _ in 0..c.g.below(4) {
        let o = match c.g.below(9) {
            0 => "WITHDIST",
            1 => "WITHCOORD",
            2 => "WITHHASH",
            3 => "ASC",
            4 => "DESC",
            5 => "ANY",
            _ => "COUNT",
        };
        v.push(o.to_string());
        if o == "COUNT" {
            v.push(if c.g.chance(10) { c.g.numberish() } else { format!("{}", 1 + c.g.below(30)) });
            if c.g.chance(30) {
                v.push("ANY".into());
            }
        }
    }
    if store && c.g.chance(40) {
        v.push(c.g.pick(&["STORE", "STOREDIST"]).to_string());
        v.push(c.g.pick(&["dst", "dst2"]).to_string());
    }
    v
}

#[test]
fn geo_random() {
    let mut c = Ctx { g: Gen::new(seed(0x6E0)), n: 60 };
    let mut steps: Vec<Step> = Vec::new();
    // Big keys (past GEO_INDEX_MIN): a world of points and a dense city.
    for chunk in 0..4 {
        let mut v = vec!["GEOADD".to_string(), "big".into()];
        for i in 0..120 {
            let (lon, lat) = loop {
                let (x, y) = c.coord();
                let ok = x.parse::<f64>().is_ok_and(|x| x.abs() <= 180.0) && y.parse::<f64>().is_ok_and(|y| y.abs() <= 85.05112878);
                if ok {
                    break (x, y);
                }
            };
            v.extend([lon, lat, format!("b{}", chunk * 120 + i)]);
        }
        steps.push(Step::exact(&v));
    }
    let mut v = vec!["GEOADD".to_string(), "dense".into()];
    for i in 0..300 {
        let k = c.g.below(200);
        v.extend([format!("2.3{:03}", k % 17), format!("48.8{:03}", k / 17 * 3), format!("d{i}")]);
    }
    steps.push(Step::exact(&v));
    steps.push(s(&["SET", "str", "x"]));
    steps.push(s(&["ZADD", "weird", "-5", "m1", "1e20", "m2", "0.5", "m3", "inf", "m4", "3479099956230698", "m5"]));
    while steps.len() < 3000 {
        let key = c.key();
        let cmd: Vec<String> = match c.g.below(20) {
            0..=3 => {
                let mut v = vec!["GEOADD".to_string(), key.clone()];
                for _ in 0..c.g.below(3) {
                    v.push(c.g.pick(&["NX", "XX", "CH", "GT"]).to_string());
                }
                for _ in 0..1 + c.g.below(4) {
                    let (x, y) = c.coord();
                    let m = if key == "big" { format!("b{}", c.g.below(480)) } else if key == "dense" { format!("d{}", c.g.below(300)) } else { c.member() };
                    v.extend([x, y, m]);
                }
                if c.g.chance(5) {
                    v.pop();
                }
                v
            }
            4 => {
                let mut v = vec!["GEOPOS".to_string(), key];
                for _ in 0..c.g.below(4) {
                    v.push(c.member());
                }
                v.push(format!("b{}", c.g.below(480)));
                v
            }
            5 => {
                let mut v = vec!["GEODIST".to_string(), key, c.member(), format!("d{}", c.g.below(300))];
                if c.g.chance(70) {
                    v.push(c.unit());
                }
                if c.g.chance(5) {
                    v.push("x".into());
                }
                v
            }
            6 => vec!["GEOHASH".to_string(), key, c.member(), format!("b{}", c.g.below(480)), format!("d{}", c.g.below(300))],
            7..=12 => {
                let store = c.g.chance(20);
                let mut v = if store {
                    vec!["GEOSEARCHSTORE".to_string(), c.g.pick(&["dst", "dst2"]).to_string(), key.clone()]
                } else {
                    vec!["GEOSEARCH".to_string(), key.clone()]
                };
                let mut parts: Vec<Vec<String>> = Vec::new();
                if c.g.chance(50) {
                    let m = if key == "big" { format!("b{}", c.g.below(500)) } else if key == "dense" { format!("d{}", c.g.below(310)) } else { c.member() };
                    parts.push(vec!["FROMMEMBER".into(), m]);
                } else {
                    let (x, y) = c.coord();
                    parts.push(vec!["FROMLONLAT".into(), x, y]);
                }
                if c.g.chance(55) {
                    parts.push(vec!["BYRADIUS".into(), c.radius(), c.unit()]);
                } else {
                    parts.push(vec!["BYBOX".into(), c.radius(), c.radius(), c.unit()]);
                }
                let mut o = options(&mut c, false);
                if store && c.g.chance(40) {
                    o.retain(|x| !x.starts_with("WITH") || c.g.chance(10));
                    o.push("STOREDIST".into());
                }
                if store {
                    o.retain(|x| !x.starts_with("WITH") || c.g.chance(5));
                }
                parts.push(o);
                if c.g.chance(10) {
                    parts.pop();
                }
                if c.g.chance(15) {
                    parts.swap(0, 1);
                }
                for p in parts {
                    v.extend(p);
                }
                v
            }
            13..=14 => {
                let ro = c.g.chance(40);
                let mut v = vec![if ro { "GEORADIUS_RO" } else { "GEORADIUS" }.to_string(), key];
                let (x, y) = c.coord();
                v.extend([x, y, c.radius(), c.unit()]);
                let mut o = options(&mut c, !ro);
                if o.iter().any(|x| x.starts_with("STORE")) {
                    o.retain(|x| !x.starts_with("WITH") || c.g.chance(5));
                }
                v.extend(o);
                v
            }
            15 => {
                let ro = c.g.chance(40);
                let mut v = vec![if ro { "GEORADIUSBYMEMBER_RO" } else { "GEORADIUSBYMEMBER" }.to_string(), key.clone()];
                let m = if key == "big" { format!("b{}", c.g.below(480)) } else if key == "dense" { format!("d{}", c.g.below(300)) } else { c.member() };
                v.extend([m, c.radius(), c.unit()]);
                let mut o = options(&mut c, !ro);
                if o.iter().any(|x| x.starts_with("STORE")) {
                    o.retain(|x| !x.starts_with("WITH") || c.g.chance(5));
                }
                v.extend(o);
                v
            }
            16 => vec!["ZRANGE".to_string(), c.g.pick(&["dst", "dst2", "g"]).to_string(), "0".into(), "-1".into(), "WITHSCORES".into()],
            17 => vec!["ZREM".to_string(), key, c.member(), format!("b{}", c.g.below(480))],
            18 => vec![c.g.pick(&["GEOADD", "GEOSEARCH", "GEORADIUS", "GEODIST", "GEORADIUSBYMEMBER", "GEOSEARCHSTORE"]).to_string(), key],
            _ => vec!["ZCARD".to_string(), key],
        };
        steps.push(Step::exact(&cmd));
    }
    if let Ok(n) = std::env::var("CINNABAR_GEO_DUMP") {
        let n: usize = n.parse().unwrap_or(0);
        for st in steps.iter().take(n + 1) {
            println!("{}", support::show(&st.argv));
        }
        return;
    }
    assert_parity("geo random", &steps);
}

/// Large replies and k-nearest on thousands of points: a city of 4000
/// points (some stacked on the same spot, so distances tie), searched with
/// every sort and COUNT, so the radix sort of distances, the k-nearest rounds
/// and the pruned scan are all held to Redis's replies.
#[test]
fn geo_large() {
    let mut g = Gen::new(seed(0x1A76E));
    let mut steps: Vec<Step> = Vec::new();
    for chunk in 0..8 {
        let mut v = vec!["GEOADD".to_string(), "city".into()];
        for i in 0..500 {
            let (lon, lat) = if g.chance(10) {
                (format!("2.3{}", g.below(3)), format!("48.8{}", g.below(3)))
            } else {
                (format!("2.{:06}", 200_000 + g.below(300_000)), format!("48.{:06}", 700_000 + g.below(300_000)))
            };
            v.extend([lon, lat, format!("c{}", chunk * 500 + i)]);
        }
        steps.push(Step::exact(&v));
    }
    for _ in 0..300 {
        let (lon, lat) = (format!("2.{:06}", 150_000 + g.below(400_000)), format!("48.{:06}", 650_000 + g.below(400_000)));
        let mut v = vec!["GEOSEARCH".to_string(), "city".into(), "FROMLONLAT".into(), lon, lat];
        if g.chance(70) {
            v.extend(["BYRADIUS".to_string(), g.pick(&["0.3", "1", "2.5", "8", "40"]).to_string(), "km".into()]);
        } else {
            v.extend(["BYBOX".to_string(), g.pick(&["1", "4", "9"]).to_string(), g.pick(&["2", "5"]).to_string(), "km".into()]);
        }
        match g.below(6) {
            0 => v.push("ASC".into()),
            1 => v.push("DESC".into()),
            2 => v.extend(["COUNT".to_string(), format!("{}", 1 + g.below(20)), "ASC".into()]),
            3 => v.extend(["COUNT".to_string(), format!("{}", 1 + g.below(3000)), g.pick(&["ASC", "DESC"]).to_string()]),
            4 => v.extend(["COUNT".to_string(), format!("{}", 1 + g.below(50)), "ANY".into()]),
            _ => {}
        }
        if g.chance(30) {
            v.push(g.pick(&["WITHDIST", "WITHCOORD", "WITHHASH"]).to_string());
        }
        steps.push(Step::exact(&v));
    }
    assert_parity("geo large", &steps);
}
