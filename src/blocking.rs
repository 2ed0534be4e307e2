//! Blocked clients: the mechanism behind BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
//! BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP and XREAD/XREADGROUP BLOCK. It follows
//! Redis 7.0's `blocked.c`.
//!
//! ## Life of a wait
//! 1. A blocking handler finds nothing to serve. If blocking is not allowed
//!    (inside MULTI/EXEC, or the caller used [`Server::execute`], which never
//!    leaves a waiter behind) it answers as Redis does for a client that cannot
//!    block. Otherwise it calls [`Ctx::block`] with a [`BlockRequest`]: the keys,
//!    the absolute deadline (0 = forever), the value type that wakes it, and a
//!    [`ServeFn`]. [`Server::call`] then answers [`Outcome::Blocked`] with a
//!    [`WaitId`] instead of a reply.
//! 2. The wait is appended to the per-key FIFO of every key it names (a key
//!    named twice counts once): first blocked, first served.
//! 3. A key becomes *ready* when a command creates or changes it while it holds
//!    a type some waiter wakes on (hooked into `signal_modified_key`, so every
//!    path that signals WATCH also signals waiters; a sweep after each command
//!    catches keys that appear by other routes, e.g. SWAPDB). Ready keys are kept
//!    in the order they first became ready, once each, like `server.ready_keys`.
//! 4. After each top-level command (after a whole EXEC, never inside it), ready
//!    keys are served in order: for each, the waits on that key in arrival order
//!    whose type matches run their `ServeFn` *against that key*, as the blocked
//!    client (its id and database), until the key is gone. A client blocked on
//!    several keys is served by the first of its keys to become ready. A serve
//!    that pushes elsewhere (BLMOVE) makes its destination ready; it is served in
//!    the next round of the same loop, so BLMOVE chains resolve in one go, as in
//!    Redis's `handleClientsBlockedOnKeys`.
//! 5. Served replies queue in `served`; the layer above takes them with
//!    [`Server::take_served`] after every call. Deadlines are checked by
//!    [`Server::expire_waits`] (driven by the clock: a JS timer at
//!    [`Server::next_wait_deadline`], or a manual clock in tests); a wait whose
//!    deadline is strictly before now answers its timeout reply (a nil array,
//!    Redis's `replyToBlockedClientTimedOut`). [`Server::cancel_wait`] removes a
//!    wait without a reply (AbortSignal); dropping a client cancels its waits.
//!
//! ## Sorted sets and streams
//! BZPOPMIN/BZPOPMAX/BZMPOP (cmd/zset.rs) block with `wakes_on: "zset"` and a
//! `ServeFn` that pops like ZPOPMIN/ZMPOP. XREAD/XREADGROUP BLOCK (cmd/stream.rs)
//! block with `wakes_on: "stream"` and give the argv their `ServeFn` sees
//! (`BlockRequest::argv`: the ids `$` stood for when they blocked); the serve
//! returns `None` (stay blocked) until the stream has an entry past that id.
//! XREADGROUP also sets `wakes_on_gone`: its key is ready when deleted or given
//! another type (and XGROUP DESTROY signals it), and its serve answers Redis's
//! UNBLOCKED / NOGROUP errors.
//!
//! The sweep after each command (step 3) looks only at blocked keys whose
//! value is not the one last seen (`value_identity`), so a stream changed
//! without a signal (XSETID, XGROUP SETID) wakes nobody until the next XADD, as
//! in Redis, and waiters on a live stream cost nothing per command.

#![deny(clippy::indexing_slicing)]

use crate::args::Args;
use crate::cmd::Ctx;
use crate::reply::Reply;
use crate::server::{Client, Server};
use hashbrown::{HashMap, HashSet};
use std::collections::VecDeque;

/// Identifies one blocked call (a connection may have several pending in JS).
pub type WaitId = u64;

/// Serves a wait from `key`, running as the blocked client (database selected).
/// `args` is the blocked command's argv. `Some(reply)` completes the wait (the
/// reply may be an error, as BLMOVE's WRONGTYPE); `None` keeps it blocked.
pub type ServeFn = fn(&mut Ctx, Args, &[u8]) -> Option<Reply>;

/// What a blocking handler asks for.
pub struct BlockRequest {
    pub keys: Vec<Vec<u8>>,
    /// Absolute Unix ms; 0 = no timeout.
    pub deadline: i64,
    /// `Value::type_name` of the values that can serve it.
    pub wakes_on: &'static str,
    pub serve: ServeFn,
    /// The reply when the deadline passes.
    pub timeout_reply: Reply,
    /// The argv `serve` sees instead of the command's own (XREAD keeps the
    /// ids its `$` stood for when it blocked).
    pub argv: Option<Vec<Vec<u8>>>,
    /// Also ready when the key is deleted or holds another type (XREADGROUP
    /// answers an error then, as Redis's `unblockDeletedStreamReadgroupClients`).
    pub wakes_on_gone: bool,
}

impl BlockRequest {
    fn wakes(&self, ty: Option<&str>) -> bool {
        self.wakes_on_gone || ty == Some(self.wakes_on)
    }
}

