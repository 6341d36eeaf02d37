//! Capturing a panic where it happens: by the time `catch_unwind` returns,
//! the stack has unwound and the spans have closed, so the hook records the
//! stack and the span trace at the panic site, for the layer that catches
//! the panic to pick up on the same thread.

use std::any::Any;
use std::cell::RefCell;
use std::panic::PanicHookInfo;
use std::sync::Once;

use crate::frames::Frames;
use crate::report::{EventRecord, Location, SpanRecord};
use crate::spans::{current_events, current_spans};

/// What the hook saw of a panic.
pub(crate) struct PanicCapture {
    pub(crate) message: String,
    pub(crate) location: Option<Location>,
    pub(crate) frames: Frames,
    pub(crate) spans: Vec<SpanRecord>,
    pub(crate) events: Vec<EventRecord>,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<PanicCapture>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

/// Installs (once; later calls do nothing) a panic hook that records, for
/// the panicking thread, the panic's message, location, stack (unresolved)
/// and the spans and recent events open at the panic site (see
/// [`ReportLayer`](crate::ReportLayer)), then calls the hook that was
/// installed before (so the default message still prints).
///
/// Call it at startup, before serving: [`CatchPanicLayer`](crate::CatchPanicLayer)
/// still reports panics without it, but with neither stack nor spans.
pub fn install_panic_hook() {
    // Changing the hook from a panicking thread is itself a panic.
    if std::thread::panicking() {
        return;
    }
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            record_panic(info);
            previous(info);
        }));
    });
}

/// The hook's own work: cheap (the stack is not resolved) and panic-free (a
/// panic in a panic hook aborts the process).
fn record_panic(info: &PanicHookInfo<'_>) {
    #[cfg(test)]
    tests::HOOK_RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let capture = PanicCapture {
        message: payload_message(info.payload()),
        location: info.location().map(|location| Location {
            file: location.file().to_owned(),
            line: location.line(),
            column: location.column(),
        }),
        frames: Frames::capture(),
        spans: current_spans(),
        events: current_events(),
    };
    // `try_*`: the thread may be tearing down its thread-locals, or (in
    // theory) be inside `take_panic_capture` when a panic strikes.
    let _ = LAST_PANIC.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(capture);
        }
    });
}

/// The capture of the last panic on this thread, taken (call it right after
/// `catch_unwind`). `None` when the hook is not installed, or the panic did
/// not go through it (`resume_unwind`).
pub(crate) fn take_panic_capture() -> Option<PanicCapture> {
    LAST_PANIC
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut slot| slot.take()))
        .ok()
        .flatten()
}

/// The message of a panic payload: the `&str` or `String` that `panic!`
/// carries, or `Box<dyn Any>` for anything else (`panic_any`).
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::panic::catch_unwind;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tracing_subscriber::layer::SubscriberExt;

    use super::*;
    use crate::frames::FrameKind;
    use crate::spans::ReportLayer;

    /// How many times `record_panic` ran in this process.
    pub(crate) static HOOK_RUNS: AtomicUsize = AtomicUsize::new(0);

    fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn captures_the_panic_site_with_its_spans_and_events() {
        install_panic_hook();
        let subscriber = tracing_subscriber::registry().with(ReportLayer::new());
        let (result, line) = tracing::subscriber::with_default(subscriber, || {
            let _request =
                tracing::info_span!("request", method = "GET", path = "/users/7").entered();
            tracing::info!("loading the user");
            let _db = tracing::debug_span!("db", table = "users").entered();
            tracing::warn!(attempt = 2, "retrying");
            let line = line!() + 2;
            let result = catch_unwind(|| {
                panic!("user {} not found", 7);
            });
            (result, line)
        });
        let payload = result.unwrap_err();
        assert_eq!(payload_message(&*payload), "user 7 not found");

        let capture = take_panic_capture().expect("the hook captured the panic");
        assert!(take_panic_capture().is_none(), "taken");
        assert_eq!(capture.message, "user 7 not found");
        let location = capture.location.expect("a location");
        assert!(location.file.ends_with("panic_hook.rs"), "{location}");
        assert_eq!(location.line, line);

        let names: Vec<_> = capture.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["db", "request"]);
        assert_eq!(field(&capture.spans[0].fields, "table"), Some("\"users\""));
        assert_eq!(
            field(&capture.spans[1].fields, "path"),
            Some("\"/users/7\"")
        );
        let messages: Vec<_> = capture.events.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["loading the user", "retrying"]);
        assert_eq!(capture.events[1].level, "WARN");
        assert_eq!(field(&capture.events[1].fields, "attempt"), Some("2"));

        // Captured unresolved; resolved on demand, from the panic site down.
        assert!(!capture.frames.is_resolved());
        let frames = capture.frames.resolve();
        let top = &frames[0];
        assert_eq!(top.kind, FrameKind::InApp, "{frames:#?}");
        let function = top.function.as_deref().unwrap_or("");
        assert!(
            function.contains("captures_the_panic_site_with_its_spans_and_events"),
            "{frames:#?}"
        );
        assert_eq!(top.line, Some(line), "{frames:#?}");
        for frame in frames.iter() {
            let function = frame.function.as_deref().unwrap_or("");
            assert!(
                !function.starts_with("backtrace::")
                    && !function.contains("panic_hook::record_panic")
                    && !function.starts_with("core::panicking::"),
                "{frames:#?}"
            );
        }
    }

    #[test]
    fn captures_without_a_subscriber_and_any_payload() {
        install_panic_hook();
        let payload = catch_unwind(|| std::panic::panic_any(42_u8)).unwrap_err();
        assert_eq!(payload_message(&*payload), "Box<dyn Any>");
        let capture = take_panic_capture().expect("captured");
        assert_eq!(capture.message, "Box<dyn Any>");
        assert!(capture.spans.is_empty() && capture.events.is_empty());
        assert!(capture.location.is_some());

        let payload = catch_unwind(|| panic!("static message")).unwrap_err();
        assert_eq!(payload_message(&*payload), "static message");
        assert_eq!(take_panic_capture().unwrap().message, "static message");
    }

    const CHILD: &str = "TACKLE_REPORT_PANIC_HOOK_CHILD";
    const THIS_TEST: &str = "panic_hook::tests::chains_the_previous_hook_and_installs_once";

    /// The hook is process-wide and other tests install it first, so this
    /// runs again, alone, in a child process where nothing is installed yet.
    #[test]
    fn chains_the_previous_hook_and_installs_once() {
        if std::env::var_os(CHILD).is_some() {
            static PREVIOUS_RUNS: AtomicUsize = AtomicUsize::new(0);
            std::panic::set_hook(Box::new(|_| {
                PREVIOUS_RUNS.fetch_add(1, Ordering::Relaxed);
            }));
            install_panic_hook();
            install_panic_hook();
            let _ = catch_unwind(|| panic!("in the child"));
            assert_eq!(PREVIOUS_RUNS.load(Ordering::Relaxed), 1);
            assert_eq!(HOOK_RUNS.load(Ordering::Relaxed), 1);
            assert_eq!(take_panic_capture().unwrap().message, "in the child");
            return;
        }
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args([THIS_TEST, "--exact", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
