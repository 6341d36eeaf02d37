//! The span trace of a failure: the spans open where it happened, with their
//! fields, and the request's recent log events, recorded by a
//! `tracing_subscriber` layer the application adds to its subscriber.

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, Registry, SpanRef};

use crate::report::{EventRecord, SpanRecord};

/// Events kept per root span unless [`ReportLayer::max_events`] says.
const DEFAULT_MAX_EVENTS: usize = 64;
/// The longest field value kept, in bytes (longer ones are cut and end `…`).
const MAX_VALUE_LEN: usize = 1024;

/// The span field that makes [`ReportLayer`] keep every event inside the
/// span, whatever its [`level`](ReportLayer::level): `tackle.verbose = true`
/// on a span (or on one of its ancestors; recorded at creation or later with
/// `span.record`). A debugger replaying one request with all levels
/// recorded opens its span with it:
///
/// ```
/// let replay = tracing::info_span!("replay", tackle.verbose = true);
/// # let _ = replay;
/// ```
pub const VERBOSE_FIELD: &str = "tackle.verbose";

/// A [`tracing_subscriber::Layer`] the application adds to its subscriber so
/// that reports carry span fields and the request's recent events.
///
/// It records every span's fields (in the span's extensions, so they live
/// and die with the span) and keeps, in each root span, a bounded ring of
/// the events emitted anywhere inside it: the root span is usually the
/// request's, so a report holds that request's recent events and no other
/// request's. Events outside any span are not kept. Each field value is
/// capped at 1 KiB.
///
/// ```
/// use tracing_subscriber::layer::SubscriberExt;
///
/// let subscriber = tracing_subscriber::registry().with(tackle_report::ReportLayer::new());
/// tracing::subscriber::with_default(subscriber, || {
///     let _request = tracing::info_span!("request", method = "GET").entered();
///     tracing::info!(user = 7, "loaded the user");
///     assert_eq!(tackle_report::current_spans()[0].name, "request");
///     assert_eq!(tackle_report::current_events()[0].message, "loaded the user");
/// });
/// ```
///
/// Reading happens through the [`Registry`] (also under other layers): the
/// subscriber must be built on `tracing_subscriber::registry()`.
///
/// | Option | Default |
/// |---|---|
/// | [`max_events`](Self::max_events) | 64 events kept per root span |
/// | [`level`](Self::level) | none: every event that reaches the layer is kept |
#[derive(Clone, Debug)]
pub struct ReportLayer {
    max_events: usize,
    level: Option<LevelFilter>,
}

impl ReportLayer {
    /// A layer keeping the last 64 events of each root span, of every level.
    pub fn new() -> Self {
        ReportLayer {
            max_events: DEFAULT_MAX_EVENTS,
            level: None,
        }
    }

    /// Keeps the last `n` events of each root span (0: none).
    pub fn max_events(mut self, n: usize) -> Self {
        self.max_events = n;
        self
    }

    /// Keeps only events at `level` or more severe (`INFO`: info, warn and
    /// error), except inside a span tree marked verbose: when the event's
    /// span or any of its ancestors has the field
    /// [`tackle.verbose = true`](VERBOSE_FIELD), events of every level are
    /// kept. That records one request (a debugger's replay) in full detail
    /// while ordinary requests keep only their `INFO` lines.
    ///
    /// Without this call every event that reaches the layer is kept.
    ///
    /// The level is checked when an event arrives (only events more verbose
    /// than `level` look for the marker up their span tree); the layer does
    /// not filter callsites, so it leaves other layers unaffected. That also
    /// means **for verbose recording to work, the subscriber must let those
    /// events reach this layer**: give other layers their own per-layer
    /// filters (`fmt::layer().with_filter(LevelFilter::INFO)`) rather than a
    /// global filter (`registry().with(LevelFilter::INFO)`, `RUST_LOG` on an
    /// `EnvFilter` layer, or `tracing`'s `max_level_*` features), which stop
    /// `debug!` and `trace!` before any layer sees them. The price is that
    /// those events are built and handed to this layer everywhere, to be
    /// dropped outside verbose spans.
    ///
    /// ```
    /// use tracing_subscriber::filter::LevelFilter;
    /// use tracing_subscriber::layer::SubscriberExt;
    ///
    /// let subscriber = tracing_subscriber::registry()
    ///     // A printer goes here with its own filter, so debug events still
    ///     // reach the report layer:
    ///     // .with(tracing_subscriber::fmt::layer().with_filter(LevelFilter::INFO))
    ///     .with(tackle_report::ReportLayer::new().level(LevelFilter::INFO));
    /// tracing::subscriber::with_default(subscriber, || {
    ///     let _request = tracing::info_span!("request").entered();
    ///     tracing::debug!("not kept");
    ///     let _replay = tracing::info_span!("replay", tackle.verbose = true).entered();
    ///     tracing::debug!("kept");
    ///     let events = tackle_report::current_events();
    ///     assert_eq!(events.len(), 1);
    ///     assert_eq!(events[0].message, "kept");
    /// });
    /// ```
    pub fn level(mut self, level: LevelFilter) -> Self {
        self.level = Some(level);
        self
    }

