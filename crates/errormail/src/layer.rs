//! [`ErrorMailLayer`]: the builder, the service and its future.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use http::{Request, Response, StatusCode};
use tackle_report::{
    AppInfo, CatchPanic, CatchPanicLayer, ErrorReport, ReportKind, RequestHead, ResponseReportExt,
    Scrubber, response_snapshot, shared_request_head,
};
use tower_layer::Layer;
use tower_service::Service;

use crate::ignore::{IgnorePredicate, IgnoreRules};
use crate::mail::{self, MailConfig};
use crate::throttle::{Decision, Throttle, ThrottlePolicy};
use crate::transport::{MailTransport, SmtpTransport, SpoolTransport};
use crate::worker::{Outbox, WorkerConfig};

/// Mails panics and 5xx responses to admins; see the [crate documentation](crate).
///
/// | Option | Default |
/// |---|---|
/// | [`recipients`](Self::recipients), [`sender`](Self::sender) | none, `tackle@localhost` |
/// | [`subject_prefix`](Self::subject_prefix) | `[tackle]` |
/// | [`environment`](Self::environment) | none |
/// | transport | a spool directory (`./mail-spool`); [`smtp_url`](Self::smtp_url) or [`transport`](Self::transport) |
/// | [`queue_capacity`](Self::queue_capacity) | 64 mails |
/// | [`send_timeout`](Self::send_timeout) | 10 s for every send, connection included |
/// | [`retries`](Self::retries) | 3 retries of a transient failure, after 1 s, 2 s, 4 s |
/// | [`circuit_breaker`](Self::circuit_breaker) | opens after 5 failed attempts in a row, for 60 s |
/// | [`throttle`](Self::throttle) | first at once, then at 2, 4, 8, … occurrences, at most every 10 min per error; 30 mails an hour, then a digest |
/// | ignores | none; crawlers' user agents ignored ([`ignore_crawlers`](Self::ignore_crawlers)) |
/// | [`mail_server_errors`](Self::mail_server_errors) | `true`: 5xx responses without a panic are mailed too |
/// | [`enabled`](Self::enabled) | on in release builds, off in debug builds unless enabled explicitly |
#[derive(Clone)]
pub struct ErrorMailLayer {
    settings: Settings,
    shared: Arc<OnceLock<Arc<Shared>>>,
}

#[derive(Clone)]
struct Settings {
    mail: MailConfig,
    policy: ThrottlePolicy,
    transport: Option<Arc<dyn MailTransport>>,
    spool_dir: PathBuf,
    worker: WorkerConfig,
    ignore: IgnoreRules,
    mail_server_errors: bool,
    enabled: Option<bool>,
    app: Option<Arc<AppInfo>>,
}

/// What every service of one layer, and its handle, share.
pub(crate) struct Shared {
    pub(crate) mail: Arc<MailConfig>,
    throttle: Mutex<Throttle>,
    transport: Arc<dyn MailTransport>,
    worker: WorkerConfig,
    outbox: OnceLock<Outbox>,
    ignore: IgnoreRules,
    mail_server_errors: bool,
    pub(crate) enabled: bool,
}

impl Default for ErrorMailLayer {
    fn default() -> Self {
        ErrorMailLayer::new()
    }
}

impl ErrorMailLayer {
    /// The defaults above: nobody to mail yet.
    pub fn new() -> Self {
        ErrorMailLayer {
            settings: Settings {
                mail: MailConfig::new("tackle@localhost", Vec::<String>::new()),
                policy: ThrottlePolicy::default(),
                transport: None,
                spool_dir: PathBuf::from("mail-spool"),
                worker: WorkerConfig::default(),
                ignore: IgnoreRules {
                    crawlers: true,
                    ..IgnoreRules::default()
                },
                mail_server_errors: true,
                enabled: None,
                app: None,
            },
            shared: Arc::new(OnceLock::new()),
        }
    }

    fn with(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        change(&mut self.settings);
        self.shared = Arc::new(OnceLock::new());
        self
    }

