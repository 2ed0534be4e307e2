//! Strings and counters. (Being filled in: see issue 2.)

use super::*;

pub(crate) const COMMANDS: &[CommandSpec] = &[
    CommandSpec::new("get", 2, READONLY | FAST, Keys::one(1), "string", get),
    CommandSpec::new("set", -3, WRITE | DENYOOM, Keys::one(1), "string", set),
];

/// GET key
fn get(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    Ok(Reply::opt_bulk(ctx.read_string(&a[1])?))
}

/// SET key value (options: filled in by the strings family)
fn set(ctx: &mut Ctx, a: Args) -> Result<Reply> {
    if a.len() != 3 {
        return err(error::SYNTAX);
    }
    ctx.set_key(&a[1], Value::string(a[2].to_vec()), false);
    Ok(Reply::OK)
}
