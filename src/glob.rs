//! Glob matching with the exact semantics of Redis's `stringmatchlen`
//! (KEYS, SCAN MATCH, and later PSUBSCRIBE), without its recursion.
//!
//! The pattern is first cut into tokens (`*`, `?`, a class `[...]`, a literal,
//! with `\x` escapes), each of which but `*` matches exactly one byte. Matching
//! is then the classic two-pointer walk that only backtracks to the last `*`,
//! so time is O(pattern × string) and stack use is constant whatever the
//! pattern (`*a*a*a*...b` cannot blow up). Class parsing follows Redis to the
//! byte, including its quirks: an unterminated `[` takes the rest of the
//! pattern as the class, a trailing `\` is a literal backslash, ranges compare
//! bytes as C's signed `char`, and `[z-a]` is the same as `[a-z]`.

#![deny(clippy::indexing_slicing)]

#[derive(Debug)]
enum Tok {
    Star,
    Any,
    Lit(u8),
    Class { neg: bool, items: Vec<ClassItem> },
}

#[derive(Debug)]
enum ClassItem {
    Byte(u8),
    Range(i8, i8),
}

fn tokenize(p: &[u8]) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut rest = p;
    while let [c, tail @ ..] = rest {
        rest = tail;
        match c {
            b'*' => {
                if !matches!(toks.last(), Some(Tok::Star)) {
                    toks.push(Tok::Star);
                }
            }
            b'?' => toks.push(Tok::Any),
            b'\\' => match rest {
                [e, tail @ ..] => {
                    toks.push(Tok::Lit(*e));
                    rest = tail;
                }
                [] => toks.push(Tok::Lit(b'\\')),
            },
            b'[' => {
                let neg = if let [b'^', tail @ ..] = rest {
                    rest = tail;
                    true
                } else {
                    false
                };
                let mut items = Vec::new();
                loop {
                    match rest {
                        [] => break, // unterminated: the class runs to the end
                        [b'\\', e, tail @ ..] => {
                            items.push(ClassItem::Byte(*e));
                            rest = tail;
                        }
                        [b']', tail @ ..] => {
                            rest = tail;
                            break;
                        }
                        [a, b'-', b, tail @ ..] => {
                            let (a, b) = (*a as i8, *b as i8);
                            items.push(ClassItem::Range(a.min(b), a.max(b)));
                            rest = tail;
                        }
                        [b, tail @ ..] => {
                            items.push(ClassItem::Byte(*b));
                            rest = tail;
                        }
                    }
                }
                toks.push(Tok::Class { neg, items });
            }
            &c => toks.push(Tok::Lit(c)),
        }
    }
    toks
}

fn one(tok: &Tok, c: u8) -> bool {
    match tok {
        Tok::Star => true,
        Tok::Any => true,
        Tok::Lit(l) => *l == c,
        Tok::Class { neg, items } => {
            let sc = c as i8;
            let hit = items.iter().any(|it| match *it {
                ClassItem::Byte(b) => b == c,
                ClassItem::Range(lo, hi) => sc >= lo && sc <= hi,
            });
            hit != *neg
        }
    }
}

/// A compiled pattern; compile once, match many keys.
pub struct Pattern {
    toks: Vec<Tok>,
    match_all: bool,
}

impl Pattern {
    pub fn new(pattern: &[u8]) -> Pattern {
        let toks = tokenize(pattern);
        let match_all = matches!(toks.as_slice(), [Tok::Star]);
        Pattern { toks, match_all }
    }

    /// True when the pattern is `*` (or `**...`), so callers can skip matching.
    pub fn matches_everything(&self) -> bool {
        self.match_all
    }

    pub fn matches(&self, s: &[u8]) -> bool {
        if self.match_all {
            return true;
        }
        let t = &self.toks;
        let (mut ti, mut si) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while let Some(&c) = s.get(si) {
            match t.get(ti) {
                Some(Tok::Star) => {
                    star = Some((ti, si));
                    ti += 1;
                }
                Some(tok) if one(tok, c) => {
                    ti += 1;
                    si += 1;
                }
                _ => match star {
                    Some((st, ss)) => {
                        ti = st + 1;
                        si = ss + 1;
                        star = Some((st, ss + 1));
                    }
                    None => return false,
                },
            }
        }
        // The string is used up: only stars may remain.
        t.iter().skip(ti).all(|x| matches!(x, Tok::Star))
    }
}

/// One-shot convenience.
pub fn glob_match(pattern: &[u8], s: &[u8]) -> bool {
    Pattern::new(pattern).matches(s)
}

#[cfg(test)]
mod tests {
    use super::glob_match as m;

    #[test]
    fn basics() {
        assert!(m(b"*", b""));
        assert!(m(b"h?llo", b"hello"));
        assert!(m(b"h*llo", b"heeeello"));
        assert!(m(b"h[ae]llo", b"hallo"));
        assert!(!m(b"h[^e]llo", b"hello"));
        assert!(m(b"h[a-b]llo", b"hbllo"));
        assert!(m(b"h[b-a]llo", b"hallo"));
        assert!(m(b"a\\*", b"a*"));
        assert!(!m(b"a\\*", b"ab"));
        assert!(m(b"ab\\", b"ab\\"));
        assert!(m(b"a[bc", b"ab"));
        assert!(m(b"a[bc", b"ac"));
        assert!(!m(b"a[", b"a"));
        assert!(m(b"a*", b"a"));
        assert!(!m(b"a*b", b"a"));
        assert!(m(b"*a*", b"bab"));
        assert!(!m(b"[]", b"]"));
        assert!(!m(b"", b"a"));
        assert!(m(b"", b""));
    }

    #[test]
    fn pathological_is_fast() {
        let p = b"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        let s = vec![b'a'; 10_000];
        assert!(!m(p, &s));
    }
}
