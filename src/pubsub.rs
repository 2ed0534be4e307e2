//! The pub/sub registry: who listens to which channel, pattern and shard
//! channel, and the queue of what a publish produced.
//!
//! The core never calls out. A publish (PUBLISH, SPUBLISH, a keyspace event)
//! appends [`Push`] records to one FIFO queue: a delivery per receiving client
//! (`Push::client` ≠ 0) and, when the store is bridged, one outbound record
//! (`client == 0`) for the layer above to carry to other contexts. The layer
//! above drains the queue after each command, batch or expiry pass
//! ([`PubSub::drain`]), so deliveries keep publish order.
//!
//! Order of deliveries for one publish, as Redis: channel subscribers in
//! subscription order, then, unless sharded, every matching pattern
//! (Redis walks its pattern dict in hash order; we walk patterns in the order
//! they were first subscribed) with its subscribers in subscription order.
//!
//! Invariants: a client is in `channels[c]` iff `c` is in its own set (same for
//! shard channels and patterns); no entry maps to an empty subscriber list.

use crate::glob::glob_match;
use hashbrown::{HashMap, HashSet};
use std::rc::Rc;

/// Bytes shared by every delivery of one publish.
pub type Bytes = Rc<[u8]>;

/// What a queued record is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `message`: to a channel subscriber.
    Message,
    /// `pmessage`: to a pattern subscriber (`pattern` is set).
    PMessage,
    /// `smessage`: to a shard channel subscriber.
    SMessage,
    /// Outbound PUBLISH for the bridge.
    OutPublish,
    /// Outbound SPUBLISH for the bridge.
    OutSPublish,
    /// Outbound keyspace / keyevent message for the bridge (opt-in).
    OutKeyspace,
}

impl Kind {
    /// One-byte tag used by the wasm binding's drain encoding.
    pub fn tag(self) -> u8 {
        match self {
            Kind::Message => b'm',
            Kind::PMessage => b'p',
            Kind::SMessage => b's',
            Kind::OutPublish => b'P',
            Kind::OutSPublish => b'S',
            Kind::OutKeyspace => b'K',
        }
    }
}

/// One queued record: a delivery to `client`, or (client 0) an outbound one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    pub client: u64,
    pub kind: Kind,
    pub pattern: Option<Bytes>,
    pub channel: Bytes,
    pub message: Bytes,
}

impl Push {
    /// The RESP2 array Redis writes to the subscriber for this delivery.
    pub fn to_reply(&self) -> crate::Reply {
        use crate::Reply;
        let b = |x: &Bytes| Reply::Bulk(x.to_vec());
        match (self.kind, &self.pattern) {
            (Kind::PMessage, Some(p)) => {
                Reply::Array(vec![Reply::bulk_str("pmessage"), b(p), b(&self.channel), b(&self.message)])
            }
            (Kind::SMessage, _) => Reply::Array(vec![Reply::bulk_str("smessage"), b(&self.channel), b(&self.message)]),
            _ => Reply::Array(vec![Reply::bulk_str("message"), b(&self.channel), b(&self.message)]),
        }
    }
}

#[derive(Default)]
struct ClientSubs {
    channels: HashSet<Bytes>,
    shard: HashSet<Bytes>,
    /// In subscription order (PUNSUBSCRIBE without arguments walks it).
    patterns: Vec<Bytes>,
}

impl ClientSubs {
    fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.shard.is_empty() && self.patterns.is_empty()
    }
}

/// Bridge outbox switches (set by the binding when the store joins a bridge).
#[derive(Clone, Copy, Debug, Default)]
pub struct Outbox {
    pub publish: bool,
    pub keyspace: bool,
}

#[derive(Default)]
pub struct PubSub {
    channels: HashMap<Bytes, Vec<u64>>,
    shard_channels: HashMap<Bytes, Vec<u64>>,
    /// Pattern → subscribers, in the order patterns were first subscribed.
    patterns: Vec<(Bytes, Vec<u64>)>,
    clients: HashMap<u64, ClientSubs>,
    queue: Vec<Push>,
    pub outbox: Outbox,
}

fn remove_id(list: &mut Vec<u64>, id: u64) {
    if let Some(i) = list.iter().position(|&c| c == id) {
        list.remove(i);
    }
}

impl PubSub {
    /// Whether the client has any subscription (Redis's CLIENT_PUBSUB flag).
    pub fn is_subscribed(&self, client: u64) -> bool {
        self.clients.get(&client).is_some_and(|s| !s.is_empty())
    }

    /// Channels + patterns of a client (the count SUBSCRIBE/PSUBSCRIBE report).
    pub fn count(&self, client: u64) -> i64 {
        self.clients.get(&client).map_or(0, |s| (s.channels.len() + s.patterns.len()) as i64)
    }

    /// Shard channels of a client (the count SSUBSCRIBE reports).
    pub fn shard_count(&self, client: u64) -> i64 {
        self.clients.get(&client).map_or(0, |s| s.shard.len() as i64)
    }

