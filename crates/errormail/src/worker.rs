//! The outbox: a bounded queue the request path never waits on, and the one worker that sends.
//!
//! The request path only calls [`Outbox::try_enqueue`], a non-blocking `try_send`: when the queue is
//! full the mail is dropped and counted, never waited for. The worker task sends one mail at a
//! time and owns every slow thing:
//!
//! - an **outer deadline** on every send ([`WorkerConfig::send_timeout`]): lettre's timeout covers
//!   only the TCP connect, so a server that accepts and never greets would hang a send forever;
//! - **retries** of transient failures (connection errors, timeouts, disconnects, 4xx replies) with
//!   doubling backoff; permanent failures (5xx replies) are not retried;
//! - a **circuit breaker**: after [`WorkerConfig::breaker_threshold`] consecutive failed attempts the
//!   worker stops contacting the server for [`WorkerConfig::breaker_cooldown`] and spools mails
//!   directly; after the cooldown one attempt probes the server, and the first success closes the
//!   circuit and resends the spool, oldest first;
//! - **nothing is lost silently**: a mail that cannot be delivered goes to the spool
//!   ([`WorkerConfig::spool`]) with a warning; one that cannot be spooled either is logged once with
//!   `tracing::error!` (subject and error only, never the message or credentials).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use crate::mail::Composed;
use crate::spool::SpoolTransport;
use crate::transport::{MailTransport, SendError};

/// How the worker sends. The defaults suit a production SMTP relay.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Mails held at once, queued or being sent (at least 1). Default 64.
    pub capacity: usize,
    /// The outer deadline on every single send attempt. Default 10 s.
    pub send_timeout: Duration,
    /// Retries of a transient failure after the first attempt. Default 3.
    pub retries: u32,
    /// The wait before the first retry, doubling for each next one (capped at 5 min). Default 1 s.
    pub backoff: Duration,
    /// Consecutive failed attempts that open the circuit. Default 5.
    pub breaker_threshold: u32,
    /// How long an open circuit stays open before a probe. Default 60 s.
    pub breaker_cooldown: Duration,
    /// Where undeliverable mails go, to be resent when the circuit closes. Default none: they are
    /// logged with `tracing::error!` and lost. Don't point it at the directory of a
    /// [`SpoolTransport`] used as the transport itself.
    pub spool: Option<SpoolTransport>,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            capacity: 64,
            send_timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_secs(1),
            breaker_threshold: 5,
            breaker_cooldown: Duration::from_secs(60),
            spool: None,
        }
    }
}

/// Counters of an [`Outbox`], for `stats()` and for the next mail to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// Mails accepted and not yet finished (waiting or being sent).
    pub queued: usize,
    /// Mails the transport accepted, resent ones included.
    pub sent: u64,
    /// Mails not delivered when their turn came (permanent failure, retries exhausted, or circuit
    /// open); each was spooled or logged.
    pub failed: u64,
    /// Mails refused by [`Outbox::try_enqueue`] because the queue was full.
    pub dropped: u64,
    /// Mails written to the spool.
    pub spooled: u64,
    /// Spooled mails delivered later.
    pub resent: u64,
    /// Retry attempts made.
    pub retries: u64,
    /// Whether the circuit breaker is open now.
    pub circuit_open: bool,
}

#[derive(Debug, Default)]
struct Stats {
    queued: AtomicUsize,
    sent: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    spooled: AtomicU64,
    resent: AtomicU64,
    retries: AtomicU64,
    circuit_open: AtomicBool,
    idle: Notify,
}

impl Stats {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

struct Job {
    mail: Pending,
}

/// A mail, or what composes it: composing (rendering, formatting) happens
/// in the worker, off the request path.
enum Pending {
    Ready(Composed),
    Later(Box<dyn FnOnce() -> Option<Composed> + Send>),
}

/// The handle to the mail queue and its worker. Cheap to clone; the worker stops once every clone
/// is dropped and the queue is drained.
#[derive(Clone)]
pub struct Outbox {
    tx: mpsc::Sender<Job>,
    stats: Arc<Stats>,
    capacity: usize,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("capacity", &self.capacity)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Outbox {
    /// Spawns the worker on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn start(transport: Arc<dyn MailTransport>, config: WorkerConfig) -> Outbox {
        let capacity = config.capacity.max(1);
        let (tx, rx) = mpsc::channel(capacity);
        let stats = Arc::new(Stats::default());
        let worker = Worker {
            transport,
            stats: stats.clone(),
            consecutive_failures: 0,
            open_until: None,
            // Mails a previous process spooled are resent after the first success too.
            spool_pending: config.spool.is_some(),
            config,
        };
        tokio::spawn(worker.run(rx));
        Outbox {
            tx,
            stats,
            capacity,
        }
    }