    /// Whether `event`, in `span`'s tree, is kept.
    fn keeps<S>(&self, event: &Event<'_>, span: &SpanRef<'_, S>) -> bool
    where
        S: for<'a> LookupSpan<'a>,
    {
        match self.level {
            None => true,
            Some(level) if *event.metadata().level() <= level => true,
            Some(_) => span
                .scope()
                .any(|span| span.extensions().get::<Verbose>().is_some()),
        }
    }
}

impl Default for ReportLayer {
    fn default() -> Self {
        ReportLayer::new()
    }
}

/// A span's recorded fields, in its extensions.
struct SpanFields(Vec<(String, String)>);

/// A root span's recent events, oldest first.
struct EventRing(VecDeque<EventRecord>);

/// Marks a span recorded with [`VERBOSE_FIELD`]` = true`.
struct Verbose;

impl<S> Layer<S> for ReportLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        // Values are formatted before the span's extensions are locked: a
        // `Debug` that panics must not do so with the lock held (the panic
        // hook reads the extensions).
        let mut visitor = FieldVisitor::new(false);
        attrs.record(&mut visitor);
        if let Some(span) = ctx.span(id) {
            let mut extensions = span.extensions_mut();
            if visitor.verbose == Some(true) {
                extensions.replace(Verbose);
            }
            extensions.replace(SpanFields(visitor.fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = FieldVisitor::new(false);
        values.record(&mut visitor);
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        match visitor.verbose {
            Some(true) => {
                extensions.replace(Verbose);
            }
            Some(false) => {
                extensions.remove::<Verbose>();
            }
            None => {}
        }
        match extensions.get_mut::<SpanFields>() {
            Some(SpanFields(fields)) => {
                for (name, value) in visitor.fields {
                    match fields.iter_mut().find(|(known, _)| *known == name) {
                        Some(field) => field.1 = value,
                        None => fields.push((name, value)),
                    }
                }
            }
            None => extensions.insert(SpanFields(visitor.fields)),
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if self.max_events == 0 {
            return;
        }
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        if !self.keeps(event, &span) {
            return;
        }
        let Some(root) = span.scope().last() else {
            return;
        };
        let mut visitor = FieldVisitor::new(true);
        event.record(&mut visitor);
        let metadata = event.metadata();
        let record = EventRecord {
            time: SystemTime::now(),
            level: metadata.level().as_str().to_owned(),
            target: metadata.target().to_owned(),
            message: visitor.message.unwrap_or_default(),
            fields: visitor.fields,
        };
        let mut extensions = root.extensions_mut();
        match extensions.get_mut::<EventRing>() {
            Some(EventRing(ring)) => {
                while ring.len() >= self.max_events {
                    ring.pop_front();
                }
                ring.push_back(record);
            }
            None => {
                let mut ring = VecDeque::with_capacity(self.max_events.min(8));
                ring.push_back(record);
                extensions.insert(EventRing(ring));
            }
        }
    }
}

/// The spans open on this thread now, innermost first, with their fields
/// (empty without a [`Registry`]-based subscriber; fields empty without the
/// [`ReportLayer`]).
pub fn current_spans() -> Vec<SpanRecord> {
    with_current_span(|span| {
        span.scope()
            .map(|span| {
                let fields = span
                    .extensions()
                    .get::<SpanFields>()
                    .map(|fields| fields.0.clone())
                    .unwrap_or_default();
                SpanRecord {
                    name: span.name().to_owned(),
                    target: span.metadata().target().to_owned(),
                    fields,
                }
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The events recorded in the current span tree (the root-most span's
/// ring), oldest first.
pub fn current_events() -> Vec<EventRecord> {
    with_current_span(|span| {
        let root = span.scope().last()?;
        let extensions = root.extensions();
        let ring = extensions.get::<EventRing>()?;
        Some(ring.0.iter().cloned().collect())
    })
    .flatten()
    .unwrap_or_default()
}

/// Calls `f` with this thread's current span in the default subscriber's
/// registry; `None` without a registry or outside any span.
fn with_current_span<T>(f: impl FnOnce(SpanRef<'_, Registry>) -> T) -> Option<T> {
    let mut f = Some(f);
    tracing::dispatcher::get_default(|dispatch| {
        // `Layered` forwards downcasts to the subscriber it wraps, so this
        // finds the registry under any stack of layers.
        let registry = dispatch.downcast_ref::<Registry>()?;
        let current = registry.current_span();
        let span = registry.span(current.id()?)?;
        f.take().map(|f| f(span))
    })
}

/// Collects field values as text, each capped at [`MAX_VALUE_LEN`].
struct FieldVisitor {
    /// Whether a `message` field is the event's message (events) or a field
    /// like any other (spans).
    takes_message: bool,
    message: Option<String>,
    fields: Vec<(String, String)>,
    /// The value of a [`VERBOSE_FIELD`] seen, if it was a boolean.
    verbose: Option<bool>,
}

impl FieldVisitor {
    fn new(takes_message: bool) -> Self {
        FieldVisitor {
            takes_message,
            message: None,
            fields: Vec::new(),
            verbose: None,
        }
    }
}

impl Visit for FieldVisitor {
    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == VERBOSE_FIELD {
            self.verbose = Some(value);
        }
        self.record_debug(field, &value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = Capped::default();
        // `Capped` never fails, so neither can this (short of a `Debug` that
        // invents an error, whose partial output is kept).
        let _ = write!(text, "{value:?}");
        let text = text.finish();
        if self.takes_message && field.name() == "message" {
            self.message = Some(text);
        } else {
            self.fields.push((field.name().to_owned(), text));
        }
    }
}

/// A string that keeps the first [`MAX_VALUE_LEN`] bytes written to it and
/// discards the rest (without failing: some `Debug` impls unwrap their
/// writes).
#[derive(Default)]
struct Capped {
    text: String,
    truncated: bool,
}

impl Capped {
    const ELLIPSIS: &'static str = "…";

    fn finish(mut self) -> String {
        if self.truncated {
            self.text.push_str(Self::ELLIPSIS);
        }
        self.text
    }
}

impl fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.truncated {
            return Ok(());
        }
        let room = MAX_VALUE_LEN - Self::ELLIPSIS.len() - self.text.len();
        if s.len() <= room {
            self.text.push_str(s);
            return Ok(());
        }
        let mut end = room;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(&s[..end]);
        self.truncated = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|(known, _)| known == name)
            .map(|(_, value)| value.as_str())
    }

    #[test]
    fn records_spans_innermost_first_with_fields() {
        let subscriber = tracing_subscriber::registry().with(ReportLayer::new());
        tracing::subscriber::with_default(subscriber, || {
            assert!(current_spans().is_empty());
            let outer =
                tracing::info_span!("request", method = "GET", user = tracing::field::Empty);
            let _outer = outer.enter();
            outer.record("user", 7);
            let inner = tracing::debug_span!(target: "app::db", "query", sql = %"select 1");
            let _inner = inner.enter();

            let spans = current_spans();
            assert_eq!(spans.len(), 2, "{spans:?}");
            assert_eq!(spans[0].name, "query");
            assert_eq!(spans[0].target, "app::db");
            assert_eq!(field(&spans[0].fields, "sql"), Some("select 1"));
            assert_eq!(spans[1].name, "request");
            assert_eq!(field(&spans[1].fields, "method"), Some("\"GET\""));
            assert_eq!(field(&spans[1].fields, "user"), Some("7"));

            outer.record("user", 8);
            let spans = current_spans();
            assert_eq!(field(&spans[1].fields, "user"), Some("8"));
            assert_eq!(spans[1].fields.len(), 2);
        });
    }

    #[test]
    fn keeps_a_bounded_ring_of_events_per_root_span() {
        let subscriber = tracing_subscriber::registry().with(ReportLayer::new().max_events(3));
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("outside any span: not kept");
            let first = tracing::info_span!("first request");
            first.in_scope(|| tracing::warn!("first request's event"));

            let request = tracing::info_span!("request");
            let _request = request.enter();
            for i in 0..5 {
                let _step = tracing::info_span!("step", i).entered();
                tracing::info!(i, kind = "loop", "event {i}");
            }
            let events = current_events();
            let messages: Vec<_> = events.iter().map(|e| e.message.as_str()).collect();
            assert_eq!(messages, ["event 2", "event 3", "event 4"]);
            assert_eq!(events[2].level, "INFO");
            assert_eq!(field(&events[2].fields, "i"), Some("4"));
            assert_eq!(field(&events[2].fields, "kind"), Some("\"loop\""));
        });
    }

    #[test]
    fn caps_field_values() {
        let subscriber = tracing_subscriber::registry().with(ReportLayer::new());
        tracing::subscriber::with_default(subscriber, || {
            let long = "é".repeat(2000);
            let _span = tracing::info_span!("request", body = %long).entered();
            tracing::error!(payload = %long, "{long}");
            let value = current_spans()[0].fields[0].1.clone();
            assert!(value.len() <= MAX_VALUE_LEN, "{}", value.len());
            assert!(value.len() > MAX_VALUE_LEN - 8);
            assert!(value.ends_with('…'));
            let event = &current_events()[0];
            assert!(event.message.len() <= MAX_VALUE_LEN && event.message.ends_with('…'));
            assert!(event.fields[0].1.len() <= MAX_VALUE_LEN);
        });
    }

    #[test]
    fn reads_the_registry_under_other_layers() {
        let subscriber = tracing_subscriber::registry()
            .with(ReportLayer::new())
            .with(tracing_subscriber::filter::LevelFilter::DEBUG);
        tracing::subscriber::with_default(subscriber, || {
            let _span = tracing::info_span!("request", id = 1).entered();
            tracing::info!("seen");
            tracing::trace!("filtered out");
            assert_eq!(
                current_spans()[0].fields,
                [("id".to_owned(), "1".to_owned())]
            );
            assert_eq!(current_events().len(), 1);
        });
    }

    fn messages() -> Vec<String> {
        current_events().into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn a_level_drops_verbose_events_outside_verbose_spans() {
        let subscriber =
            tracing_subscriber::registry().with(ReportLayer::new().level(LevelFilter::INFO));
        tracing::subscriber::with_default(subscriber, || {
            let _request = tracing::info_span!("request", id = 1).entered();
            tracing::trace!("trace outside: dropped");
            tracing::debug!("debug outside: dropped");
            tracing::info!("info outside: kept");
            tracing::error!("error outside: kept");
            assert_eq!(messages(), ["info outside: kept", "error outside: kept"]);
        });
    }

    #[test]
    fn a_verbose_span_keeps_every_level_inside_it_and_below() {
        let subscriber =
            tracing_subscriber::registry().with(ReportLayer::new().level(LevelFilter::INFO));
        tracing::subscriber::with_default(subscriber, || {
            let replay = tracing::info_span!("replay", tackle.verbose = true);
            let _replay = replay.enter();
            tracing::debug!("debug in replay");
            tracing::trace!("trace in replay");
            {
                let _handler = tracing::debug_span!("handler", user_id = 7).entered();
                let _db = tracing::trace_span!("db", order_id = 42).entered();
                tracing::debug!("debug two levels down");
                tracing::trace!("trace two levels down");
            }
            tracing::info!("info in replay");
            assert_eq!(
                messages(),
                [
                    "debug in replay",
                    "trace in replay",
                    "debug two levels down",
                    "trace two levels down",
                    "info in replay",
                ]
            );
            // The marker is a field like any other on the report.
            assert_eq!(
                field(&current_spans()[0].fields, VERBOSE_FIELD),
                Some("true")
            );
        });
    }

    #[test]
    fn a_verbose_span_nested_in_a_request_counts_only_below_it() {
        let subscriber =
            tracing_subscriber::registry().with(ReportLayer::new().level(LevelFilter::INFO));
        tracing::subscriber::with_default(subscriber, || {
            let _request = tracing::info_span!("request").entered();
            tracing::debug!("before: dropped");
            tracing::info_span!("replay", tackle.verbose = true).in_scope(|| {
                let _inner = tracing::info_span!("inner").entered();
                tracing::debug!("inside: kept");
            });
            tracing::debug!("after: dropped");
            // `false` does not mark a span.
            tracing::info_span!("quiet", tackle.verbose = false)
                .in_scope(|| tracing::debug!("not verbose: dropped"));
            // Marked later, with `record`; unmarked again the same way.
            let late = tracing::info_span!("late", tackle.verbose = tracing::field::Empty);
            late.in_scope(|| tracing::debug!("unmarked yet: dropped"));
            late.record(VERBOSE_FIELD, true);
            late.in_scope(|| tracing::debug!("marked later: kept"));
            late.record(VERBOSE_FIELD, false);
            late.in_scope(|| tracing::debug!("unmarked again: dropped"));
            assert_eq!(messages(), ["inside: kept", "marked later: kept"]);
        });
    }

    #[test]
    fn without_a_level_every_event_is_kept_and_off_keeps_only_verbose_ones() {
        let subscriber = tracing_subscriber::registry().with(ReportLayer::new());
        tracing::subscriber::with_default(subscriber, || {
            let _request = tracing::info_span!("request").entered();
            tracing::trace!("trace");
            tracing::debug!("debug");
            assert_eq!(messages(), ["trace", "debug"]);
        });
        let subscriber =
            tracing_subscriber::registry().with(ReportLayer::new().level(LevelFilter::OFF));
        tracing::subscriber::with_default(subscriber, || {
            let _request = tracing::info_span!("request").entered();
            tracing::error!("error: dropped");
            tracing::info_span!("replay", tackle.verbose = true)
                .in_scope(|| tracing::trace!("trace: kept"));
            assert_eq!(messages(), ["trace: kept"]);
        });
    }

    #[test]
    fn other_layers_keep_their_own_filters() {
        use std::sync::{Arc, Mutex};
        use tracing_subscriber::Layer as _;

        /// Counts the events it sees.
        struct Counter(Arc<Mutex<Vec<String>>>);
        impl<S: Subscriber> Layer<S> for Counter {
            fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
                self.0
                    .lock()
                    .unwrap()
                    .push(event.metadata().level().to_string());
            }
        }
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = tracing_subscriber::registry()
            .with(Counter(Arc::clone(&seen)).with_filter(LevelFilter::INFO))
            .with(ReportLayer::new().level(LevelFilter::INFO));
        tracing::subscriber::with_default(subscriber, || {
            let _replay = tracing::info_span!("replay", tackle.verbose = true).entered();
            tracing::debug!("kept by the report layer only");
            tracing::info!("seen by both");
            assert_eq!(messages().len(), 2);
        });
        assert_eq!(*seen.lock().unwrap(), ["INFO"]);
    }

    #[test]
    fn without_the_layer_spans_have_no_fields_and_no_events() {
        let subscriber = tracing_subscriber::registry();
        tracing::subscriber::with_default(subscriber, || {
            let _span = tracing::info_span!("request", id = 1).entered();
            tracing::info!("not kept");
            let spans = current_spans();
            assert_eq!(spans.len(), 1);
            assert!(spans[0].fields.is_empty());
            assert!(current_events().is_empty());
        });
        // No subscriber at all.
        let _span = tracing::info_span!("request").entered();
        assert!(current_spans().is_empty());
        assert!(current_events().is_empty());
    }
}
