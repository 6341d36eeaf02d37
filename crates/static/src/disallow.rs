//! Paths that are served as if they were absent.
//!
//! A small, gitignore-like pattern language, matched against the decoded
//! path relative to the served root. Matching never backtracks
//! exponentially: one segment is matched by a two-pointer star matcher, and
//! `**` across segments by a set of pattern positions advanced once per path
//! segment, so a check costs at most (segments × pattern segments × segment
//! length).

use std::fmt;

/// The most `/`-separated segments an anchored pattern may have, so that the
/// positions it can be at fit in one `u64`.
const MAX_PATTERN_SEGMENTS: usize = 63;

/// Patterns of paths that are served as if absent: the response is a 404,
/// never a 403, so a client learns nothing about what exists.
///
/// Patterns are matched against the decoded, `/`-separated path relative to
/// the served root, case-sensitively:
///
/// - A pattern without `/` matches any single segment at any depth: `.*`
///   (every dotfile and dot-directory), `*.map`, `Thumbs.db`.
/// - A pattern with a `/` is anchored at the root and matched segment by
///   segment against the path from its start: `drafts/*.md`, `private/**`,
///   `/robots.txt` (a leading `/` only anchors, and so does a trailing one:
///   `build/` is `build`).
/// - `*` matches any run of characters within one segment, `?` exactly one
///   character, and a segment that is exactly `**` any number of whole
///   segments, none included (`a/**/b` matches `a/b` and `a/x/y/b`;
///   `private/**` also hides `private` itself). Every other character,
///   `[` and `]` included, matches itself.
/// - When a pattern matches a directory, everything under it is disallowed
///   too: `.git` hides `.git/config`, `drafts` hides `drafts/a/b.md`.
/// - The root itself is never disallowed.
///
/// The default of the static file service is [`Disallow::dotfiles`].
///
/// ```
/// # use tackle_static::Disallow;
/// let mut disallow = Disallow::dotfiles();
/// disallow.try_add("*.map").unwrap();
/// disallow.try_add("private/**").unwrap();
///
/// assert!(disallow.is_disallowed(".git/config"));
/// assert!(disallow.is_disallowed("assets/app.js.map"));
/// assert!(disallow.is_disallowed("private/keys/id.pem"));
/// assert!(!disallow.is_disallowed("assets/app.js"));
/// assert!(!disallow.is_disallowed("public/private/x"));
/// assert!(disallow.try_add("").is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Disallow {
    /// Patterns without `/`: each is tried on every segment of the path.
    any_segment: Vec<Glob>,
    /// Patterns with `/`: matched from the root.
    anchored: Vec<Vec<Part>>,
}

impl Disallow {
    /// Nothing is disallowed.
    pub fn none() -> Self {
        Self::default()
    }

    /// The default: `.*`, every path with a segment that starts with `.`
    /// (`.env`, `.git/config`, `a/.htaccess`).
    ///
    /// This also hides `.well-known`; to serve it, start from
    /// [`Disallow::none`] and add the patterns wanted.
    pub fn dotfiles() -> Self {
        let mut disallow = Self::none();
        disallow.any_segment.push(Glob::Prefix(".".into()));
        disallow
    }