    /// Who gets the mails.
    pub fn recipients<I, T>(self, recipients: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        let to = recipients.into_iter().map(Into::into).collect();
        self.with(|s| s.mail.to = to)
    }

    /// Who sends them (`From`).
    pub fn sender(self, from: impl Into<String>) -> Self {
        let from = from.into();
        self.with(|s| s.mail.from = from)
    }

    /// The subject's first bracket, e.g. `[shop]`.
    pub fn subject_prefix(self, prefix: impl Into<String>) -> Self {
        let prefix = prefix.into();
        self.with(|s| s.mail.subject_prefix = prefix)
    }

    /// The environment named in subjects (`[production]`).
    pub fn environment(self, environment: impl Into<String>) -> Self {
        let environment = environment.into();
        self.with(|s| s.mail.environment = Some(environment))
    }

    /// Sends through SMTP: `smtp://host:port`, `smtps://host:port`, with
    /// `user:password@` for credentials (never logged) and
    /// `?tls=required` to require STARTTLS.
    pub fn smtp_url(self, url: &str) -> Result<Self, crate::transport::SendError> {
        let transport: Arc<dyn MailTransport> = Arc::new(SmtpTransport::from_url(url)?);
        Ok(self.with(|s| s.transport = Some(transport)))
    }

    /// Sends through any transport.
    pub fn transport(self, transport: impl MailTransport) -> Self {
        let transport: Arc<dyn MailTransport> = Arc::new(transport);
        self.with(|s| s.transport = Some(transport))
    }

    /// Where mails go when they cannot be sent, and where they all go when
    /// no transport is set (default `./mail-spool`).
    pub fn spool_dir(self, dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        self.with(|s| s.spool_dir = dir)
    }

    /// How many mails wait at most; past it new ones are dropped and
    /// counted (reported in the next mail).
    pub fn queue_capacity(self, capacity: usize) -> Self {
        self.with(|s| s.worker.capacity = capacity.max(1))
    }

    /// The deadline of one send, connection and every reply included.
    pub fn send_timeout(self, timeout: Duration) -> Self {
        self.with(|s| s.worker.send_timeout = timeout)
    }

    /// How often a transient failure (a connection error, a 4xx reply, a
    /// timeout) is retried, and the wait before the first retry (doubling
    /// after each). Defaults 3 and 1 s. A 5xx reply is never retried.
    pub fn retries(self, retries: u32, backoff: Duration) -> Self {
        self.with(|s| {
            s.worker.retries = retries;
            s.worker.backoff = backoff;
        })
    }

    /// After `threshold` failed attempts in a row, stop trying for
    /// `cooldown` (mails go to the spool meanwhile), then probe. Defaults 5
    /// and 60 s.
    pub fn circuit_breaker(self, threshold: u32, cooldown: Duration) -> Self {
        self.with(|s| {
            s.worker.breaker_threshold = threshold.max(1);
            s.worker.breaker_cooldown = cooldown;
        })
    }

    /// The throttle policy.
    pub fn throttle(self, policy: ThrottlePolicy) -> Self {
        self.with(|s| s.policy = policy)
    }

    /// Never mails responses with this status.
    pub fn ignore_status(self, status: StatusCode) -> Self {
        self.with(|s| s.ignore.statuses.push(status))
    }

    /// Never mails failures of this path: exact, or a prefix ending in `*`
    /// (`/health*`).
    pub fn ignore_path(self, pattern: impl Into<String>) -> Self {
        let pattern = pattern.into();
        self.with(|s| s.ignore.paths.push(pattern))
    }

    /// Whether failures of requests from crawlers and monitors (by user
    /// agent) are left unmailed (default `true`).
    pub fn ignore_crawlers(self, ignore: bool) -> Self {
        self.with(|s| s.ignore.crawlers = ignore)
    }

    /// Never mails reports for which `predicate` answers `true`.
    pub fn ignore_if(
        self,
        predicate: impl Fn(&ErrorReport) -> bool + Send + Sync + 'static,
    ) -> Self {
        let predicate: IgnorePredicate = Arc::new(predicate);
        self.with(|s| s.ignore.predicates.push(predicate))
    }

