//! The span trace of a failure: the spans open where it happened, with their
//! fields, and the request's recent log events, recorded by a
//! `tracing_subscriber` layer the application adds to its subscriber.

use std::collections::VecDeque;
use std::fmt::{self, Write as _};
use std::time::SystemTime;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, Registry, SpanRef};

use crate::report::{EventRecord, SpanRecord};

/// Events kept per root span unless [`ReportLayer::max_events`] says.
const DEFAULT_MAX_EVENTS: usize = 64;
/// The longest field value kept, in bytes (longer ones are cut and end `…`).
const MAX_VALUE_LEN: usize = 1024;

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
#[derive(Clone, Debug)]
pub struct ReportLayer {
    max_events: usize,
}

impl ReportLayer {
    /// A layer keeping the last 64 events of each root span.
    pub fn new() -> Self {
        ReportLayer {
            max_events: DEFAULT_MAX_EVENTS,
        }
    }

    /// Keeps the last `n` events of each root span (0: none).
    pub fn max_events(mut self, n: usize) -> Self {
        self.max_events = n;
        self
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
            span.extensions_mut().replace(SpanFields(visitor.fields));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut visitor = FieldVisitor::new(false);
        values.record(&mut visitor);
        let Some(span) = ctx.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
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
}

impl FieldVisitor {
    fn new(takes_message: bool) -> Self {
        FieldVisitor {
            takes_message,
            message: None,
            fields: Vec::new(),
        }
    }
}

impl Visit for FieldVisitor {
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
