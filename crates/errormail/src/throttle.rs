//! Which occurrences of an error become mail: a pure state machine, decided
//! before anything is enqueued, with time passed in so tests run on a
//! constructed clock.
//!
//! # The rule
//!
//! Occurrences are grouped by fingerprint. For one group, with its own
//! occurrence count `n` (1 for the first occurrence, restarting at 1 when
//! the group reappears):
//!
//! 1. **First**: the first occurrence of a group not tracked yet is mailed
//!    at once.
//! 2. **Repeated**: after a mail at count `m`, the next mail is *due* at the
//!    next power of two above `m` (so 2, 4, 8, 16, ... when every due mail
//!    goes out). A later occurrence is mailed when
//!    `n >= that power of two` **and** `now - last_mail >= min_interval`.
//!    A power of two reached inside the interval is not lost: the mail is
//!    deferred to the first occurrence after the interval has passed (its
//!    count may then lie between two powers, e.g. 5), and the next one is
//!    due at the power of two above that count. Under a sustained flood
//!    this gives at most one mail per `min_interval` per group, and the
//!    spacing then doubles as the counts outgrow the interval.
//! 3. **Reappeared**: an occurrence of a group last seen `quiet_period` or
//!    more ago restarts its count at 1 and is mailed at once as reappeared,
//!    whatever `min_interval` says.
//! 4. Each mail carries the group's total count, how many of its
//!    occurrences were not mailed since its previous mail
//!    (`suppressed_since_last`, including those the budget held back), and
//!    how many reports the queue dropped since the previous mail of any
//!    group ([`Throttle::note_dropped`]).
//! 5. **Global budget**: at most `budget_per_hour` mails in any rolling hour
//!    (the mails decided in `(now - 1 h, now]`). A mail due when the budget
//!    is spent is suppressed instead; the group stays due (it is mailed at
//!    its first occurrence after the budget frees a slot), and the
//!    occurrence is counted for the digest. The first such suppression
//!    opens a digest window; [`Throttle::take_digest`] returns **one**
//!    digest an hour after that, listing every group the budget held back
//!    in the window and how many of its occurrences it held back. Digests
//!    are not counted against the budget, and there is at most one per hour,
//!    so at most `budget_per_hour + 1` mails leave in any hour.
//! 6. **Bounded state**: at most `max_groups` groups are tracked; a new
//!    group beyond that evicts the least recently seen one (whose next
//!    occurrence is then a first occurrence again). The digest keeps at most
//!    `max_groups` fingerprints too and counts the others in one number.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// The window of the global budget, and how long after its first
/// suppression a digest is due.
const BUDGET_WINDOW: Duration = Duration::from_secs(60 * 60);

/// How often mail may go out; see the [module docs](self) for the exact
/// rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// The shortest time between two mails about one group, except for a
    /// reappearance. Default: 10 minutes.
    pub min_interval: Duration,
    /// How long a group must be silent for its next occurrence to be mailed
    /// as reappeared, with its count restarted. Default: 1 hour.
    pub quiet_period: Duration,
    /// The most mails (of all groups, digests aside) in any rolling hour.
    /// Default: 30.
    pub budget_per_hour: u32,
    /// The most groups remembered (at least one is); beyond it the least
    /// recently seen one is forgotten. Default: 1000.
    pub max_groups: usize,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            min_interval: Duration::from_secs(10 * 60),
            quiet_period: Duration::from_secs(60 * 60),
            budget_per_hour: 30,
            max_groups: 1000,
        }
    }
}

/// What to do with one occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Mail it, saying this.
    Mail(MailReason),
    /// Count it and send nothing.
    Suppress,
}

/// Why a mail goes out, and the counts it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailReason {
    /// First, repeated or reappeared.
    pub kind: Occurrence,
    /// Occurrences of this group so far, this one included (restarted when
    /// the group reappeared).
    pub count: u64,
    /// Occurrences of this group not mailed since its previous mail.
    pub suppressed_since_last: u64,
    /// Reports the queue dropped since the previous mail (of any group).
    pub dropped_by_queue: u64,
}

/// Which occurrence of a group a mail is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Occurrence {
    /// The group had not been seen (or had been forgotten).
    First,
    /// The group is recurring.
    Repeated,
    /// The group recurred after a quiet period.
    Reappeared,
}

impl Occurrence {
    /// `new`, `repeated` or `reappeared`: the word mail bodies use.
    pub fn label(&self) -> &'static str {
        match self {
            Occurrence::First => "new",
            Occurrence::Repeated => "repeated",
            Occurrence::Reappeared => "reappeared",
        }
    }
}