    /// Whether 5xx responses without a panic are mailed (default `true`).
    pub fn mail_server_errors(self, mail: bool) -> Self {
        self.with(|s| s.mail_server_errors = mail)
    }

    /// Turns mailing on or off; by default on in release builds and off in
    /// debug builds.
    pub fn enabled(self, enabled: bool) -> Self {
        self.with(|s| s.enabled = Some(enabled))
    }

    /// Names the application in reports and mails.
    pub fn app(self, name: impl Into<String>, version: impl Into<String>) -> Self {
        let app = Arc::new(AppInfo {
            name: name.into(),
            version: version.into(),
        });
        self.with(|s| s.app = Some(app))
    }

    /// The scrubber every mail goes through (default [`Scrubber::default`]).
    pub fn scrubber(self, scrubber: Scrubber) -> Self {
        self.with(|s| s.mail.scrubber = scrubber)
    }

    /// The handle to flush the queue, read counters, mail a report from a
    /// background job, or send a test mail.
    pub fn handle(&self) -> crate::ErrorMailHandle {
        crate::ErrorMailHandle::new(self.shared())
    }

    fn shared(&self) -> Arc<Shared> {
        Arc::clone(self.shared.get_or_init(|| {
            let s = &self.settings;
            let mut worker = s.worker.clone();
            // The spool is the fallback of a real transport; when it is the
            // transport itself, there is nothing to fall back to (a mail it
            // cannot write is logged).
            let transport: Arc<dyn MailTransport> = match &s.transport {
                Some(transport) => {
                    if worker.spool.is_none() {
                        worker.spool = Some(SpoolTransport::new(s.spool_dir.clone()));
                    }
                    Arc::clone(transport)
                }
                None => {
                    worker.spool = None;
                    Arc::new(SpoolTransport::new(s.spool_dir.clone()))
                }
            };
            Arc::new(Shared {
                mail: Arc::new(s.mail.clone()),
                throttle: Mutex::new(Throttle::new(s.policy.clone())),
                transport,
                worker,
                outbox: OnceLock::new(),
                ignore: s.ignore.clone(),
                mail_server_errors: s.mail_server_errors,
                enabled: s.enabled.unwrap_or(!cfg!(debug_assertions)),
            })
        }))
    }
}

impl Shared {
    /// The outbox, started on first use (inside the runtime).
    pub(crate) fn outbox(&self) -> &Outbox {
        self.outbox
            .get_or_init(|| Outbox::start(Arc::clone(&self.transport), self.worker.clone()))
    }

    /// Decides and, when the throttle says so, enqueues: never waits, and
    /// composes nothing here (the worker renders and formats the mail).
    pub(crate) fn submit(&self, report: ErrorReport) {
        if !self.enabled || self.ignore.ignores_report(&report) {
            return;
        }
        let fingerprint = report.fingerprint();
        let now = Instant::now();
        let (decision, digest) = {
            let mut throttle = self.throttle.lock().unwrap_or_else(PoisonError::into_inner);
            (
                throttle.observe(&fingerprint, now),
                throttle.take_digest(now),
            )
        };
        if let Some(digest) = digest {
            let config = Arc::clone(&self.mail);
            let carried = digest.dropped_by_queue;
            self.enqueue(carried, move || {
                match mail::compose_digest(&config, &digest) {
                    Ok(composed) => Some(composed),
                    Err(error) => {
                        tracing::error!("error mail digest not composed: {error}");
                        None
                    }
                }
            });
        }
        if let Decision::Mail(reason) = decision {
            let config = Arc::clone(&self.mail);
            let carried = reason.dropped_by_queue;
            self.enqueue(carried, move || {
                match mail::compose(&config, &report, &reason) {
                    Ok(composed) => Some(composed),
                    Err(error) => {
                        tracing::error!("error mail not composed: {error}");
                        None
                    }
                }
            });
        }
    }

