//! Server and connection commands. (Being filled in: see issue 2.)

use super::*;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("ping", -1, FAST | SENTINEL, Keys::NONE, "connection", ping),
];

/// PING [message]
fn ping(_: &mut Ctx, a: Args) -> Result<Reply> {
    match a.len() {
        1 => Ok(Reply::status("PONG")),
        2 => Ok(Reply::bulk(&a[1])),
        _ => Err(error::wrong_arity("ping")),
    }
}
