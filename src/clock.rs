//! Time comes in through a [`Clock`], so the core never reads a system clock itself.
//!
//! The JS binding passes `Date.now()`; native callers use [`SystemClock`]; tests use
//! [`ManualClock`] and move time by hand. All expiry times are absolute Unix
//! milliseconds, so they survive a snapshot and a reload.

use std::cell::Cell;
use std::rc::Rc;

pub trait Clock {
    /// Unix time in milliseconds.
    fn now_ms(&self) -> i64;
    /// Unix time in microseconds (TIME); defaults to millisecond resolution.
    fn now_us(&self) -> i64 {
        self.now_ms().saturating_mul(1000)
    }
}

/// The host's wall clock (native builds only; wasm has no system clock).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        self.now_us() / 1000
    }
    fn now_us(&self) -> i64 {
        #[cfg(not(target_arch = "wasm32"))]
        {
            use std::time::{SystemTime, UNIX_EPOCH};
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros() as i64)
                .unwrap_or(0)
        }
        #[cfg(target_arch = "wasm32")]
        {
            0
        }
    }
}

/// A clock moved by hand; clones share the same time.
#[derive(Clone, Debug, Default)]
pub struct ManualClock(Rc<Cell<i64>>);

impl ManualClock {
    pub fn new(start_ms: i64) -> ManualClock {
        ManualClock(Rc::new(Cell::new(start_ms)))
    }
    pub fn set(&self, ms: i64) {
        self.0.set(ms)
    }
    pub fn advance(&self, ms: i64) {
        self.0.set(self.0.get().saturating_add(ms))
    }
    pub fn get(&self) -> i64 {
        self.0.get()
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.get()
    }
}