    /// Adds a pattern, or says why it is not one: it is empty, starts or
    /// ends with whitespace, has a control character or a backslash, has an
    /// empty, `.` or `..` segment, or more than 63 segments.
    pub fn try_add(&mut self, pattern: &str) -> Result<(), DisallowError> {
        let error = |reason| DisallowError {
            pattern: pattern.to_owned(),
            reason,
        };
        if pattern.is_empty() {
            return Err(error(Reason::Empty));
        }
        if pattern.starts_with(char::is_whitespace) || pattern.ends_with(char::is_whitespace) {
            return Err(error(Reason::Whitespace));
        }
        if pattern.chars().any(char::is_control) {
            return Err(error(Reason::Control));
        }
        if pattern.contains('\\') {
            return Err(error(Reason::Backslash));
        }
        if !pattern.contains('/') {
            self.any_segment.push(Glob::new(pattern));
            return Ok(());
        }
        let trimmed = pattern.strip_prefix('/').unwrap_or(pattern);
        let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
        if trimmed.is_empty() {
            return Err(error(Reason::Empty));
        }
        let mut parts = Vec::new();
        for segment in trimmed.split('/') {
            match segment {
                "" => return Err(error(Reason::EmptySegment)),
                "." | ".." => return Err(error(Reason::DotSegment)),
                "**" => {
                    // `a/**/**/b` is `a/**/b`.
                    if !matches!(parts.last(), Some(Part::AnySegments)) {
                        parts.push(Part::AnySegments);
                    }
                }
                _ => parts.push(Part::Segment(Glob::new(segment))),
            }
        }
        if parts.len() > MAX_PATTERN_SEGMENTS {
            return Err(error(Reason::TooManySegments));
        }
        self.anchored.push(parts);
        Ok(())
    }

    /// Whether `relative` is disallowed: the decoded, `/`-separated path
    /// relative to the root, without a leading `/` (one is ignored), and
    /// with or without a trailing `/`. `""` is the root, which never is.
    pub fn is_disallowed(&self, relative: &str) -> bool {
        let relative = relative.strip_prefix('/').unwrap_or(relative);
        let relative = relative.strip_suffix('/').unwrap_or(relative);
        if relative.is_empty() {
            return false;
        }
        if !self.any_segment.is_empty()
            && relative
                .split('/')
                .any(|segment| self.any_segment.iter().any(|glob| glob.matches(segment)))
        {
            return true;
        }
        self.anchored
            .iter()
            .any(|parts| prefix_matches(parts, relative))
    }
}

/// Whether `parts` matches the first one or more segments of `relative`
/// (a match of a directory covers everything under it).
///
/// `positions` holds, as bits, the pattern positions reachable after the
/// segments consumed so far; a `**` at position `i` keeps `i` (it takes one
/// more segment) and reaches `i + 1` (it takes no more).
fn prefix_matches(parts: &[Part], relative: &str) -> bool {
    let end = parts.len();
    let close = |mut positions: u64| {
        for (i, part) in parts.iter().enumerate() {
            if positions & (1 << i) != 0 && matches!(part, Part::AnySegments) {
                positions |= 1 << (i + 1);
            }
        }
        positions
    };
    let mut positions = close(1);
    for segment in relative.split('/') {
        let mut next = 0;
        for (i, part) in parts.iter().enumerate() {
            if positions & (1 << i) == 0 {
                continue;
            }
            match part {
                Part::AnySegments => next |= 1 << i,
                Part::Segment(glob) if glob.matches(segment) => next |= 1 << (i + 1),
                Part::Segment(_) => {}
            }
        }
        positions = close(next);
        if positions & (1 << end) != 0 {
            return true;
        }
        if positions == 0 {
            return false;
        }
    }
    false
}

/// One `/`-separated part of an anchored pattern.
#[derive(Clone, Debug)]
enum Part {
    /// `**`: any number of whole segments.
    AnySegments,
    /// Exactly one segment matching the glob.
    Segment(Glob),
}

/// A pattern for one segment, with the common shapes kept apart so that
/// they cost a comparison rather than a match.
#[derive(Clone, Debug)]
enum Glob {
    /// `*` (or `**`): any segment.
    Any,
    /// No wildcard: this exact text.
    Exact(Box<str>),
    /// `text*`.
    Prefix(Box<str>),
    /// `*text`.
    Suffix(Box<str>),
    /// Anything else with `*` or `?`.
    Wildcard(Box<str>),
}

impl Glob {
    fn new(pattern: &str) -> Glob {
        let is_wild = |c| c == '*' || c == '?';
        if pattern.chars().all(|c| c == '*') {
            return Glob::Any;
        }
        if !pattern.contains(is_wild) {
            return Glob::Exact(pattern.into());
        }
        if let Some(prefix) = pattern.strip_suffix('*').filter(|p| !p.contains(is_wild)) {
            return Glob::Prefix(prefix.into());
        }
        if let Some(suffix) = pattern.strip_prefix('*').filter(|s| !s.contains(is_wild)) {
            return Glob::Suffix(suffix.into());
        }
        Glob::Wildcard(pattern.into())
    }

