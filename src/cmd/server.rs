//! Server and connection commands. (Being filled in: see issue 2.)

use super::*;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST | SENTINEL, Keys::NONE, "connection", ping),
    CommandSpec::new("select", 2, LOADING | STALE | FAST, Keys::NONE, "connection", select),
];

/// PING [message]
fn ping(_: &mut Ctx, a: Args) -> Result<Reply> {
    match a.len() {
        1 => Ok(Reply::status("PONG")),
        2 => Ok(Reply::bulk(&a[1])),
        _ => Err(error::wrong_arity("ping")),
    }
}

/// SELECT index
fn select(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let Some(i) = num::parse_i64(&a[1]) else {
        return Err(error::NOT_INTEGER);
    };
    if i < 0 || i >= ctx.srv.dbs.len() as i64 {
        return Err(error::DB_INDEX_OUT_OF_RANGE);
    }
    ctx.client.db = i as usize;
    Ok(Reply::OK)
}
