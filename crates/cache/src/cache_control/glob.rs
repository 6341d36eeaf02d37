//! Path globs for [`Rule::path`](super::Rule::path).
//!
//! A glob compiles to a small NFA (one state per pattern character, four for
//! `/**/`) that is simulated over the path with a bitset of live states, so
//! matching costs at most `path chars x pattern states` steps and never
//! backtracks, whatever the path a client sends.

use smallvec::SmallVec;
use tackle_http::ParseError;

/// The longest pattern accepted, in bytes: patterns come from configuration,
/// and the bound keeps the per-request state set small.
pub(crate) const MAX_GLOB_LEN: usize = 1024;

/// What one consuming transition accepts.
#[derive(Clone, Copy, Debug)]
enum Class {
    Char(char),
    /// Any character but `/`: `?` and `*`.
    NotSlash,
    /// Any character: `**`.
    Any,
}

impl Class {
    fn accepts(self, c: char) -> bool {
        match self {
            Class::Char(want) => c == want,
            Class::NotSlash => c != '/',
            Class::Any => true,
        }
    }
}

/// An NFA state: at most one consuming transition and two epsilon moves,
/// which always point forward (so one ascending pass computes the closure).
#[derive(Clone, Copy, Debug)]
struct State {
    consume: Option<(Class, u16)>,
    eps: [Option<u16>; 2],
}

/// A pattern token before NFA construction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Token {
    Lit(char),
    One,
    Star,
    DoubleStar,
}

/// A compiled path glob.
#[derive(Clone)]
pub(crate) struct Glob {
    source: Box<str>,
    /// Starts with `/`: matched against the whole path. Otherwise matched
    /// against the last segment (the file name), like `.gitignore`.
    anchored: bool,
    /// Literal text every match starts and ends with: cheap early rejects.
    prefix: Box<str>,
    suffix: Box<str>,
    /// The pattern has no wildcard at all: a plain comparison.
    literal: bool,
    states: Box<[State]>,
}

impl std::fmt::Debug for Glob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Glob").field(&self.source).finish()
    }
}

/// Live NFA states; 256 states stay inline, so matching allocates nothing
/// for any realistic pattern.
type StateSet = SmallVec<[u64; 4]>;

fn invalid(reason: &'static str) -> ParseError {
    ParseError::invalid("path glob", reason)
}

impl Glob {
    /// Compiles `pattern`; see [`Rule::path`](super::Rule::path) for the syntax.
    pub(crate) fn new(pattern: &str) -> Result<Glob, ParseError> {
        if pattern.is_empty() {
            return Err(invalid("empty pattern"));
        }
        if pattern.len() > MAX_GLOB_LEN {
            return Err(invalid("pattern over 1024 bytes"));
        }
        if pattern.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(invalid(
                "whitespace or control character (never in a request path)",
            ));
        }
        let anchored = pattern.starts_with('/');
        if !anchored && pattern.contains('/') {
            return Err(invalid(
                "a pattern without a leading `/` matches the file name and cannot contain `/` \
                 (write `/**/dir/name` to match at any depth)",
            ));
        }
        let tokens = tokenize(pattern);
        let literal = tokens.iter().all(|t| matches!(t, Token::Lit(_)));
        let prefix: String = tokens
            .iter()
            .map_while(|t| match t {
                Token::Lit(c) => Some(*c),
                _ => None,
            })
            .collect();
        let mut suffix: Vec<char> = tokens
            .iter()
            .rev()
            .map_while(|t| match t {
                Token::Lit(c) => Some(*c),
                _ => None,
            })
            .collect();
        suffix.reverse();
        let states = build(&tokens)?;
        Ok(Glob {
            source: pattern.into(),
            anchored,
            prefix: prefix.into(),
            suffix: suffix.into_iter().collect::<String>().into(),
            literal,
            states: states.into(),
        })
    }

    /// The pattern as written.
    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the glob matches this request path (percent-encoded, as
    /// received, without the query).
    pub(crate) fn matches(&self, path: &str) -> bool {
        let subject = if self.anchored {
            path
        } else {
            path.rsplit('/').next().unwrap_or(path)
        };
        if self.literal {
            return subject == &*self.source;
        }
        if !subject.starts_with(&*self.prefix) || !subject.ends_with(&*self.suffix) {
            return false;
        }
        self.run(subject)
    }

    fn run(&self, subject: &str) -> bool {
        let accept = self.states.len();
        let words = accept / 64 + 1;
        let mut current: StateSet = SmallVec::from_elem(0, words);
        let mut next: StateSet = SmallVec::from_elem(0, words);
        set(&mut current, 0);
        self.close(&mut current);
        for c in subject.chars() {
            next.iter_mut().for_each(|w| *w = 0);
            let mut any = false;
            for (word_index, &word) in current.iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    let s = word_index * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let consume = self.states.get(s).and_then(|state| state.consume);
                    if let Some((_, to)) = consume.filter(|(class, _)| class.accepts(c)) {
                        set(&mut next, usize::from(to));
                        any = true;
                    }
                }
            }
            if !any {
                return false;
            }
            self.close(&mut next);
            std::mem::swap(&mut current, &mut next);
        }
        get(&current, accept)
    }

    /// Adds the states reachable by epsilon moves. They only point forward,
    /// so one ascending pass suffices.
    fn close(&self, set_: &mut StateSet) {
        for (s, state) in self.states.iter().enumerate() {
            if get(set_, s) {
                for to in state.eps.iter().flatten() {
                    set(set_, usize::from(*to));
                }
            }
        }
    }
}

