//! The geofence registry (src/geofence.rs): members crossing a fence by every
//! write route give exactly one enter/exit each; the fence watches one key of
//! one database; invalid polygons give the Redis-style errors; events are
//! published as JSON on the fence's channel.

use cinnabar::geofence::{event_json, EventKind, FenceShape};
use cinnabar::reply::Reply;
use cinnabar::{Client, ManualClock, Options, Server};

fn run(srv: &mut Server, c: &mut Client, argv: &[&str]) -> Reply {
    let refs: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    srv.execute(c, &refs)
}

const SQUARE: [(f64, f64); 4] = [(2.30, 48.83), (2.40, 48.83), (2.40, 48.88), (2.30, 48.88)];
const IN: [&str; 2] = ["2.35", "48.85"];
const IN2: [&str; 2] = ["2.36", "48.86"];
const OUT: [&str; 2] = ["2.50", "48.85"];

struct T {
    srv: Server,
    c: Client,
    clock: ManualClock,
}

impl T {
    fn new() -> T {
        let clock = ManualClock::new(1_000_000);
        let mut srv = Server::with_clock(Options::default(), Box::new(clock.clone()));
        let c = srv.new_client();
        T { srv, c, clock }
    }
    fn r(&mut self, argv: &[&str]) -> Reply {
        run(&mut self.srv, &mut self.c, argv)
    }
    fn add(&mut self, key: &str, p: [&str; 2], m: &str) {
        self.r(&["GEOADD", key, p[0], p[1], m]);
    }
    fn fence(&mut self, db: usize, key: &str) -> u32 {
        let shape = FenceShape::polygon(SQUARE.to_vec()).unwrap();
        self.srv.geofence_add(db, key.as_bytes(), shape, None).unwrap()
    }
    /// "enter:m" strings of the events since the last call.
    fn ev(&mut self) -> Vec<String> {
        self.srv
            .fences
            .take_events()
            .iter()
            .map(|e| format!("{}:{}", e.kind.name(), String::from_utf8_lossy(&e.member)))
            .collect()
    }
}