    /// Queues `mail` without waiting. `false` when the queue is full (or the worker is gone): the
    /// mail is dropped and counted in [`StatsSnapshot::dropped`].
    pub fn try_enqueue(&self, mail: Composed) -> bool {
        self.enqueue(Pending::Ready(mail))
    }

    /// Queues a mail that `compose` makes later, in the worker (so that the
    /// caller pays for neither rendering nor formatting). `false` when the
    /// queue is full, as [`try_enqueue`](Self::try_enqueue); `compose`
    /// answering `None` sends nothing.
    pub fn try_enqueue_with(
        &self,
        compose: impl FnOnce() -> Option<Composed> + Send + 'static,
    ) -> bool {
        self.enqueue(Pending::Later(Box::new(compose)))
    }

    fn enqueue(&self, mail: Pending) -> bool {
        // `queued` counts the mail being sent too, so the bound is on all mails held in memory.
        let held = self.stats.queued.fetch_add(1, Ordering::AcqRel);
        if held >= self.capacity {
            self.release_slot();
            Stats::bump(&self.stats.dropped);
            return false;
        }
        match self.tx.try_send(Job { mail }) {
            Ok(()) => true,
            Err(_) => {
                self.release_slot();
                Stats::bump(&self.stats.dropped);
                false
            }
        }
    }

    fn release_slot(&self) {
        if self.stats.queued.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.stats.idle.notify_waiters();
        }
    }

    /// Waits until every queued mail is finished (sent, spooled or logged), or `deadline` passes.
    /// `true` when the queue is empty.
    pub async fn flush(&self, deadline: Duration) -> bool {
        let until = Instant::now() + deadline;
        loop {
            let mut idle = std::pin::pin!(self.stats.idle.notified());
            // Register before checking, so a notification between the check and the wait is kept.
            idle.as_mut().enable();
            if self.stats.queued.load(Ordering::Acquire) == 0 {
                return true;
            }
            if tokio::time::timeout_at(until, idle).await.is_err() {
                return self.stats.queued.load(Ordering::Acquire) == 0;
            }
        }
    }

    /// The counters now.
    pub fn stats(&self) -> StatsSnapshot {
        let s = &self.stats;
        StatsSnapshot {
            queued: s.queued.load(Ordering::Relaxed),
            sent: s.sent.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
            dropped: s.dropped.load(Ordering::Relaxed),
            spooled: s.spooled.load(Ordering::Relaxed),
            resent: s.resent.load(Ordering::Relaxed),
            retries: s.retries.load(Ordering::Relaxed),
            circuit_open: s.circuit_open.load(Ordering::Relaxed),
        }
    }
}

struct Worker {
    transport: Arc<dyn MailTransport>,
    config: WorkerConfig,
    stats: Arc<Stats>,
    consecutive_failures: u32,
    /// `Some` while the circuit is open (or half-open, once the instant has passed).
    open_until: Option<Instant>,
    /// Whether the spool may hold mails to resend.
    spool_pending: bool,
}

/// The longest wait between two retries.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