    fn matches(&self, segment: &str) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(text) => segment == &**text,
            Glob::Prefix(text) => segment.starts_with(&**text),
            Glob::Suffix(text) => segment.ends_with(&**text),
            Glob::Wildcard(pattern) => wildcard_matches(pattern.as_bytes(), segment.as_bytes()),
        }
    }
}

/// `*` and `?` matching of one segment, on the UTF-8 bytes of both (`?`
/// and a `*` that grows take one whole character). The classic two-pointer
/// method: on a mismatch, return to the last `*` and let it take one more
/// character; earlier stars never need revisiting, so the cost is at most
/// pattern length × text length.
fn wildcard_matches(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    // Where the last `*` was, and where in the text it stopped taking.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(b'?') => {
                p += 1;
                t += char_len(text[t]);
                continue;
            }
            Some(&b) if b == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        let Some((star_p, star_t)) = star else {
            return false;
        };
        let taken = star_t + char_len(text[star_t]);
        star = Some((star_p, taken));
        p = star_p + 1;
        t = taken;
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// The length of the UTF-8 character that starts with `first`.
fn char_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Why a disallow pattern was refused by [`Disallow::try_add`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisallowError {
    pattern: String,
    reason: Reason,
}

impl DisallowError {
    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    Empty,
    Whitespace,
    Control,
    Backslash,
    EmptySegment,
    DotSegment,
    TooManySegments,
}

impl fmt::Display for DisallowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = match self.reason {
            Reason::Empty => "it is empty",
            Reason::Whitespace => "it starts or ends with whitespace",
            Reason::Control => "it has a control character",
            Reason::Backslash => "it has a backslash (separate segments with '/')",
            Reason::EmptySegment => "it has an empty segment ('//')",
            Reason::DotSegment => "it has a '.' or '..' segment, which no served path has",
            Reason::TooManySegments => "it has more than 63 segments",
        };
        write!(
            f,
            "disallow pattern {:?} is refused: {reason}",
            self.pattern
        )
    }
}

