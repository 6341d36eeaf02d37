//! Rendering a report as plain text ([`text`]), Markdown ([`markdown`]) or
//! RFC 9457 problem details with the whole report ([`json`]).
//!
//! Every renderer scrubs first: the scrubber is a required argument, and
//! what it returns is all a renderer reads. The sections come in one order
//! everywhere: summary (kind, message, location, id, time, host, pid, app),
//! cause chain, stack, spans (innermost first), recent events, request,
//! response, extra. Output depends only on the report: the same report
//! renders to the same bytes.
//!
//! Stacks show the application's frames in full; a run of one dependency's
//! frames is folded into one line (`… 12 frames in hyper 1.5.0`), and the
//! standard library's and the runtime's frames are counted, not shown,
//! unless the stack has no application frame at all.
//!
//! ```
//! use tackle_report::{ErrorReport, ReportKind, Scrubber, render};
//!
//! let report = ErrorReport::new(ReportKind::Panic, "db down: postgres://app:hunter2@db/main");
//! let text = render::text(&report, &Scrubber::default());
//! assert!(text.starts_with("PANIC: db down: postgres://[REDACTED]@db/main"));
//! assert!(!text.contains("hunter2"));
//! ```

mod json;
mod markdown;
mod text;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

pub use json::json;
pub use markdown::markdown;
pub use text::text;

use crate::frames::{Frame, FrameKind};

/// `time` in RFC 3339, UTC, to the second: `2025-03-01T12:34:56Z`.
pub fn rfc3339(time: SystemTime) -> String {
    format_time(time, false)
}

/// `time` in RFC 3339, UTC, to the millisecond: `2025-03-01T12:34:56.789Z`.
pub fn rfc3339_millis(time: SystemTime) -> String {
    format_time(time, true)
}