impl Worker {
    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        loop {
            let job = match self.open_until {
                // While open with spooled mails, wake at the end of the cooldown to probe with them,
                // so they go out even if no new error happens.
                Some(until) if self.spool_pending && Instant::now() < until => {
                    match tokio::time::timeout_at(until, rx.recv()).await {
                        Ok(job) => job,
                        Err(_elapsed) => {
                            self.resend_spool().await;
                            continue;
                        }
                    }
                }
                Some(_) if self.spool_pending => {
                    self.resend_spool().await;
                    if self.open_until.is_some() && self.spool_pending {
                        // The probe failed and re-opened the circuit: wait for its new cooldown.
                        continue;
                    }
                    rx.recv().await
                }
                _ => rx.recv().await,
            };
            let Some(job) = job else { break };
            let mail = match job.mail {
                Pending::Ready(mail) => Some(mail),
                Pending::Later(compose) => compose(),
            };
            if let Some(mail) = mail {
                self.process(mail).await;
            }
            if self.stats.queued.fetch_sub(1, Ordering::AcqRel) == 1 {
                self.stats.idle.notify_waiters();
            }
        }
    }

    async fn process(&mut self, mail: Composed) {
        let mut attempt = 0u32;
        let result = loop {
            if self.circuit_is_open() {
                break Err(SendError::transient("circuit breaker open: SMTP not tried"));
            }
            // Half-open: one probe, no retries, so a dead server costs one deadline per cooldown.
            let probing = self.open_until.is_some();
            match self.attempt(&mail).await {
                Ok(()) => break Ok(()),
                Err(e) if e.is_permanent() || probing || attempt >= self.config.retries => {
                    break Err(e);
                }
                Err(_) => {
                    if self.circuit_is_open() {
                        continue;
                    }
                    let backoff = self
                        .config
                        .backoff
                        .saturating_mul(2u32.saturating_pow(attempt))
                        .min(MAX_BACKOFF);
                    attempt += 1;
                    Stats::bump(&self.stats.retries);
                    tokio::time::sleep(backoff).await;
                }
            }
        };
        match result {
            Ok(()) => {
                Stats::bump(&self.stats.sent);
                if self.spool_pending {
                    self.resend_spool().await;
                }
            }
            Err(e) => {
                Stats::bump(&self.stats.failed);
                self.spool(&mail, &e).await;
            }
        }
    }

    /// One send under the outer deadline; updates the breaker.
    async fn attempt(&mut self, mail: &Composed) -> Result<(), SendError> {
        let result =
            match tokio::time::timeout(self.config.send_timeout, self.transport.send(mail)).await {
                Ok(result) => result,
                Err(_elapsed) => Err(SendError::transient(format!(
                    "no answer within the send timeout ({:?})",
                    self.config.send_timeout
                ))),
            };
        match &result {
            Ok(()) => self.record_success(),
            Err(_) => self.record_failure(),
        }
        result
    }

    fn circuit_is_open(&self) -> bool {
        self.open_until.is_some_and(|until| Instant::now() < until)
    }

    fn record_success(&mut self) {
        self.consecutive_failures = 0;
        if self.open_until.take().is_some() {
            self.stats.circuit_open.store(false, Ordering::Relaxed);
            tracing::info!("error mail circuit breaker closed: SMTP accepts mail again");
        }
    }

    fn record_failure(&mut self) {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        let half_open = self.open_until.is_some();
        if half_open || self.consecutive_failures >= self.config.breaker_threshold.max(1) {
            if !half_open {
                tracing::warn!(
                    failures = self.consecutive_failures,
                    cooldown = ?self.config.breaker_cooldown,
                    "error mail circuit breaker opened: mails go to the spool until SMTP recovers"
                );
            }
            self.open_until = Some(Instant::now() + self.config.breaker_cooldown);
            self.stats.circuit_open.store(true, Ordering::Relaxed);
        }
    }

    /// Keeps an undeliverable mail in the spool, or logs it once when there is none.
    async fn spool(&mut self, mail: &Composed, error: &SendError) {
        let Some(spool) = &self.config.spool else {
            tracing::error!(
                subject = %mail.subject,
                error = %error,
                "error mail not delivered and no spool configured: the mail is lost"
            );
            return;
        };
        let stored = if error.is_permanent() {
            spool.store_rejected(mail).await
        } else {
            spool.store(mail).await
        };
        match stored {
            Ok(path) => {
                Stats::bump(&self.stats.spooled);
                if error.is_transient() {
                    self.spool_pending = true;
                }
                tracing::warn!(
                    subject = %mail.subject,
                    error = %error,
                    path = %path.display(),
                    "error mail not delivered: spooled"
                );
            }
            Err(io) => tracing::error!(
                subject = %mail.subject,
                error = %error,
                spool_error = %io,
                "error mail not delivered and not spooled: the mail is lost"
            ),
        }
    }

    /// Resends spooled mails oldest first, until the spool is empty or a send fails.
    async fn resend_spool(&mut self) {
        let Some(spool) = self.config.spool.clone() else {
            self.spool_pending = false;
            return;
        };
        let pending = match spool.pending().await {
            Ok(pending) => pending,
            Err(e) => {
                tracing::error!(dir = %spool.dir().display(), error = %e, "cannot read the error mail spool");
                self.spool_pending = false;
                return;
            }
        };
        for path in pending {
            if self.circuit_is_open() {
                return;
            }
            let mail = match spool.load(&path).await {
                Ok(mail) => mail,
                Err(e) => {
                    // A half-written or foreign file: leave it for a person, don't loop on it.
                    tracing::error!(path = %path.display(), error = %e, "unreadable spooled error mail: skipped");
                    continue;
                }
            };
            match self.attempt(&mail).await {
                Ok(()) => {
                    Stats::bump(&self.stats.sent);
                    Stats::bump(&self.stats.resent);
                    if let Err(e) = spool.remove(&path).await {
                        tracing::error!(path = %path.display(), error = %e, "cannot remove a resent error mail from the spool");
                    }
                }
                Err(e) if e.is_permanent() => {
                    tracing::warn!(subject = %mail.subject, error = %e, "spooled error mail refused for good: kept as rejected");
                    if let Err(e) = spool.mark_rejected(&path).await {
                        tracing::error!(path = %path.display(), error = %e, "cannot mark a spooled error mail as rejected");
                    }
                }
                // Transient: keep it and the rest for the next success.
                Err(_) => return,
            }
        }
        self.spool_pending = false;
    }
}