    /// True when a keyspace event could reach anyone (a cheap pre-check
    /// before building channel names).
    pub fn wants_events(&self) -> bool {
        !self.channels.is_empty() || !self.patterns.is_empty() || self.outbox.keyspace
    }

    /// Subscribes to a channel (shard channel with `shard`); false when already subscribed.
    pub fn subscribe(&mut self, client: u64, channel: &[u8], shard: bool) -> bool {
        let subs = self.clients.entry(client).or_default();
        let set = if shard { &mut subs.shard } else { &mut subs.channels };
        if set.contains(channel) {
            return false;
        }
        let ch: Bytes = channel.into();
        set.insert(ch.clone());
        let map = if shard { &mut self.shard_channels } else { &mut self.channels };
        map.entry(ch).or_default().push(client);
        true
    }

    /// Unsubscribes from a channel; false when it was not subscribed.
    pub fn unsubscribe(&mut self, client: u64, channel: &[u8], shard: bool) -> bool {
        let Some(subs) = self.clients.get_mut(&client) else { return false };
        let set = if shard { &mut subs.shard } else { &mut subs.channels };
        if !set.remove(channel) {
            return false;
        }
        let map = if shard { &mut self.shard_channels } else { &mut self.channels };
        if let Some(list) = map.get_mut(channel) {
            remove_id(list, client);
            if list.is_empty() {
                map.remove(channel);
            }
        }
        self.forget_if_empty(client);
        true
    }

    /// The client's channels (shard channels with `shard`), in no particular order.
    pub fn client_channels(&self, client: u64, shard: bool) -> Vec<Bytes> {
        self.clients.get(&client).map_or_else(Vec::new, |s| {
            if shard { s.shard.iter().cloned().collect() } else { s.channels.iter().cloned().collect() }
        })
    }

    /// The client's patterns in subscription order.
    pub fn client_patterns(&self, client: u64) -> Vec<Bytes> {
        self.clients.get(&client).map_or_else(Vec::new, |s| s.patterns.clone())
    }

    /// Subscribes to a pattern; false when already subscribed.
    pub fn psubscribe(&mut self, client: u64, pattern: &[u8]) -> bool {
        let subs = self.clients.entry(client).or_default();
        if subs.patterns.iter().any(|p| &**p == pattern) {
            return false;
        }
        let p: Bytes = pattern.into();
        subs.patterns.push(p.clone());
        match self.patterns.iter_mut().find(|(q, _)| &**q == pattern) {
            Some((_, list)) => list.push(client),
            None => self.patterns.push((p, vec![client])),
        }
        true
    }

    /// Unsubscribes from a pattern; false when it was not subscribed.
    pub fn punsubscribe(&mut self, client: u64, pattern: &[u8]) -> bool {
        let Some(subs) = self.clients.get_mut(&client) else { return false };
        let Some(i) = subs.patterns.iter().position(|p| &**p == pattern) else { return false };
        subs.patterns.remove(i);
        if let Some(j) = self.patterns.iter().position(|(q, _)| &**q == pattern) {
            if let Some((_, list)) = self.patterns.get_mut(j) {
                remove_id(list, client);
                if list.is_empty() {
                    self.patterns.remove(j);
                }
            }
        }
        self.forget_if_empty(client);
        true
    }

    fn forget_if_empty(&mut self, client: u64) {
        if self.clients.get(&client).is_some_and(|s| s.is_empty()) {
            self.clients.remove(&client);
        }
    }

    /// Drops every subscription of a client and its queued deliveries.
    pub fn drop_client(&mut self, client: u64) {
        for ch in self.client_channels(client, false) {
            self.unsubscribe(client, &ch, false);
        }
        for ch in self.client_channels(client, true) {
            self.unsubscribe(client, &ch, true);
        }
        for p in self.client_patterns(client) {
            self.punsubscribe(client, &p);
        }
        self.clients.remove(&client);
        if self.queue.iter().any(|p| p.client == client) {
            self.queue.retain(|p| p.client != client);
        }
    }

    /// Publishes to local subscribers (and to the bridge outbox when `out` and
    /// the outbox is on). Returns the local receivers, as Redis counts them:
    /// one per channel subscription plus one per matching pattern subscription.
    pub fn publish(&mut self, channel: &[u8], message: &[u8], shard: bool, out: Option<Kind>) -> i64 {
        let mut receivers = 0i64;
        let map = if shard { &self.shard_channels } else { &self.channels };
        let direct = map.get(channel);
        let any_pattern = !shard && !self.patterns.is_empty();
        let outbound = out.filter(|k| match k {
            Kind::OutKeyspace => self.outbox.keyspace,
            _ => self.outbox.publish,
        });
        if direct.is_none() && !any_pattern && outbound.is_none() {
            return 0;
        }
        let ch: Bytes = channel.into();
        let msg: Bytes = message.into();
        if let Some(list) = direct {
            let kind = if shard { Kind::SMessage } else { Kind::Message };
            for &client in list {
                self.queue.push(Push { client, kind, pattern: None, channel: ch.clone(), message: msg.clone() });
                receivers += 1;
            }
        }
        if any_pattern {
            for (p, list) in &self.patterns {
                if !glob_match(p, channel) {
                    continue;
                }
                for &client in list {
                    self.queue.push(Push {
                        client,
                        kind: Kind::PMessage,
                        pattern: Some(p.clone()),
                        channel: ch.clone(),
                        message: msg.clone(),
                    });
                    receivers += 1;
                }
            }
        }
        if let Some(kind) = outbound {
            self.queue.push(Push { client: 0, kind, pattern: None, channel: ch, message: msg });
        }
        receivers
    }