fn format_time(time: SystemTime, millis: bool) -> String {
    // Before 1970 (a broken clock): clamp, a report must still render.
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    );
    if millis {
        let _ = write!(out, ".{:03}", since.subsec_millis());
    }
    out.push('Z');
    out
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`, for non-negative day counts).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

/// One line of a rendered stack.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FrameLine<'a> {
    /// A frame shown in full; `index` is its position in the stack.
    Shown { index: usize, frame: &'a Frame },
    /// A run of `count` frames of one dependency.
    Folded { count: usize, crate_name: &'a str },
    /// The standard library's and the runtime's frames, counted.
    Hidden { count: usize },
}

/// The stack as renderers show it (see the [module documentation](self)).
pub(crate) fn frame_lines(frames: &[Frame]) -> Vec<FrameLine<'_>> {
    let any_in_app = frames.iter().any(|frame| frame.kind == FrameKind::InApp);
    if !any_in_app {
        return frames
            .iter()
            .enumerate()
            .map(|(index, frame)| FrameLine::Shown { index, frame })
            .collect();
    }
    let mut lines = Vec::new();
    let mut hidden = 0;
    for (index, frame) in frames.iter().enumerate() {
        match frame.kind {
            FrameKind::InApp => lines.push(FrameLine::Shown { index, frame }),
            FrameKind::Dependency => {
                let name = frame.crate_name.as_deref().unwrap_or("an unknown crate");
                // Hidden std frames between two frames of one dependency
                // (its closures called through `FnOnce`) do not split it.
                match lines.last_mut() {
                    Some(FrameLine::Folded { count, crate_name }) if *crate_name == name => {
                        *count += 1;
                    }
                    _ => lines.push(FrameLine::Folded {
                        count: 1,
                        crate_name: name,
                    }),
                }
            }
            FrameKind::Std | FrameKind::Runtime => hidden += 1,
        }
    }
    if hidden > 0 {
        lines.push(FrameLine::Hidden { count: hidden });
    }
    lines
}

/// `app::handlers::show` (or `<unknown>`).
pub(crate) fn function_name(frame: &Frame) -> &str {
    frame.function.as_deref().unwrap_or("<unknown>")
}

/// `src/handlers.rs:12:9`, as much as is known, or `None`.
pub(crate) fn frame_location(frame: &Frame) -> Option<String> {
    let file = frame.file.as_deref()?;
    Some(match (frame.line, frame.column) {
        (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
        (Some(line), None) => format!("{file}:{line}"),
        _ => file.to_owned(),
    })
}

/// The text of a folded or hidden line, without indentation.
pub(crate) fn summary_line(line: &FrameLine<'_>) -> String {
    match line {
        FrameLine::Shown { frame, .. } => function_name(frame).to_owned(),
        FrameLine::Folded { count, crate_name } => {
            format!(
                "… {count} {} in {crate_name}",
                plural(*count, "frame", "frames")
            )
        }
        FrameLine::Hidden { count } => format!(
            "… {count} standard library and runtime {} not shown",
            plural(*count, "frame", "frames")
        ),
    }
}

fn plural<'a>(count: usize, one: &'a str, many: &'a str) -> &'a str {
    if count == 1 { one } else { many }
}

/// The first line of a message (all of it when it has one line).
pub(crate) fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or("")
}

/// `title` cut to `max` characters, with `…` when cut.
pub(crate) fn truncate_chars(title: &str, max: usize) -> Cow<'_, str> {
    match title.char_indices().nth(max) {
        Some((at, _)) => Cow::Owned(format!("{}…", &title[..at])),
        None => Cow::Borrowed(title),
    }
}

/// Control characters (other than newline and tab) as `\u{1b}`: a report
/// carries client bytes, and a terminal or a mail client must not act on
/// them.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe_control(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The body preview as text (invalid UTF-8 replaced).
pub(crate) fn body_text(body: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(body)
}

/// `showcase 1.2.0` (or the name alone).
pub(crate) fn app_line(name: &str, version: &str) -> String {
    if version.is_empty() {
        name.to_owned()
    } else {
        format!("{name} {version}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_rfc3339() {
        let at = |secs: u64, millis: u64| UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis);
        assert_eq!(rfc3339(at(0, 0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(at(951_782_400, 0)), "2000-02-29T00:00:00Z");
        assert_eq!(
            rfc3339_millis(at(1_700_000_000, 7)),
            "2023-11-14T22:13:20.007Z"
        );
        assert_eq!(rfc3339(at(4_102_444_799, 0)), "2099-12-31T23:59:59Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00Z"
        );
    }

    fn frame(function: &str, kind: FrameKind, crate_name: Option<&str>) -> Frame {
        Frame {
            function: Some(function.to_owned()),
            file: Some("src/x.rs".to_owned()),
            line: Some(3),
            column: None,
            kind,
            crate_name: crate_name.map(str::to_owned),
        }
    }

    #[test]
    fn folds_and_hides_frames() {
        let frames = [
            frame(
                "serde_json::de::from_str",
                FrameKind::Dependency,
                Some("serde_json 1.0.1"),
            ),
            frame(
                "core::ops::function::FnOnce::call_once",
                FrameKind::Std,
                Some("core"),
            ),
            frame(
                "serde_json::de::parse",
                FrameKind::Dependency,
                Some("serde_json 1.0.1"),
            ),
            frame("app::load", FrameKind::InApp, Some("app")),
            frame(
                "hyper::proto::dispatch",
                FrameKind::Runtime,
                Some("hyper 1.5.0"),
            ),
            frame("app::main", FrameKind::InApp, Some("app")),
            frame(
                "tokio::runtime::park",
                FrameKind::Runtime,
                Some("tokio 1.0.0"),
            ),
        ];
        let lines = frame_lines(&frames);
        let text: Vec<String> = lines.iter().map(summary_line).collect();
        assert_eq!(
            text,
            [
                "… 2 frames in serde_json 1.0.1",
                "app::load",
                "app::main",
                "… 3 standard library and runtime frames not shown",
            ]
        );
        assert_eq!(
            lines[1],
            FrameLine::Shown {
                index: 3,
                frame: &frames[3]
            }
        );

        // Without an application frame, everything is shown.
        let lines = frame_lines(&frames[4..5]);
        assert_eq!(
            lines,
            [FrameLine::Shown {
                index: 0,
                frame: &frames[4]
            }]
        );
        assert_eq!(frame_location(&frames[0]).as_deref(), Some("src/x.rs:3"));
    }

    #[test]
    fn cleans_control_characters() {
        assert_eq!(clean("a\x1b[31mb\r\n\tc"), "a\\u{1b}[31mb\\u{d}\n\tc");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
        assert_eq!(truncate_chars("ééé", 2), "éé…");
        assert_eq!(truncate_chars("éé", 2), "éé");
    }
}
