//! Pub/sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and
//! PUBSUB introspection, over the registry in `src/pubsub.rs`.
//!
//! Replies are Redis's RESP2 ones: a (un)subscribe answers one confirmation
//! array per channel ([`Reply::Seq`]); deliveries go to the registry's queue,
//! never into the publisher's reply. A subscribed connection may run only the
//! commands [`allowed_when_subscribed`] lists (checked by the dispatcher).
//! Receiver counts are local: subscribers in other contexts reached through
//! the JS bridge are not counted (they are not known synchronously).
//!
//! Arguments come from slice patterns on argv; their `else` branch (a syntax
//! error) is unreachable once the dispatcher has checked the arity.

#![deny(clippy::indexing_slicing)]

use super::*;
use crate::pubsub::Kind;

const PS: u32 = PUBSUB | LOADING | STALE;
const SUB: u32 = PUBSUB | NOSCRIPT | LOADING | STALE;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("subscribe", -2, SUB, Keys::NONE, "pubsub", subscribe),
    CommandSpec::new("unsubscribe", -1, SUB, Keys::NONE, "pubsub", unsubscribe),
    CommandSpec::new("psubscribe", -2, SUB, Keys::NONE, "pubsub", psubscribe),
    CommandSpec::new("punsubscribe", -1, SUB, Keys::NONE, "pubsub", punsubscribe),
    CommandSpec::new("ssubscribe", -2, SUB, Keys::range(1, -1, 1), "pubsub", ssubscribe),
    CommandSpec::new("sunsubscribe", -1, SUB, Keys::range(1, -1, 1), "pubsub", sunsubscribe),
    CommandSpec::new("publish", 3, PS | FAST, Keys::NONE, "pubsub", publish),
    CommandSpec::new("spublish", 3, PS | FAST, Keys::one(1), "pubsub", spublish),
    CommandSpec::container("pubsub", 0, "pubsub", PUBSUB_SUBCOMMANDS),
];

const PUBSUB_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec::sub("pubsub|channels", "channels", -2, PS, Keys::NONE, "pubsub", pubsub_channels),
    CommandSpec::sub("pubsub|help", "help", 2, LOADING | STALE, Keys::NONE, "pubsub", pubsub_help),
    CommandSpec::sub("pubsub|numpat", "numpat", 2, PS, Keys::NONE, "pubsub", pubsub_numpat),
    CommandSpec::sub("pubsub|numsub", "numsub", -2, PS, Keys::NONE, "pubsub", pubsub_numsub),
    CommandSpec::sub("pubsub|shardchannels", "shardchannels", -2, PS, Keys::NONE, "pubsub", pubsub_shardchannels),
    CommandSpec::sub("pubsub|shardnumsub", "shardnumsub", -2, PS, Keys::NONE, "pubsub", pubsub_shardnumsub),
];

/// Commands a subscribed RESP2 connection may run (Redis's list; QUIT and
/// RESET are not implemented here).
pub fn allowed_when_subscribed(spec: &CommandSpec) -> bool {
    matches!(
        spec.name,
        "ping" | "subscribe" | "ssubscribe" | "unsubscribe" | "sunsubscribe" | "psubscribe" | "punsubscribe" | "quit" | "reset"
    )
}

/// `[kind, channel-or-nil, count]`, the confirmation Redis sends.
fn confirm(kind: &str, channel: Option<&[u8]>, count: i64) -> Reply {
    Reply::Array(vec![Reply::bulk_str(kind), channel.map_or(Reply::Nil, Reply::bulk), Reply::Int(count)])
}

impl<'a> Ctx<'a> {
    fn cid(&self) -> u64 {
        self.client.id
    }
}