/// The result of [`Server::call`].
#[derive(Debug, PartialEq)]
pub enum Outcome {
    Reply(Reply),
    Blocked(WaitId),
}

struct Wait {
    client: u64,
    db: usize,
    keys: Vec<Box<[u8]>>,
    argv: Vec<Vec<u8>>,
    req: BlockRequest,
}

type KeyRef = (usize, Box<[u8]>);

/// The registry of blocked calls (one per store).
#[derive(Default)]
pub struct Blocking {
    next_id: WaitId,
    waits: HashMap<WaitId, Wait>,
    by_key: HashMap<KeyRef, VecDeque<WaitId>>,
    ready: Vec<KeyRef>,
    ready_set: HashSet<KeyRef>,
    /// What each blocked key held when last looked at ([`value_identity`]), so
    /// the sweep after each command only re-examines keys changed by routes
    /// that do not signal (SWAPDB, FLUSHDB...), not every key with a waiter.
    seen: HashMap<KeyRef, usize>,
    /// Set by a handler during the current command.
    pending: Option<BlockRequest>,
    served: Vec<(WaitId, Reply)>,
    /// Blocking is allowed for the command running now (only `Server::call`, outside EXEC).
    pub(crate) allow: bool,
}

impl Blocking {
    pub fn len(&self) -> usize {
        self.waits.len()
    }
    pub fn is_empty(&self) -> bool {
        self.waits.is_empty()
    }
    /// Replies waiting for [`Server::take_served`].
    pub fn served_len(&self) -> usize {
        self.served.len()
    }
    /// Ids of blocked calls in arrival order on `key` of database `db` (tests, introspection).
    pub fn waiting_on(&self, db: usize, key: &[u8]) -> Vec<WaitId> {
        self.by_key.get(&(db, Box::from(key))).map(|q| q.iter().copied().collect()).unwrap_or_default()
    }
    /// Number of distinct connections with a blocked call (INFO `blocked_clients`).
    pub fn blocked_clients(&self) -> usize {
        self.waits.values().map(|w| w.client).collect::<HashSet<_>>().len()
    }
    fn unlink(&mut self, id: WaitId) -> Option<Wait> {
        let w = self.waits.remove(&id)?;
        for k in &w.keys {
            let kr = (w.db, k.clone());
            if let Some(q) = self.by_key.get_mut(&kr) {
                q.retain(|x| *x != id);
                if q.is_empty() {
                    self.by_key.remove(&kr);
                    self.seen.remove(&kr);
                }
            }
        }
        Some(w)
    }
}

impl<'a> Ctx<'a> {
    /// True when the running command may block (not in MULTI/EXEC, caller able to wait).
    pub fn may_block(&self) -> bool {
        self.srv.blocking.allow && !self.client.in_multi()
    }
    /// Blocks the calling client (see the module doc). The handler's own reply is
    /// discarded; return any placeholder.
    pub fn block(&mut self, req: BlockRequest) -> Reply {
        self.srv.blocking.pending = Some(req);
        Reply::NilArray
    }
}

impl Server {
    /// Runs one command for `client` like [`Server::execute`], but a blocking
    /// command with nothing to serve blocks: the answer comes later from
    /// [`Server::take_served`] under the returned id.
    pub fn call(&mut self, client: &mut Client, argv: &[&[u8]]) -> Outcome {
        self.blocking.allow = true;
        self.blocking.pending = None;
        let reply = self.execute_unserved(client, argv);
        self.blocking.allow = false;
        let out = match self.blocking.pending.take() {
            Some(req) => {
                self.blocking.next_id += 1;
                let id = self.blocking.next_id;
                let mut keys: Vec<Box<[u8]>> = Vec::with_capacity(req.keys.len());
                for k in &req.keys {
                    if !keys.iter().any(|x| **x == **k) {
                        keys.push(k.as_slice().into());
                    }
                }
                for k in &keys {
                    self.blocking.by_key.entry((client.db, k.clone())).or_default().push_back(id);
                    let ident = value_identity(self.dbs.get(client.db), k);
                    self.blocking.seen.entry((client.db, k.clone())).or_insert(ident);
                }
                let mut req = req;
                let argv = match req.argv.take() {
                    Some(v) => v,
                    None => argv.iter().map(|a| a.to_vec()).collect(),
                };
                self.blocking.waits.insert(id, Wait { client: client.id, db: client.db, keys, argv, req });
                Outcome::Blocked(id)
            }
            None => Outcome::Reply(reply),
        };
        self.serve_ready();
        out
    }

    /// Marks `key` ready when it holds a type some waiter wakes on (called from
    /// `signal_modified_key`).
    pub(crate) fn signal_ready(&mut self, dbi: usize, key: &[u8]) {
        let kr: KeyRef = (dbi, key.into());
        if !self.blocking.by_key.contains_key(&kr) || self.blocking.ready_set.contains(&kr) {
            return;
        }
        let db = self.dbs.get(dbi);
        self.blocking.seen.insert(kr.clone(), value_identity(db, key));
        let ty = db.and_then(|db| db.find(key).map(|slot| db.entry(slot).val.type_name()));
        let wanted = self.blocking.by_key.get(&kr).is_some_and(|q| {
            q.iter().any(|id| self.blocking.waits.get(id).is_some_and(|w| w.req.wakes(ty)))
        });
        if wanted {
            self.blocking.ready_set.insert(kr.clone());
            self.blocking.ready.push(kr);
        }
    }

