//! # Cinnabar: a Redis-compatible in-memory store
//!
//! This crate is the pure-Rust core. It builds and tests natively with no wasm
//! crates; `src/wasm/` (compiled only for `wasm32`) is the thin binding the npm
//! package in `pkg/` loads.
//!
//! ## Layout
//! - [`server`]: the store (databases, config, counters, WATCH registry) and
//!   per-connection clients; `Server::execute` is the one entry point.
//! - [`cmd`]: the declarative command table, the dispatcher, the `Ctx` lookup
//!   path (lazy expiry), and one file per command family.
//! - [`db`]: one keyspace: dense slots + hash index + TTL list (O(1) random
//!   sampling and a delete-safe SCAN cursor).
//! - [`blocking`]: blocked clients (BLPOP & co.): per-key FIFO of waits,
//!   ready keys served after each command, timeouts, cancellation.
//! - [`value`]: typed values with Redis's encodings.
//! - [`error`]: every error text, exact.
//! - [`reply`]: replies and their RESP2 / compact encodings.
//! - [`args`], [`num`], [`glob`], [`ldouble`]: argument access, Redis's number
//!   rules, glob matching, x87 `long double` arithmetic (INCRBYFLOAT).
//! - [`clock`], [`rng`]: time and randomness come in from outside.
//! - [`notify`]: keyspace event classes.
//! - [`pubsub`]: subscriptions, patterns and the queue of deliveries a
//!   publish (or a keyspace event) produces; the layer above drains it.
//! - [`config`]: the parameters CONFIG GET/SET know.
//! - [`snapshot`], [`dump`]: the binary snapshot format (persistence), and the
//!   RESP dump for moving to a real Redis.
//! - [`geofence`]: polygon and circle fences over geo keys, re-evaluated
//!   after every command that signals their key; events for the binding.
//! - [`evict`]: `maxmemory` eviction (Redis's sampled pool) run before commands.

pub mod args;
pub mod blocking;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod db;
pub mod dump;
pub mod error;
pub mod evict;
pub mod geofence;
pub mod glob;
pub mod ldouble;
pub mod notify;
pub mod num;
pub mod pubsub;
pub mod reply;
pub mod rng;
pub mod server;
pub mod snapshot;
pub mod types;
pub mod value;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use blocking::Outcome;
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::Error;
pub use reply::Reply;
pub use server::{Client, Options, Server};

/// Convenience for tests and native users: a server with one client.
pub struct Store {
    pub server: Server,
    pub client: Client,
}

impl Store {
    pub fn new() -> Store {
        Store::with_clock(Box::new(SystemClock))
    }
    pub fn with_clock(clock: Box<dyn Clock>) -> Store {
        let mut server = Server::with_clock(Options::default(), clock);
        let client = server.new_client();
        Store { server, client }
    }
    /// Runs one command given as byte strings.
    pub fn exec<A: AsRef<[u8]>>(&mut self, argv: &[A]) -> Reply {
        let argv: Vec<&[u8]> = argv.iter().map(|a| a.as_ref()).collect();
        self.server.execute(&mut self.client, &argv)
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::new()
    }
}
