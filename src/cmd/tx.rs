//! Transactions: MULTI EXEC DISCARD WATCH UNWATCH.
//!
//! The queueing itself is in `Server::dispatch` (commands flagged TX_CONTROL
//! run at once inside MULTI; everything else answers QUEUED). The rules are
//! Redis's: an unknown command or wrong arity while queueing makes EXEC answer
//! EXECABORT; errors at run time stay inside the EXEC array; a WATCHed key
//! touched by anyone (this client included) makes EXEC answer a nil array.

use super::*;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("multi", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | TX_CONTROL, Keys::NONE, "transactions", multi),
    CommandSpec::new("exec", 1, NOSCRIPT | LOADING | STALE | SENTINEL | TX_CONTROL, Keys::NONE, "transactions", exec),
    CommandSpec::new("discard", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | TX_CONTROL, Keys::NONE, "transactions", discard),
    CommandSpec::new("watch", -2, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY | TX_CONTROL, Keys::range(1, -1, 1), "transactions", watch),
    CommandSpec::new("unwatch", 1, NOSCRIPT | LOADING | STALE | FAST | ALLOW_BUSY, Keys::NONE, "transactions", unwatch),
];

/// MULTI
fn multi(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    ctx.srv.multi(ctx.client)
}

/// EXEC
fn exec(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    let now = ctx.now;
    ctx.srv.exec(ctx.client, now)
}

/// DISCARD
fn discard(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    ctx.srv.discard(ctx.client)
}

/// WATCH key [key ...]
fn watch(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let now = ctx.now;
    ctx.srv.watch(ctx.client, a.from(1), now)
}

/// UNWATCH
fn unwatch(ctx: &mut Ctx, _: Args) -> Result<Reply> {
    Ok(ctx.srv.unwatch(ctx.client))
}