fn v(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

#[test]
fn geoadd_moves() {
    let mut t = T::new();
    t.add("k", IN, "already");
    t.fence(0, "k");
    assert_eq!(t.ev(), v(&[]), "initial members give no events");
    t.add("k", IN, "a");
    assert_eq!(t.ev(), v(&["enter:a"]));
    t.add("k", IN, "a");
    assert_eq!(t.ev(), v(&[]), "same position: nothing");
    t.add("k", IN2, "a");
    assert_eq!(t.ev(), v(&["inside:a"]));
    t.add("k", OUT, "a");
    assert_eq!(t.ev(), v(&["exit:a"]));
    t.add("k", OUT, "b");
    t.add("k", ["2.6", "48.8"], "b");
    assert_eq!(t.ev(), v(&[]), "outside to outside: nothing");
    t.add("other", IN, "a");
    assert_eq!(t.ev(), v(&[]), "another key");
    t.r(&["GEOADD", "k", IN[0], IN[1], "a", OUT[0], OUT[1], "already"]);
    assert_eq!(t.ev(), v(&["enter:a", "exit:already"]));
    // ZADD / ZINCRBY move members too (scores are positions).
    t.r(&["ZINCRBY", "k", "1000000", "a"]);
    assert_eq!(t.ev(), v(&["inside:a"]));
    t.r(&["ZADD", "k", "0", "a"]);
    assert_eq!(t.ev(), v(&["exit:a"]));
}

#[test]
fn member_removals() {
    let mut t = T::new();
    t.fence(0, "k");
    for m in ["a", "b", "c", "d", "e"] {
        t.add("k", IN, m);
    }
    t.add("k", OUT, "z");
    assert_eq!(t.ev(), v(&["enter:a", "enter:b", "enter:c", "enter:d", "enter:e"]));
    t.r(&["ZREM", "k", "a", "nope"]);
    assert_eq!(t.ev(), v(&["exit:a"]));
    t.r(&["ZREMRANGEBYLEX", "k", "[b", "[b"]);
    assert_eq!(t.ev(), v(&["exit:b"]));
    t.r(&["ZPOPMIN", "k"]);
    assert_eq!(t.ev(), v(&["exit:c"]));
    t.r(&["ZREMRANGEBYRANK", "k", "0", "0"]);
    assert_eq!(t.ev(), v(&["exit:d"]));
    t.r(&["ZPOPMAX", "k"]);
    assert_eq!(t.ev(), v(&[]), "z was outside");
    t.r(&["ZREMRANGEBYSCORE", "k", "-inf", "+inf"]);
    assert_eq!(t.ev(), v(&["exit:e"]));
}

#[test]
fn whole_key_changes() {
    let mut t = T::new();
    t.fence(0, "k");
    let fill = |t: &mut T| {
        t.add("k", IN, "a");
        t.add("k", IN2, "b");
        let mut e = t.ev();
        e.sort();
        assert_eq!(e, v(&["enter:a", "enter:b"]));
    };
    for cmd in [&["DEL", "k"][..], &["UNLINK", "k"], &["SET", "k", "x"], &["FLUSHDB"], &["FLUSHALL"]] {
        fill(&mut t);
        t.r(cmd);
        assert_eq!(t.ev(), v(&["exit:a", "exit:b"]), "{cmd:?}");
        t.r(&["DEL", "k"]);
    }
    // RENAME away and back onto the key.
    fill(&mut t);
    t.r(&["RENAME", "k", "k2"]);
    assert_eq!(t.ev(), v(&["exit:a", "exit:b"]));
    t.r(&["RENAME", "k2", "k"]);
    assert_eq!(t.ev(), v(&["enter:a", "enter:b"]));
    // COPY onto, overwriting with one member inside.
    t.r(&["GEOADD", "src", IN[0], IN[1], "b", OUT[0], OUT[1], "c"]);
    t.r(&["COPY", "src", "k", "REPLACE"]);
    assert_eq!(t.ev(), v(&["inside:b", "exit:a"]));
    // Stores overwrite.
    t.r(&["ZUNIONSTORE", "k", "1", "nothing"]);
    assert_eq!(t.ev(), v(&["exit:b"]));
    t.r(&["GEOSEARCHSTORE", "k", "src", "FROMLONLAT", "2.35", "48.85", "BYRADIUS", "1", "km"]);
    assert_eq!(t.ev(), v(&["enter:b"]));
    t.r(&["ZRANGESTORE", "k", "src", "1", "1"]);
    assert_eq!(t.ev(), v(&["exit:b"]), "only c, outside");
    // Snapshot restore (and merge) bring the saved members back.
    t.r(&["COPY", "src", "k", "REPLACE"]);
    assert_eq!(t.ev(), v(&["enter:b"]));
    let snap = t.srv.snapshot().unwrap();
    t.r(&["DEL", "k"]);
    assert_eq!(t.ev(), v(&["exit:b"]));
    t.srv.restore_snapshot(&snap).unwrap();
    assert_eq!(t.ev(), v(&["enter:b"]));
}

#[test]
fn databases_move_swap_and_other_connections() {
    let mut t = T::new();
    t.fence(0, "k");
    t.fence(1, "k");
    t.add("k", IN, "a");
    assert_eq!(t.ev(), v(&["enter:a"]), "only db 0's fence");
    t.r(&["MOVE", "k", "1"]);
    assert_eq!(t.ev(), v(&["exit:a", "enter:a"]));
    t.r(&["SWAPDB", "0", "1"]);
    assert_eq!(t.ev(), v(&["enter:a", "exit:a"]));
    let mut other = t.srv.new_client();
    run(&mut t.srv, &mut other, &["GEOADD", "k", OUT[0], OUT[1], "a"]);
    assert_eq!(t.ev(), v(&["exit:a"]));
    run(&mut t.srv, &mut other, &["SELECT", "1"]);
    run(&mut t.srv, &mut other, &["GEOADD", "k", IN[0], IN[1], "x"]);
    assert_eq!(t.ev(), v(&["enter:x"]));
}

#[test]
fn transactions_see_each_command() {
    let mut t = T::new();
    t.fence(0, "k");
    t.r(&["MULTI"]);
    t.r(&["GEOADD", "k", IN[0], IN[1], "a"]);
    t.r(&["GEOADD", "k", OUT[0], OUT[1], "a"]);
    t.r(&["GEOADD", "k", IN[0], IN[1], "a"]);
    assert_eq!(t.ev(), v(&[]), "queued");
    t.r(&["EXEC"]);
    assert_eq!(t.ev(), v(&["enter:a", "exit:a", "enter:a"]));
}

#[test]
fn expiry_lazy_and_active() {
    let mut t = T::new();
    t.fence(0, "k");
    t.add("k", IN, "a");
    t.r(&["PEXPIRE", "k", "100"]);
    assert_eq!(t.ev(), v(&["enter:a"]));
    t.clock.advance(200);
    t.r(&["EXISTS", "k"]); // lazy expiry
    assert_eq!(t.ev(), v(&["exit:a"]));
    t.add("k", IN, "a");
    t.r(&["PEXPIRE", "k", "100"]);
    assert_eq!(t.ev(), v(&["enter:a"]));
    t.clock.advance(200);
    t.srv.active_expire_cycle(100);
    assert_eq!(t.ev(), v(&["exit:a"]));
}

#[test]
fn circle_and_removal_of_fences() {
    let mut t = T::new();
    let shape = FenceShape::circle(2.35, 48.85, 2000.0).unwrap();
    let id = t.srv.geofence_add(0, b"k", shape, None).unwrap();
    t.r(&["GEOADD", "k", "2.351", "48.851", "a", "2.5", "48.85", "b"]);
    assert_eq!(t.ev(), v(&["enter:a"]));
    assert!(t.srv.geofence_remove(id));
    t.r(&["DEL", "k"]);
    assert_eq!(t.ev(), v(&[]));
}

#[test]
fn channel_gets_json() {
    let mut t = T::new();
    let sub = t.srv.new_client();
    t.srv.pubsub.subscribe(sub.id, b"fences", false);
    let shape = FenceShape::polygon(SQUARE.to_vec()).unwrap();
    t.srv.geofence_add(0, b"k", shape, Some(b"fences")).unwrap();
    t.add("k", IN, "a");
    let evs = t.srv.fences.take_events();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].kind, EventKind::Enter);
    let got = t.srv.pubsub.take_for(sub.id);
    let msgs: Vec<_> = got.iter().map(|p| String::from_utf8_lossy(&p.message).into_owned()).collect();
    assert_eq!(msgs, vec![event_json(b"k", &evs[0])]);
    assert_eq!(msgs[0], r#"{"type":"enter","key":"k","member":"a","lon":2.349998652935028,"lat":48.84999911645039}"#);
}

