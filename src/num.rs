//! Number parsing and printing with Redis's exact rules.
//!
//! `parse_i64` is Redis's `string2ll`: an optional `-`, no `+`, no leading
//! zeros, no spaces, at most 20 bytes, in range. The same rule decides whether
//! a string value is stored with the `int` encoding.

#![deny(clippy::indexing_slicing)]

/// An optional `+` or `-` at `s[i]` (as C's strto* functions read it): whether it was
/// `-`, and the index after it.
pub fn sign_at(s: &[u8], i: usize) -> (bool, usize) {
    match s.get(i) {
        Some(b'-') => (true, i + 1),
        Some(b'+') => (false, i + 1),
        _ => (false, i),
    }
}

/// Redis's `string2ll`.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s {
        [b'-', digits @ ..] => (true, digits),
        _ => (false, s),
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// `i64` as decimal ASCII bytes.
pub fn fmt_i64(v: i64) -> Vec<u8> {
    v.to_string().into_bytes()
}

/// Redis's `strtod`-based double parsing (`getDoubleFromObject`): the whole
/// string must be a number, no leading space, not NaN, and an overflow to ±inf
/// or underflow to zero is rejected. Accepts `inf`/`infinity`, decimal and
/// C99 hexadecimal forms, as `strtod` does.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(s).ok()?;
    if t.bytes().next().is_none_or(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let (neg, body) = match (t.strip_prefix('-'), t.strip_prefix('+')) {
        (Some(body), _) => (true, body),
        (None, Some(body)) => (false, body),
        _ => (false, t),
    };
    // (no lowercase copy: this runs for every score and coordinate)
    let v = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x")) {
        parse_hex_f64(body.to_ascii_lowercase().get(2..)?)?
    } else {
        // Rust's grammar is strtod's decimal grammar minus signs (handled above)
        // and minus "nan"/"inf" spellings (handled here).
        if !body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
            return None;
        }
        let v: f64 = body.parse().ok()?;
        if v.is_infinite() {
            return None; // ERANGE overflow
        }
        if v == 0.0 && body.bytes().any(|c| (b'1'..=b'9').contains(&c)) {
            // ERANGE underflow to zero: only when the mantissa has a nonzero digit
            let mantissa = body.split(['e', 'E']).next().unwrap_or("");
            if mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c)) {
                return None;
            }
        }
        v
    };
    if v.is_nan() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// The part of a C99 hex float after `0x`: hex digits, optional `.` fraction,
/// optional `p[+-]exp`. Rounded to nearest.
fn parse_hex_f64(s: &str) -> Option<f64> {
    let (mant, exp) = match s.split_once('p') {
        Some((mant, exp)) => (mant, Some(exp)),
        None => (s, None),
    };
    let (int_part, frac_part) = mant.split_once('.').unwrap_or((mant, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut e2: i64 = match exp {
        Some(e) => {
            let (sign, digits) = match (e.strip_prefix('-'), e.strip_prefix('+')) {
                (Some(digits), _) => (-1, digits),
                (None, Some(digits)) => (1, digits),
                _ => (1, e),
            };
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sign * digits.parse::<i64>().unwrap_or(100_000).min(100_000)
        }
        None => 0,
    };
    let mut m: u64 = 0;
    let mut sticky = false;
    for (i, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let d = c.to_digit(16)? as u64;
        if i >= int_part.len() {
            e2 -= 4;
        }
        if m >> 58 == 0 {
            m = (m << 4) | d;
        } else {
            // too many digits: remember the lost bits; a dropped integer digit
            // scales by 16, a dropped fraction digit undoes its `e2 -= 4`
            e2 += 4;
            sticky |= d != 0;
        }
    }
    if m == 0 {
        return Some(0.0);
    }
    if sticky {
        m |= 1;
    }
    // m * 2^e2, with correct rounding via f64 arithmetic on a 53-bit mantissa
    let lz = m.leading_zeros() as i64;
    let shift = 64 - lz - 53;
    let (mut mant53, mut e) = if shift > 0 {
        let rem = m & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        let mut q = m >> shift;
        if rem > half || (rem == half && q & 1 == 1) {
            q += 1;
        }
        (q, e2 + shift)
    } else {
        (m, e2)
    };
    if mant53 >> 53 != 0 {
        mant53 >>= 1;
        e += 1;
    }
    let v = (mant53 as f64) * 2f64.powi(e.clamp(-1100, 1100) as i32);
    if v.is_infinite() || v == 0.0 {
        return None;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string2ll_rules() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [&b""[..], b"-0", b"01", b"+1", b" 1", b"1 ", b"9223372036854775808", b"-", b"1a", b"00"] {
            assert_eq!(parse_i64(bad), None, "{:?}", bad);
        }
    }

    #[test]
    fn strtod_rules() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"+.5"), Some(0.5));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"0x1p-2"), Some(0.25));
        assert_eq!(parse_f64(b"1e400"), None);
        assert_eq!(parse_f64(b"1e-400"), None);
        assert_eq!(parse_f64(b"0e-400"), Some(0.0));
        assert_eq!(parse_f64(b"nan"), None);
        assert_eq!(parse_f64(b" 1"), None);
        assert_eq!(parse_f64(b""), None);
    }
}