/// The groups the global budget held back during one window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// Each held-back group's fingerprint and how many of its occurrences
    /// were held back, most first.
    pub groups: Vec<(String, u64)>,
    /// The time the digest covers: from the first held-back occurrence to
    /// when the digest was taken.
    pub window: Duration,
    /// Held-back occurrences of groups beyond the `max_groups` listed.
    pub other_groups_suppressed: u64,
    /// Reports the queue dropped since the previous mail.
    pub dropped_by_queue: u64,
}

#[derive(Debug)]
struct Group {
    count: u64,
    last_seen: Instant,
    last_mail: Option<Instant>,
    /// The count at which the next `Repeated` mail is due.
    next_due: u64,
    suppressed: u64,
    /// What the next mail will be: `First`/`Reappeared` until one went out.
    pending: Occurrence,
    /// Position in the recency order.
    seq: u64,
}

#[derive(Debug)]
struct PendingDigest {
    started: Instant,
    groups: HashMap<String, u64>,
    others: u64,
}

/// The throttle's state: one per mail layer, behind a lock.
#[derive(Debug)]
pub struct Throttle {
    policy: ThrottlePolicy,
    groups: HashMap<String, Group>,
    /// Fingerprints by last-seen order, oldest first.
    recency: BTreeMap<u64, String>,
    next_seq: u64,
    /// When the mails of the last hour were decided, oldest first.
    sent: VecDeque<Instant>,
    digest: Option<PendingDigest>,
    dropped: u64,
}