    /// Serves ready keys until none is left (Redis's `handleClientsBlockedOnKeys`).
    pub(crate) fn serve_ready(&mut self) {
        if self.blocking.by_key.is_empty() {
            self.blocking.ready.clear();
            self.blocking.ready_set.clear();
            return;
        }
        // Keys that became servable by routes that do not signal (SWAPDB, ...):
        // those whose value is not the one last seen.
        let changed: Vec<KeyRef> = self
            .blocking
            .by_key
            .keys()
            .filter(|kr| self.blocking.seen.get(*kr) != Some(&value_identity(self.dbs.get(kr.0), &kr.1)))
            .cloned()
            .collect();
        for (dbi, k) in changed {
            self.signal_ready(dbi, &k);
        }
        let now = self.now_ms();
        while !self.blocking.ready.is_empty() {
            let batch = std::mem::take(&mut self.blocking.ready);
            for kr in batch {
                self.blocking.ready_set.remove(&kr);
                self.serve_key(kr.0, &kr.1, now);
            }
        }
    }

    fn serve_key(&mut self, dbi: usize, key: &[u8], now: i64) {
        let ids: Vec<WaitId> = match self.blocking.by_key.get(&(dbi, key.into())) {
            Some(q) => q.iter().copied().collect(),
            None => return,
        };
        for id in ids {
            let ty = self.dbs.get(dbi).and_then(|db| {
                let e = db.entry(db.find(key)?);
                e.expire().is_none_or(|t| t > now).then(|| e.val.type_name())
            });
            let Some(w) = self.blocking.waits.get(&id) else { continue };
            if !w.req.wakes(ty) {
                continue;
            }
            let (serve, argv, mut client) = (w.req.serve, w.argv.clone(), Client::detached(w.client, w.db));
            let argv_refs: Vec<&[u8]> = argv.iter().map(|a| a.as_slice()).collect();
            let mut ctx = Ctx { srv: self, client: &mut client, now };
            if let Some(reply) = serve(&mut ctx, Args::new(&argv_refs), key) {
                self.blocking.unlink(id);
                self.blocking.served.push((id, reply));
            }
        }
    }

    /// Replies of blocked calls served or timed out since the last call.
    pub fn take_served(&mut self) -> Vec<(WaitId, Reply)> {
        std::mem::take(&mut self.blocking.served)
    }

    /// Times out waits whose deadline is before the clock's now; returns how many.
    pub fn expire_waits(&mut self) -> usize {
        let now = self.now_ms();
        let mut due: Vec<(i64, WaitId)> = self
            .blocking
            .waits
            .iter()
            .filter(|(_, w)| w.req.deadline != 0 && w.req.deadline < now)
            .map(|(id, w)| (w.req.deadline, *id))
            .collect();
        due.sort_unstable();
        for (_, id) in &due {
            if let Some(w) = self.blocking.unlink(*id) {
                self.blocking.served.push((*id, w.req.timeout_reply));
            }
        }
        due.len()
    }

    /// The earliest deadline among blocked calls (Unix ms), if any has one.
    pub fn next_wait_deadline(&self) -> Option<i64> {
        self.blocking.waits.values().map(|w| w.req.deadline).filter(|d| *d != 0).min()
    }

    /// Cancels a blocked call without a reply; false when it is no longer blocked.
    pub fn cancel_wait(&mut self, id: WaitId) -> bool {
        self.blocking.unlink(id).is_some()
    }

    /// Cancels every blocked call of connection `client` (it went away).
    pub(crate) fn cancel_client_waits(&mut self, client: u64) {
        let ids: Vec<WaitId> =
            self.blocking.waits.iter().filter(|(_, w)| w.client == client).map(|(id, _)| *id).collect();
        for id in ids {
            self.blocking.unlink(id);
        }
    }
}

/// Identifies the value under `key` (0 when missing): its type and, for the
/// boxed types, the box's address, which stays put while the value lives and
/// differs for another value (SWAPDB, COPY, RESTORE bring other boxes).
fn value_identity(db: Option<&crate::db::Db>, key: &[u8]) -> usize {
    use crate::value::Value;
    let Some((db, slot)) = db.and_then(|db| db.find(key).map(|slot| (db, slot))) else { return 0 };
    match &db.entry(slot).val {
        Value::List(b) => &**b as *const _ as usize,
        Value::ZSet(b) => &**b as *const _ as usize,
        Value::Stream(b) => &**b as *const _ as usize,
        Value::Set(b) => &**b as *const _ as usize,
        Value::Hash(b) => &**b as *const _ as usize,
        _ => 1,
    }
}