    /// Active channels (shard channels with `shard`) matching `pattern` (all without one).
    pub fn channels(&self, pattern: Option<&[u8]>, shard: bool) -> Vec<Bytes> {
        let map = if shard { &self.shard_channels } else { &self.channels };
        map.keys().filter(|c| pattern.is_none_or(|p| glob_match(p, c))).cloned().collect()
    }

    /// Subscribers of a channel (pattern subscriptions not counted).
    pub fn numsub(&self, channel: &[u8], shard: bool) -> i64 {
        let map = if shard { &self.shard_channels } else { &self.channels };
        map.get(channel).map_or(0, |l| l.len() as i64)
    }

    /// Distinct patterns subscribed by anyone (PUBSUB NUMPAT).
    pub fn numpat(&self) -> i64 {
        self.patterns.len() as i64
    }

    /// Number of queued records.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Takes every queued record, in order.
    pub fn drain(&mut self) -> Vec<Push> {
        std::mem::take(&mut self.queue)
    }

    /// Takes the queued deliveries of one client (tests; a native subscriber).
    pub fn take_for(&mut self, client: u64) -> Vec<Push> {
        let (mine, rest): (Vec<Push>, Vec<Push>) = std::mem::take(&mut self.queue).into_iter().partition(|p| p.client == client);
        self.queue = rest;
        mine
    }
}

/// Redis's `notifyKeyspaceEvent` after its class check: publishes
/// `__keyspace@<db>__:<key>` → event, then `__keyevent@<db>__:<event>` → key,
/// each only when its flag (K, E) is set.
pub fn publish_key_event(ps: &mut PubSub, flags: u32, event: &str, db: usize, key: &[u8]) {
    use crate::notify::{KEYEVENT, KEYSPACE};
    let dbs = db.to_string();
    if flags & KEYSPACE != 0 {
        let mut ch = Vec::with_capacity(16 + dbs.len() + key.len());
        ch.extend_from_slice(b"__keyspace@");
        ch.extend_from_slice(dbs.as_bytes());
        ch.extend_from_slice(b"__:");
        ch.extend_from_slice(key);
        ps.publish(&ch, event.as_bytes(), false, Some(Kind::OutKeyspace));
    }
    if flags & KEYEVENT != 0 {
        let ch = format!("__keyevent@{dbs}__:{event}");
        ps.publish(ch.as_bytes(), key, false, Some(Kind::OutKeyspace));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_order() {
        let mut ps = PubSub::default();
        assert!(ps.subscribe(1, b"a", false));
        assert!(!ps.subscribe(1, b"a", false));
        assert!(ps.subscribe(2, b"a", false));
        assert!(ps.psubscribe(2, b"a*"));
        assert!(ps.psubscribe(3, b"*"));
        assert_eq!(ps.publish(b"a", b"hi", false, Some(Kind::OutPublish)), 4);
        let q = ps.drain();
        let who: Vec<(u64, Kind)> = q.iter().map(|p| (p.client, p.kind)).collect();
        assert_eq!(who, [(1, Kind::Message), (2, Kind::Message), (2, Kind::PMessage), (3, Kind::PMessage)]);
        assert_eq!(ps.numpat(), 2);
        ps.drop_client(2);
        assert_eq!(ps.numsub(b"a", false), 1);
        assert_eq!(ps.numpat(), 1);
        assert!(ps.unsubscribe(1, b"a", false));
        assert!(!ps.unsubscribe(1, b"a", false));
        assert!(!ps.is_subscribed(1));
        assert!(ps.channels(None, false).is_empty());
        // shard channels ignore patterns
        ps.subscribe(4, b"s", true);
        assert_eq!(ps.publish(b"s", b"x", true, None), 1);
        assert_eq!(ps.shard_count(4), 1);
        assert_eq!(ps.count(4), 0);
    }

    #[test]
    fn outbox_only_when_bridged() {
        let mut ps = PubSub::default();
        assert_eq!(ps.publish(b"a", b"x", false, Some(Kind::OutPublish)), 0);
        assert_eq!(ps.pending(), 0);
        ps.outbox.publish = true;
        ps.publish(b"a", b"x", false, Some(Kind::OutPublish));
        ps.publish(b"a", b"x", false, Some(Kind::OutKeyspace));
        assert_eq!(ps.drain().len(), 1);
    }
}