#[test]
fn invalid_fences() {
    let e = |r: Result<FenceShape, cinnabar::error::Error>| r.err().map(|e| e.text().to_string());
    assert_eq!(e(FenceShape::polygon(vec![(0.0, 0.0), (1.0, 1.0)])).as_deref(), Some("ERR invalid polygon: fewer than 3 distinct vertices"));
    assert_eq!(
        e(FenceShape::polygon(vec![(0.0, 0.0), (1.0, 1.0), (0.0, 0.0), (1.0, 1.0)])).as_deref(),
        Some("ERR invalid polygon: fewer than 3 distinct vertices")
    );
    assert_eq!(
        e(FenceShape::polygon(vec![(0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0)])).as_deref(),
        Some("ERR invalid polygon: self-intersecting")
    );
    assert_eq!(e(FenceShape::polygon(vec![(0.0, 0.0), (1.0, f64::NAN), (1.0, 0.0)])).as_deref(), Some("ERR invalid polygon: coordinate is not a number"));
    assert_eq!(
        e(FenceShape::polygon(vec![(0.0, 0.0), (200.0, 1.0), (1.0, 0.0)])).as_deref(),
        Some("ERR invalid longitude,latitude pair 200.000000,1.000000")
    );
    assert_eq!(e(FenceShape::circle(0.0, 0.0, -1.0)).as_deref(), Some("ERR radius cannot be negative"));
    // a closed ring (last vertex = first) is fine
    assert!(FenceShape::polygon(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]).is_ok());
}
