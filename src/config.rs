//! Configuration parameters the store honours, with Redis's names.
//!
//! CONFIG GET/SET (in `cmd/server.rs`) read and write these through the
//! `PARAMS` table, so a parameter is listed once with its type and bounds.

use crate::notify;

#[derive(Clone, Debug)]
pub struct Config {
    /// Number of logical databases (immutable after start, as in Redis).
    pub databases: usize,
    /// Active expiry frequency (the JS timer and `maybe_active_expire` use 1000/hz ms).
    pub hz: u32,
    /// As set by the user (CONFIG GET shows it; `hz` is it clamped to 1..=500).
    pub configured_hz: i64,
    /// Keyspace notification flags (`notify::*`).
    pub notify_keyspace_events: u32,
    /// Largest string value (SETRANGE, APPEND), bytes.
    pub proto_max_bulk_len: i64,
}

impl Config {
    pub fn new(databases: usize) -> Config {
        Config {
            databases,
            hz: 10,
            configured_hz: 10,
            notify_keyspace_events: 0,
            proto_max_bulk_len: 512 * 1024 * 1024,
        }
    }

    pub fn notify_string(&self) -> String {
        notify::flags_to_string(self.notify_keyspace_events)
    }
}