impl std::error::Error for DisallowError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(patterns: &[&str]) -> Disallow {
        let mut disallow = Disallow::none();
        for pattern in patterns {
            disallow.try_add(pattern).unwrap();
        }
        disallow
    }

    #[test]
    fn table() {
        let cases: &[(&str, &str, bool)] = &[
            // Dotfiles and dot-directories at any depth.
            (".*", ".env", true),
            (".*", ".git/config", true),
            (".*", "a/b/.htaccess", true),
            (".*", "a/.hidden/b.txt", true),
            (".*", ".well-known/acme-challenge/x", true),
            (".*", "a/.git/", true),
            (".*", "a.b/c", false),
            (".*", "index.html", false),
            (".*", "a/b..c", false),
            (".*", "", false),
            // One-segment patterns match any segment, directory or file.
            ("*.map", "app.js.map", true),
            ("*.map", "assets/js/app.js.map", true),
            ("*.map", "maps.map/x.js", true),
            ("*.map", "app.js", false),
            ("*.map", "map", false),
            ("*.map", ".map", true),
            ("Thumbs.db", "photos/2024/Thumbs.db", true),
            ("Thumbs.db", "thumbs.db", false),
            ("Thumbs.db", "Thumbs.db.bak", false),
            (".git", ".git", true),
            (".git", ".git/", true),
            (".git", ".git/config", true),
            (".git", "sub/.git/objects/ab", true),
            (".git", ".gitignore", false),
            ("node_modules", "a/node_modules/x/y.js", true),
            ("secret*", "secret.txt", true),
            ("secret*", "secrets/a", true),
            ("secret*", "a/secret", true),
            ("secret*", "topsecret", false),
            ("*", "anything/at/all", true),
            ("*", "", false),
            // `?` is one character, including a multi-byte one.
            ("?.txt", "a.txt", true),
            ("?.txt", "ü.txt", true),
            ("?.txt", "日.txt", true),
            ("?.txt", "ab.txt", false),
            ("?.txt", ".txt", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            // General wildcards within a segment.
            ("*.min.*", "app.min.js", true),
            ("*.min.*", "app.js", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "abc", true),
            ("a*b*c", "aXXbYY", false),
            ("a*b*c", "acb", false),
            ("*ü*", "grün.txt", true),
            ("*ü*", "gruen.txt", false),
            ("*?", "x", true),
            ("*?", "", false),
            ("[ab]", "[ab]", true),
            ("[ab]", "a", false),
            // Anchored patterns.
            ("drafts/*.md", "drafts/a.md", true),
            ("drafts/*.md", "drafts/a.md/x", true),
            ("drafts/*.md", "drafts/a.txt", false),
            ("drafts/*.md", "drafts/sub/a.md", false),
            ("drafts/*.md", "x/drafts/a.md", false),
            ("drafts/*.md", "drafts", false),
            ("drafts/*.md", "drafts/", false),
            ("private/**", "private", true),
            ("private/**", "private/", true),
            ("private/**", "private/a", true),
            ("private/**", "private/a/b/c.pem", true),
            ("private/**", "privately/a", false),
            ("private/**", "public/private/a", false),
            ("/robots.txt", "robots.txt", true),
            ("/robots.txt", "a/robots.txt", false),
            ("build/", "build", true),
            ("build/", "build/app.js", true),
            ("build/", "a/build/app.js", false),
            ("a/b", "a/b", true),
            ("a/b", "a/b/c", true),
            ("a/b", "a", false),
            ("a/b", "a/bc", false),
            ("a/b", "b/a/b", false),
            ("a/**/b", "a/b", true),
            ("a/**/b", "a/x/b", true),
            ("a/**/b", "a/x/y/z/b", true),
            ("a/**/b", "a/x/y/z/b/c", true),
            ("a/**/b", "a/x/y/z", false),
            ("a/**/b", "x/a/b", false),
            ("**/*.bak", "x.bak", true),
            ("**/*.bak", "a/b/c/x.bak", true),
            ("**/*.bak", "a/b/c/x.bak2", false),
            ("**/secret/**", "secret", true),
            ("**/secret/**", "a/b/secret/c", true),
            ("**/secret/**", "a/b/secrets/c", false),
            ("/**", "", false),
            ("/**", "x", true),
            ("src/*/test?/**", "src/mod/test1/a/b", true),
            ("src/*/test?/**", "src/mod/test12/a", false),
            ("a/**/**/b", "a/b", true),
            // `**` not alone in a segment is `*`.
            ("a/x**/b", "a/xyz/b", true),
            ("a/x**/b", "a/x/y/b", false),
            // Case-sensitive.
            ("*.MAP", "app.map", false),
            ("Private/**", "private/a", false),
        ];
        for &(pattern, path, want) in cases {
            let disallow = with(&[pattern]);
            assert_eq!(
                disallow.is_disallowed(path),
                want,
                "pattern {pattern:?}, path {path:?}"
            );
        }
        assert!(cases.len() >= 60);
    }

    #[test]
    fn dotfiles_is_dot_star() {
        let dotfiles = Disallow::dotfiles();
        let star = with(&[".*"]);
        for path in [".env", "a/.b/c", "a/b", "", "a.b", "..a/b", "a/b/."] {
            assert_eq!(
                dotfiles.is_disallowed(path),
                star.is_disallowed(path),
                "{path:?}"
            );
        }
        assert!(!Disallow::none().is_disallowed(".env"));
    }

    #[test]
    fn several_patterns_any_matches() {
        let mut disallow = Disallow::dotfiles();
        disallow.try_add("*.map").unwrap();
        disallow.try_add("private/**").unwrap();
        assert!(disallow.is_disallowed(".env"));
        assert!(disallow.is_disallowed("a/b.map"));
        assert!(disallow.is_disallowed("private/x"));
        assert!(!disallow.is_disallowed("public/x.js"));
        assert!(!disallow.is_disallowed("/public/x.js"));
        assert!(disallow.is_disallowed("/.env"));
    }

    #[test]
    fn refused_patterns() {
        let cases: &[(&str, Reason)] = &[
            ("", Reason::Empty),
            ("/", Reason::Empty),
            ("//", Reason::Empty),
            ("///", Reason::EmptySegment),
            (" ", Reason::Whitespace),
            (" *.map", Reason::Whitespace),
            ("*.map ", Reason::Whitespace),
            ("*.map\n", Reason::Whitespace),
            ("\t", Reason::Whitespace),
            ("a\u{0}b", Reason::Control),
            ("a\u{7f}", Reason::Control),
            ("a\u{85}b", Reason::Control),
            ("a\\b", Reason::Backslash),
            ("a//b", Reason::EmptySegment),
            ("../x", Reason::DotSegment),
            ("a/./b", Reason::DotSegment),
        ];
        for &(pattern, reason) in cases {
            let err = Disallow::none().try_add(pattern).unwrap_err();
            assert_eq!(err.reason, reason, "{pattern:?}");
            assert_eq!(err.pattern(), pattern);
        }
        let long = vec!["a"; 64].join("/");
        let err = Disallow::none().try_add(&long).unwrap_err();
        assert_eq!(err.reason, Reason::TooManySegments);
        assert!(Disallow::none().try_add(&vec!["a"; 63].join("/")).is_ok());
        // Inner spaces are ordinary characters.
        assert!(with(&["My Documents"]).is_disallowed("x/My Documents/y"));
    }

    #[test]
    fn error_names_pattern_and_reason() {
        let err = Disallow::none().try_add("*.map ").unwrap_err();
        assert_eq!(
            err.to_string(),
            "disallow pattern \"*.map \" is refused: it starts or ends with whitespace"
        );
        let _: &dyn std::error::Error = &err;
    }

    #[test]
    fn no_exponential_backtracking() {
        // Classic catastrophic inputs for backtracking glob matchers.
        let pattern = format!("{}b", "a*".repeat(30));
        let text = "a".repeat(5000);
        assert!(!with(&[&pattern]).is_disallowed(&text));
        let anchored = format!("{}x", "**/a/".repeat(30));
        let path = vec!["a"; 2000].join("/");
        assert!(!with(&[&anchored]).is_disallowed(&path));
        let start = std::time::Instant::now();
        for _ in 0..10 {
            assert!(!with(&[&pattern]).is_disallowed(&text));
            assert!(!with(&[&anchored]).is_disallowed(&path));
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn wildcard_matcher_agrees_with_a_reference() {
        // A plain recursive matcher (exponential, fine for short inputs) as
        // the reference.
        fn reference(p: &[char], t: &[char]) -> bool {
            match p.split_first() {
                None => t.is_empty(),
                Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
                Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
                Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
            }
        }
        let alphabet = ['a', 'b', 'ü', '*', '?'];
        let texts = ["", "a", "b", "ab", "ba", "aab", "abab", "üa", "aüb", "bbü"];
        // Every pattern of up to 4 characters over the alphabet.
        let mut patterns = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = patterns
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            patterns.extend(longer);
        }
        patterns.sort();
        patterns.dedup();
        for pattern in &patterns {
            let p: Vec<char> = pattern.chars().collect();
            for text in texts {
                let t: Vec<char> = text.chars().collect();
                assert_eq!(
                    wildcard_matches(pattern.as_bytes(), text.as_bytes()),
                    reference(&p, &t),
                    "{pattern:?} on {text:?}"
                );
                if !pattern.is_empty() {
                    assert_eq!(
                        Glob::new(pattern).matches(text),
                        reference(&p, &t),
                        "Glob {pattern:?} on {text:?}"
                    );
                }
            }
        }
    }
}