/// SUBSCRIBE channel [channel ...]
fn subscribe(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let id = ctx.cid();
    let ps = &mut ctx.srv.pubsub;
    let out = a.from(1).iter().map(|ch| {
        ps.subscribe(id, ch, false);
        confirm("subscribe", Some(ch), ps.count(id))
    });
    Ok(Reply::Seq(out.collect()))
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
fn ssubscribe(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    if ctx.srv.in_exec {
        return Err(error::SSUBSCRIBE_DENY_BLOCKING);
    }
    let id = ctx.cid();
    let ps = &mut ctx.srv.pubsub;
    let out = a.from(1).iter().map(|ch| {
        ps.subscribe(id, ch, true);
        confirm("ssubscribe", Some(ch), ps.shard_count(id))
    });
    Ok(Reply::Seq(out.collect()))
}

/// PSUBSCRIBE pattern [pattern ...]
fn psubscribe(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let id = ctx.cid();
    let ps = &mut ctx.srv.pubsub;
    let out = a.from(1).iter().map(|p| {
        ps.psubscribe(id, p);
        confirm("psubscribe", Some(p), ps.count(id))
    });
    Ok(Reply::Seq(out.collect()))
}

/// Shared by UNSUBSCRIBE and SUNSUBSCRIBE.
fn unsubscribe_any(ctx: &mut Ctx, a: Args, shard: bool) -> Reply {
    let id = ctx.cid();
    let ps = &mut ctx.srv.pubsub;
    let kind = if shard { "sunsubscribe" } else { "unsubscribe" };
    let count = |ps: &crate::pubsub::PubSub| if shard { ps.shard_count(id) } else { ps.count(id) };
    let mut out = Vec::new();
    if a.len() == 1 {
        for ch in ps.client_channels(id, shard) {
            ps.unsubscribe(id, &ch, shard);
            out.push(confirm(kind, Some(&ch), count(ps)));
        }
        if out.is_empty() {
            out.push(confirm(kind, None, count(ps)));
        }
    } else {
        for ch in a.from(1).iter() {
            ps.unsubscribe(id, ch, shard);
            out.push(confirm(kind, Some(ch), count(ps)));
        }
    }
    Reply::Seq(out)
}

/// UNSUBSCRIBE [channel ...]
fn unsubscribe(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    Ok(unsubscribe_any(ctx, a, false))
}

/// SUNSUBSCRIBE [shardchannel ...]
fn sunsubscribe(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    Ok(unsubscribe_any(ctx, a, true))
}

/// PUNSUBSCRIBE [pattern ...]
fn punsubscribe(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let id = ctx.cid();
    let ps = &mut ctx.srv.pubsub;
    let mut out = Vec::new();
    if a.len() == 1 {
        for p in ps.client_patterns(id) {
            ps.punsubscribe(id, &p);
            out.push(confirm("punsubscribe", Some(&p), ps.count(id)));
        }
        if out.is_empty() {
            out.push(confirm("punsubscribe", None, ps.count(id)));
        }
    } else {
        for p in a.from(1).iter() {
            ps.punsubscribe(id, p);
            out.push(confirm("punsubscribe", Some(p), ps.count(id)));
        }
    }
    Ok(Reply::Seq(out))
}

/// PUBLISH channel message
fn publish(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, channel, message, ..] = a.all() else { return Err(error::SYNTAX) };
    Ok(Reply::Int(ctx.srv.pubsub.publish(channel, message, false, Some(Kind::OutPublish))))
}

/// SPUBLISH shardchannel message
fn spublish(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let &[_, channel, message, ..] = a.all() else { return Err(error::SYNTAX) };
    Ok(Reply::Int(ctx.srv.pubsub.publish(channel, message, true, Some(Kind::OutSPublish))))
}

fn channel_list(ctx: &mut Ctx, a: Args, shard: bool) -> Result<Reply> {
    let pat = match *a.all() {
        [_, _, pat] => Some(pat),
        [_, sub, _, _, ..] => return Err(error::unknown_subcommand_or_arity(sub, "pubsub")),
        _ => None,
    };
    let list = ctx.srv.pubsub.channels(pat, shard);
    Ok(Reply::Array(list.iter().map(|c| Reply::bulk(&c[..])).collect()))
}

fn numsub(ctx: &mut Ctx, a: Args, shard: bool) -> Result<Reply> {
    let mut out = Vec::new();
    for ch in a.from(2).iter() {
        out.push(Reply::bulk(*ch));
        out.push(Reply::Int(ctx.srv.pubsub.numsub(ch, shard)));
    }
    Ok(Reply::Array(out))
}

/// PUBSUB CHANNELS [pattern]
fn pubsub_channels(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    channel_list(ctx, a, false)
}

/// PUBSUB SHARDCHANNELS [pattern]
fn pubsub_shardchannels(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    channel_list(ctx, a, true)
}

/// PUBSUB NUMSUB [channel ...]
fn pubsub_numsub(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    numsub(ctx, a, false)
}

/// PUBSUB SHARDNUMSUB [shardchannel ...]
fn pubsub_shardnumsub(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    numsub(ctx, a, true)
}

/// PUBSUB NUMPAT
fn pubsub_numpat(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(Reply::Int(ctx.srv.pubsub.numpat()))
}

/// PUBSUB HELP
fn pubsub_help(_: &mut Ctx, _: Args) -> Result<Reply> {
    const HELP: &[&str] = &[
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.",
    ];
    Ok(Reply::Array(HELP.iter().map(|l| Reply::status(l)).collect()))
}