impl Throttle {
    /// A throttle with `policy` and nothing seen.
    pub fn new(policy: ThrottlePolicy) -> Self {
        Throttle {
            policy,
            groups: HashMap::new(),
            recency: BTreeMap::new(),
            next_seq: 0,
            sent: VecDeque::new(),
            digest: None,
            dropped: 0,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &ThrottlePolicy {
        &self.policy
    }

    /// How many groups are tracked.
    pub fn tracked_groups(&self) -> usize {
        self.groups.len()
    }

    /// Decides, before enqueueing, what to do with one occurrence of
    /// `fingerprint` at `now`.
    ///
    /// A `Mail` decision counts against the budget and takes the dropped
    /// count: if the mail then cannot be enqueued, give both back with
    /// [`note_dropped`](Self::note_dropped)`(reason.dropped_by_queue + 1)`.
    pub fn observe(&mut self, fingerprint: &str, now: Instant) -> Decision {
        let seq = self.next_seq;
        self.next_seq += 1;
        if !self.groups.contains_key(fingerprint) {
            self.evict_to(self.policy.max_groups.max(1) - 1);
            self.recency.insert(seq, fingerprint.to_owned());
            self.groups.insert(
                fingerprint.to_owned(),
                Group {
                    count: 0,
                    last_seen: now,
                    last_mail: None,
                    next_due: 1,
                    suppressed: 0,
                    pending: Occurrence::First,
                    seq,
                },
            );
        }
        let Some(group) = self.groups.get_mut(fingerprint) else {
            // Unreachable: the group was inserted above.
            return Decision::Suppress;
        };
        if group.seq != seq {
            let key = self.recency.remove(&group.seq).unwrap_or_default();
            self.recency.insert(seq, key);
            group.seq = seq;
            if now.saturating_duration_since(group.last_seen) >= self.policy.quiet_period {
                group.count = 0;
                group.pending = Occurrence::Reappeared;
            }
        }
        group.count += 1;
        group.last_seen = now;

        let due = match group.pending {
            Occurrence::First | Occurrence::Reappeared => true,
            Occurrence::Repeated => {
                group.count >= group.next_due
                    && group.last_mail.is_none_or(|last| {
                        now.saturating_duration_since(last) >= self.policy.min_interval
                    })
            }
        };
        if !due {
            group.suppressed += 1;
            return Decision::Suppress;
        }

        while self
            .sent
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= BUDGET_WINDOW)
        {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.policy.budget_per_hour as usize {
            group.suppressed += 1;
            let digest = self.digest.get_or_insert_with(|| PendingDigest {
                started: now,
                groups: HashMap::new(),
                others: 0,
            });
            if let Some(n) = digest.groups.get_mut(fingerprint) {
                *n += 1;
            } else if digest.groups.len() < self.policy.max_groups {
                digest.groups.insert(fingerprint.to_owned(), 1);
            } else {
                digest.others += 1;
            }
            return Decision::Suppress;
        }

        self.sent.push_back(now);
        let reason = MailReason {
            kind: group.pending,
            count: group.count,
            suppressed_since_last: group.suppressed,
            dropped_by_queue: std::mem::take(&mut self.dropped),
        };
        group.last_mail = Some(now);
        group.next_due = group.count.saturating_add(1).next_power_of_two();
        group.suppressed = 0;
        group.pending = Occurrence::Repeated;
        Decision::Mail(reason)
    }

    /// The digest of the groups the global budget held back, once an hour
    /// has passed since the first of them; `None` before that or when the
    /// budget held nothing back. Call it periodically (or after each
    /// [`observe`](Self::observe)); a returned digest is not returned again.
    pub fn take_digest(&mut self, now: Instant) -> Option<Digest> {
        let pending = self.digest.as_ref()?;
        let window = now.saturating_duration_since(pending.started);
        if window < BUDGET_WINDOW {
            return None;
        }
        let pending = self.digest.take()?;
        let mut groups: Vec<(String, u64)> = pending.groups.into_iter().collect();
        groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Some(Digest {
            groups,
            window,
            other_groups_suppressed: pending.others,
            dropped_by_queue: std::mem::take(&mut self.dropped),
        })
    }

    /// Records `n` reports the queue dropped; the next mail (or digest)
    /// reports them.
    pub fn note_dropped(&mut self, n: u64) {
        self.dropped = self.dropped.saturating_add(n);
    }

    /// Dropped reports not yet reported in a mail.
    pub fn pending_dropped(&self) -> u64 {
        self.dropped
    }

    fn evict_to(&mut self, limit: usize) {
        while self.groups.len() > limit {
            match self.recency.pop_first() {
                Some((_, fingerprint)) => {
                    self.groups.remove(&fingerprint);
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy::default()
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let p = ThrottlePolicy::default();
        assert_eq!(p.min_interval, Duration::from_secs(600));
        assert_eq!(p.quiet_period, Duration::from_secs(3600));
        assert_eq!(p.budget_per_hour, 30);
        assert_eq!(p.max_groups, 1000);
    }

    #[test]
    fn deferred_power_of_two_goes_out_after_the_interval() {
        let t0 = Instant::now();
        let mut t = Throttle::new(policy());
        assert!(matches!(t.observe("a", t0), Decision::Mail(_)));
        // Counts 2..=4 inside the interval: all suppressed.
        for i in 1..4 {
            assert_eq!(
                t.observe("a", t0 + Duration::from_secs(i)),
                Decision::Suppress
            );
        }
        // Count 5, after the interval: the deferred mail.
        let Decision::Mail(reason) = t.observe("a", t0 + Duration::from_secs(601)) else {
            panic!("expected a mail");
        };
        assert_eq!(reason.kind, Occurrence::Repeated);
        assert_eq!(reason.count, 5);
        assert_eq!(reason.suppressed_since_last, 3);
        // Next due at 8, and again not before the interval.
        for i in 0..2 {
            assert_eq!(
                t.observe("a", t0 + Duration::from_secs(1202 + i)),
                Decision::Suppress,
                "count {} is below 8",
                6 + i
            );
        }
        assert!(matches!(
            t.observe("a", t0 + Duration::from_secs(1210)),
            Decision::Mail(MailReason { count: 8, .. })
        ));
    }

    #[test]
    fn zero_budget_sends_digests_only() {
        let t0 = Instant::now();
        let mut t = Throttle::new(ThrottlePolicy {
            budget_per_hour: 0,
            ..policy()
        });
        assert_eq!(t.observe("a", t0), Decision::Suppress);
        assert_eq!(t.take_digest(t0 + Duration::from_secs(3599)), None);
        let digest = t.take_digest(t0 + Duration::from_secs(3600)).unwrap();
        assert_eq!(digest.groups, vec![("a".to_owned(), 1)]);
        assert_eq!(t.take_digest(t0 + Duration::from_secs(7200)), None);
    }

    #[test]
    fn recency_order_follows_observations() {
        let t0 = Instant::now();
        let mut t = Throttle::new(ThrottlePolicy {
            max_groups: 2,
            ..policy()
        });
        t.observe("a", t0);
        t.observe("b", t0);
        t.observe("a", t0); // "b" is now the least recently seen
        t.observe("c", t0);
        assert_eq!(t.tracked_groups(), 2);
        assert_eq!(t.recency.len(), 2);
        assert!(t.groups.contains_key("a") && t.groups.contains_key("c"));
    }
}
