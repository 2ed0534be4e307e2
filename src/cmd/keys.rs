//! Keys and TTLs. (Being filled in: see issue 2.)

use super::*;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("del", -2, WRITE, Keys::range(1, -1, 1), "generic", del),
];

/// DEL key [key ...]
fn del(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    let mut n = 0;
    for key in a.from(1) {
        if ctx.delete_key(key) {
            ctx.notify(notify::GENERIC, "del", key);
            n += 1;
        }
    }
    Ok(Reply::Int(n))
}