fn set(bits: &mut StateSet, i: usize) {
    if let Some(word) = bits.get_mut(i / 64) {
        *word |= 1 << (i % 64);
    }
}

fn get(bits: &StateSet, i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '?' => Token::One,
            '*' => {
                let mut run = 1;
                while chars.next_if_eq(&'*').is_some() {
                    run += 1;
                }
                if run == 1 {
                    Token::Star
                } else {
                    Token::DoubleStar
                }
            }
            c => Token::Lit(c),
        });
    }
    tokens
}

fn build(tokens: &[Token]) -> Result<Vec<State>, ParseError> {
    let mut states: Vec<State> = Vec::with_capacity(tokens.len() + 4);
    let index = |n: usize| u16::try_from(n).map_err(|_| invalid("pattern too long"));
    let consume = |class, to| State {
        consume: Some((class, to)),
        eps: [None, None],
    };
    let mut i = 0;
    while i < tokens.len() {
        let s = states.len();
        let slash_run = tokens.get(i..i + 3)
            == Some(&[Token::Lit('/'), Token::DoubleStar, Token::Lit('/')][..]);
        if slash_run {
            // `/**/` is `/` or `/.../`: a lone `/` included, so `/**/x`
            // also matches `/x`.
            states.push(consume(Class::Char('/'), index(s + 1)?));
            states.push(State {
                consume: None,
                eps: [Some(index(s + 2)?), Some(index(s + 4)?)],
            });
            states.push(State {
                consume: Some((Class::Any, index(s + 2)?)),
                eps: [Some(index(s + 3)?), None],
            });
            states.push(consume(Class::Char('/'), index(s + 4)?));
            i += 3;
            // `/**/**/` says no more than `/**/`.
            while tokens.get(i..i + 2) == Some(&[Token::DoubleStar, Token::Lit('/')][..]) {
                i += 2;
            }
            continue;
        }
        states.push(match tokens[i] {
            Token::Lit(c) => consume(Class::Char(c), index(s + 1)?),
            Token::One => consume(Class::NotSlash, index(s + 1)?),
            Token::Star => State {
                consume: Some((Class::NotSlash, index(s)?)),
                eps: [Some(index(s + 1)?), None],
            },
            Token::DoubleStar => State {
                consume: Some((Class::Any, index(s)?)),
                eps: [Some(index(s + 1)?), None],
            },
        });
        i += 1;
    }
    index(states.len())?;
    Ok(states)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backtracking reference matcher, exponential but obviously right,
    /// for short inputs.
    fn reference(pattern: &[char], path: &[char]) -> bool {
        match pattern {
            [] => path.is_empty(),
            ['/', '*', '*', '/', rest @ ..] => {
                let mut rest = rest;
                while let ['*', '*', '/', tail @ ..] = rest {
                    rest = tail;
                }
                let Some(('/', after)) = path.split_first() else {
                    return false;
                };
                // `/` alone, or `/` + anything + `/`.
                reference(rest, after)
                    || (0..after.len()).any(|k| after[k] == '/' && reference(rest, &after[k + 1..]))
            }
            ['*', '*', rest @ ..] => {
                let rest = skip_stars(rest);
                (0..=path.len()).any(|k| reference(rest, &path[k..]))
            }
            ['*', rest @ ..] => (0..=path.len())
                .take_while(|&k| k == 0 || path[k - 1] != '/')
                .any(|k| reference(rest, &path[k..])),
            ['?', rest @ ..] => {
                matches!(path.split_first(), Some((c, tail)) if *c != '/' && reference(rest, tail))
            }
            [c, rest @ ..] => {
                matches!(path.split_first(), Some((p, tail)) if p == c && reference(rest, tail))
            }
        }
    }

    /// Runs of three or more stars mean `**`.
    fn normalize(pattern: &str) -> Vec<char> {
        let mut out: Vec<char> = Vec::new();
        for c in pattern.chars() {
            if c == '*' && out.ends_with(&['*', '*']) {
                continue;
            }
            out.push(c);
        }
        out
    }

    fn skip_stars(mut p: &[char]) -> &[char] {
        while let ['*', rest @ ..] = p {
            p = rest;
        }
        p
    }

    #[test]
    fn agrees_with_reference_on_small_cases() {
        let patterns = [
            "/a/*/c",
            "/a/**",
            "/**/c",
            "/a/**/c",
            "/a?c",
            "/*",
            "/**",
            "/a*b*c",
            "/**a**b",
            "/a/**/**/c",
            "/x**/y",
            "/?/*",
            "/a**",
            "/***/c",
            "/a/***",
        ];
        let paths = [
            "/", "/a", "/a/", "/a/c", "/a/b/c", "/a/b/x/c", "/abc", "/ac", "/a/b", "//c", "/c",
            "/xy/y", "/x/y", "/aXbYc", "/a/b/", "/b/a/b",
        ];
        for pattern in patterns {
            let glob = Glob::new(pattern).unwrap();
            let p = normalize(pattern);
            for path in paths {
                let s: Vec<char> = path.chars().collect();
                assert_eq!(glob.matches(path), reference(&p, &s), "{pattern} vs {path}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_reference(pattern in "/[ab/*?]{0,10}", path in "[ab/]{0,12}") {
            let glob = Glob::new(&pattern).unwrap();
            let p = normalize(&pattern);
            let s: Vec<char> = path.chars().collect();
            proptest::prop_assert_eq!(glob.matches(&path), reference(&p, &s));
        }

        #[test]
        fn file_name_patterns_agree_with_reference(pattern in "[ab.*?]{1,8}", path in "[ab./]{0,12}") {
            let glob = Glob::new(&pattern).unwrap();
            let p = normalize(&pattern);
            let name: Vec<char> = path.rsplit('/').next().unwrap_or("").chars().collect();
            proptest::prop_assert_eq!(glob.matches(&path), reference(&p, &name));
        }
    }

    #[test]
    fn double_star_slash_collapses() {
        let glob = Glob::new("/**/**/x").unwrap();
        assert!(glob.matches("/x"));
        assert!(glob.matches("/a/x"));
        assert!(glob.matches("/a/b/x"));
        assert!(!glob.matches("/ax"));
    }

    #[test]
    fn invalid_patterns() {
        for bad in ["", "a/b", "**/x.js", "/a b", "/a\n", &"a".repeat(2000)] {
            assert!(Glob::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn many_states_spill_without_panicking() {
        let pattern = format!("/{}", "?*".repeat(300));
        let glob = Glob::new(&pattern).unwrap();
        assert!(glob.matches(&format!("/{}", "a".repeat(300))));
        assert!(!glob.matches(&format!("/{}", "a".repeat(299))));
    }
}