    /// Queues a mail to compose; a full queue drops it, and the drop (with
    /// those `carried` in it) is reported in the next mail.
    fn enqueue(
        &self,
        carried: u64,
        compose: impl FnOnce() -> Option<mail::Composed> + Send + 'static,
    ) {
        if !self.outbox().try_enqueue_with(compose) {
            self.throttle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .note_dropped(carried + 1);
        }
    }
}

impl<S> Layer<S> for ErrorMailLayer {
    type Service = ErrorMail<S>;

    fn layer(&self, inner: S) -> ErrorMail<S> {
        let catch = match &self.settings.app {
            Some(app) => CatchPanicLayer::new().app(app.name.clone(), app.version.clone()),
            None => CatchPanicLayer::new(),
        };
        ErrorMail {
            inner: catch.layer(inner),
            shared: self.shared(),
            app: self.settings.app.clone(),
        }
    }
}

/// The service [`ErrorMailLayer`] makes: the inner service behind a
/// [`CatchPanic`], watched for 5xx responses.
#[derive(Clone)]
pub struct ErrorMail<S> {
    inner: CatchPanic<S>,
    shared: Arc<Shared>,
    app: Option<Arc<AppInfo>>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for ErrorMail<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Error: std::fmt::Display,
{
    type Response = Response<tackle_report::catch_panic::ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<<CatchPanic<S> as Service<Request<ReqBody>>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // A snapshot only when mailing is on (the request moves inside),
        // shared with the CatchPanic inside, which would take one too.
        let snapshot = self
            .shared
            .enabled
            .then(|| shared_request_head(&mut request));
        let watch = snapshot.map(|snapshot| Watch {
            snapshot,
            preview: request
                .extensions()
                .get::<tackle_report::BodyPreview>()
                .cloned(),
            shared: Arc::clone(&self.shared),
            app: self.app.clone(),
        });
        ResponseFuture {
            future: self.inner.call(request),
            watch,
        }
    }
}

/// What the future needs to report a failure.
struct Watch {
    snapshot: Arc<RequestHead>,
    /// The body's first bytes, when a `BodyPreviewLayer` is outside.
    preview: Option<tackle_report::BodyPreview>,
    shared: Arc<Shared>,
    app: Option<Arc<AppInfo>>,
}

pin_project_lite::pin_project! {
    /// The response future of [`ErrorMail`].
    pub struct ResponseFuture<F> {
        #[pin]
        future: F,
        watch: Option<Watch>,
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: std::fmt::Display,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.future.poll(cx));
        let Some(watch) = this.watch.take() else {
            return Poll::Ready(result);
        };
        match &result {
            Ok(response) if response.status().is_server_error() => {
                let status = response.status();
                if !watch.shared.ignore.ignores_request(
                    status,
                    watch.snapshot.path(),
                    watch.snapshot.header(http::header::USER_AGENT),
                ) {
                    let report = match response.report() {
                        Some(report) => {
                            // A handler's report knows its error, not the request.
                            let mut report = report.clone();
                            if report.request.is_none() {
                                report.request = Some(watch.snapshot.snapshot());
                            }
                            if report.app.is_none() {
                                report.app = watch.app.as_deref().cloned();
                            }
                            Some(report)
                        }
                        None if watch.shared.mail_server_errors => {
                            let mut report =
                                ErrorReport::new(ReportKind::ServerError, format!("{status}"));
                            let mut request = watch.snapshot.snapshot();
                            request.body_preview = watch.preview.as_ref().map(|p| p.bytes());
                            report.request = Some(request);
                            report.app = watch.app.as_deref().cloned();
                            Some(report)
                        }
                        None => None,
                    };
                    if let Some(mut report) = report {
                        report.response = Some(response_snapshot(response));
                        watch.shared.submit(report);
                    }
                }
            }
            Err(error) => {
                let mut report = ErrorReport::new(ReportKind::ServiceError, error.to_string());
                report.request = Some(watch.snapshot.snapshot());
                report.app = watch.app.as_deref().cloned();
                watch.shared.submit(report);
            }
            Ok(_) => {}
        }
        Poll::Ready(result)
    }
}
