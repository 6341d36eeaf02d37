//! The throttle/digest state machine on a paused clock: every instant is a
//! constructed offset from one base, nothing sleeps.

use std::time::{Duration, Instant};

use tackle_errormail::throttle::{Decision, MailReason, Occurrence, Throttle, ThrottlePolicy};

const MIN: Duration = Duration::from_secs(60);

/// A clock that only moves when told.
struct PausedClock {
    base: Instant,
    offset: Duration,
}

impl PausedClock {
    fn new() -> Self {
        PausedClock {
            base: Instant::now(),
            offset: Duration::ZERO,
        }
    }

    fn now(&self) -> Instant {
        self.base + self.offset
    }

    fn advance(&mut self, by: Duration) -> Instant {
        self.offset += by;
        self.now()
    }
}

fn mail(decision: Decision) -> MailReason {
    match decision {
        Decision::Mail(reason) => reason,
        Decision::Suppress => panic!("expected a mail, got Suppress"),
    }
}

/// Feeds `n` occurrences of `fingerprint`, `step` apart, and returns the
/// counts that were mailed.
fn mailed_counts(
    throttle: &mut Throttle,
    clock: &mut PausedClock,
    fingerprint: &str,
    n: u64,
    step: Duration,
) -> Vec<u64> {
    let mut counts = Vec::new();
    for _ in 0..n {
        let now = clock.advance(step);
        if let Decision::Mail(reason) = throttle.observe(fingerprint, now) {
            counts.push(reason.count);
        }
    }
    counts
}

#[test]
fn powers_of_two_when_the_interval_never_binds() {
    // Occurrences 11 minutes apart (over the 10-minute interval, under the
    // 1-hour quiet period): exactly the counts 1, 2, 4, 8, 16, 32, 64.
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        budget_per_hour: 1000,
        ..ThrottlePolicy::default()
    });
    let counts = mailed_counts(&mut throttle, &mut clock, "fp", 100, 11 * MIN);
    assert_eq!(counts, vec![1, 2, 4, 8, 16, 32, 64]);
}

#[test]
fn first_mail_then_suppressed_counts_reported() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());

    let first = mail(throttle.observe("fp", clock.now()));
    assert_eq!(
        first,
        MailReason {
            kind: Occurrence::First,
            count: 1,
            suppressed_since_last: 0,
            dropped_by_queue: 0,
        }
    );
    let second = mail(throttle.observe("fp", clock.advance(11 * MIN)));
    assert_eq!(
        (second.kind, second.count, second.suppressed_since_last),
        (Occurrence::Repeated, 2, 0)
    );
    // Count 3: not a power of two.
    assert_eq!(
        throttle.observe("fp", clock.advance(11 * MIN)),
        Decision::Suppress
    );
    let fourth = mail(throttle.observe("fp", clock.advance(11 * MIN)));
    assert_eq!((fourth.count, fourth.suppressed_since_last), (4, 1));
}

#[test]
fn never_more_often_than_min_interval() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());
    assert_eq!(mail(throttle.observe("fp", clock.now())).count, 1);

    // A burst: counts 2..=100 within one minute. Nothing goes out, though
    // 2, 4, 8, 16, 32 and 64 are powers of two.
    let burst = mailed_counts(
        &mut throttle,
        &mut clock,
        "fp",
        99,
        Duration::from_millis(500),
    );
    assert!(burst.is_empty(), "mailed inside the interval: {burst:?}");

    // Just before the interval ends: still nothing.
    clock.offset = 10 * MIN - Duration::from_secs(1);
    assert_eq!(throttle.observe("fp", clock.now()), Decision::Suppress);

    // The first occurrence once the interval has passed carries the
    // deferred mail, with everything suppressed in between.
    clock.offset = 10 * MIN;
    let deferred = mail(throttle.observe("fp", clock.now()));
    assert_eq!(deferred.kind, Occurrence::Repeated);
    assert_eq!(deferred.count, 102);
    assert_eq!(deferred.suppressed_since_last, 100);

    // The next is due at 128 and 10 minutes later, whichever comes last.
    let mut mailed = Vec::new();
    for _ in 0..30 {
        let now = clock.advance(Duration::from_secs(1));
        if let Decision::Mail(r) = throttle.observe("fp", now) {
            mailed.push(r.count);
        }
    }
    assert!(
        mailed.is_empty(),
        "count reached 128 but the interval had not passed"
    );
    let later = mail(throttle.observe("fp", clock.advance(10 * MIN)));
    assert_eq!(later.count, 133);
    assert_eq!(later.suppressed_since_last, 30);
}

#[test]
fn sustained_flood_is_at_most_one_mail_per_interval_and_backs_off() {
    // 100 occurrences a minute for six hours.
    let clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        budget_per_hour: 1000,
        ..ThrottlePolicy::default()
    });
    let mut times = Vec::new();
    for i in 0..(6 * 60 * 100) {
        let now = clock.base + Duration::from_millis(600 * i);
        if let Decision::Mail(_) = throttle.observe("fp", now) {
            times.push(now - clock.base);
        }
    }
    for pair in times.windows(2) {
        assert!(pair[1] - pair[0] >= 10 * MIN, "{:?}", pair);
    }
    // Fewer than one per interval: the power-of-two spacing takes over.
    assert!(times.len() < 6 * 6, "{} mails", times.len());
    assert!(times.len() >= 6, "{} mails", times.len());
}

#[test]
fn reappearance_after_the_quiet_period() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());
    assert_eq!(
        mail(throttle.observe("fp", clock.now())).kind,
        Occurrence::First
    );
    // Three more within a minute: 2 and 4 fall inside the interval.
    for _ in 0..3 {
        assert_eq!(
            throttle.observe("fp", clock.advance(Duration::from_secs(10))),
            Decision::Suppress
        );
    }

    // Silent for just under the quiet period: not a reappearance, and due.
    let before = mail(throttle.observe("fp", clock.advance(60 * MIN - Duration::from_secs(1))));
    assert_eq!((before.kind, before.count), (Occurrence::Repeated, 5));

    // Silent for the whole quiet period: reappeared, count restarted.
    let again = mail(throttle.observe("fp", clock.advance(60 * MIN)));
    assert_eq!(again.kind, Occurrence::Reappeared);
    assert_eq!(again.count, 1);
    assert_eq!(again.suppressed_since_last, 0);

    // And the powers of two start over, with the interval counted from the
    // reappearance.
    assert_eq!(
        throttle.observe("fp", clock.advance(MIN)),
        Decision::Suppress
    );
    let next = mail(throttle.observe("fp", clock.advance(10 * MIN)));
    assert_eq!(
        (next.kind, next.count, next.suppressed_since_last),
        (Occurrence::Repeated, 3, 1)
    );
}

#[test]
fn reappearance_is_mailed_even_inside_the_interval() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        min_interval: 60 * MIN,
        quiet_period: 5 * MIN,
        ..ThrottlePolicy::default()
    });
    mail(throttle.observe("fp", clock.now()));
    assert_eq!(
        throttle.observe("fp", clock.advance(MIN)),
        Decision::Suppress
    );
    let again = mail(throttle.observe("fp", clock.advance(5 * MIN)));
    assert_eq!(again.kind, Occurrence::Reappeared);
    assert_eq!(again.count, 1);
    // The occurrence never mailed before the quiet period is still told.
    assert_eq!(again.suppressed_since_last, 1);
}

#[test]
fn groups_are_independent() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());
    assert_eq!(
        mail(throttle.observe("a", clock.now())).kind,
        Occurrence::First
    );
    assert_eq!(
        throttle.observe("a", clock.advance(Duration::from_secs(1))),
        Decision::Suppress
    );
    let b = mail(throttle.observe("b", clock.advance(Duration::from_secs(1))));
    assert_eq!((b.kind, b.count), (Occurrence::First, 1));
}

#[test]
fn budget_exhaustion_then_one_digest_when_the_hour_rolls() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        budget_per_hour: 3,
        ..ThrottlePolicy::default()
    });
    // Three new groups use the budget.
    for fp in ["a", "b", "c"] {
        assert_eq!(
            mail(throttle.observe(fp, clock.advance(MIN))).kind,
            Occurrence::First
        );
    }
    // t = 3 min: the budget is spent; new groups are held back...
    let held_at = clock.advance(MIN);
    assert_eq!(throttle.observe("d", held_at), Decision::Suppress);
    assert_eq!(
        throttle.observe("e", clock.advance(MIN)),
        Decision::Suppress
    );
    assert_eq!(
        throttle.observe("d", clock.advance(MIN)),
        Decision::Suppress
    );
    // ...and so is a group whose repeat mail would be due (count 2, past
    // the interval).
    assert_eq!(
        throttle.observe("a", clock.advance(10 * MIN)),
        Decision::Suppress
    );
    // "b" was mailed at t = 2 min; at t = 17 min its count-2 mail is due,
    // and the budget holds it back too.
    assert_eq!(
        throttle.observe("b", clock.advance(MIN)),
        Decision::Suppress
    );

    // No digest before an hour has passed since the first held-back one.
    assert_eq!(
        throttle.take_digest(held_at + 60 * MIN - Duration::from_secs(1)),
        None
    );

    // The budget rolls: "a"'s slot (decided at t = 1 min) frees at 61 min.
    // Before then "d" is still held back.
    clock.offset = 60 * MIN;
    assert_eq!(throttle.observe("d", clock.now()), Decision::Suppress);
    clock.offset = 61 * MIN;
    let d = mail(throttle.observe("d", clock.now()));
    assert_eq!(d.kind, Occurrence::First);
    assert_eq!(d.count, 4);
    assert_eq!(d.suppressed_since_last, 3);

    // The digest, one hour after t = 4 min.
    let digest = throttle.take_digest(held_at + 60 * MIN).expect("a digest");
    assert_eq!(
        digest.groups,
        vec![
            ("d".to_owned(), 3),
            ("a".to_owned(), 1),
            ("b".to_owned(), 1),
            ("e".to_owned(), 1),
        ]
    );
    assert_eq!(digest.window, 60 * MIN);
    assert_eq!(digest.other_groups_suppressed, 0);
    // Only one.
    assert_eq!(throttle.take_digest(held_at + 120 * MIN), None);
}

#[test]
fn a_flood_of_groups_gives_budget_mails_and_one_digest_per_hour() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());
    let mut mails = 0;
    let mut digests = Vec::new();
    // A new distinct error every 10 seconds for three hours.
    for i in 0..(3 * 360) {
        let now = clock.advance(Duration::from_secs(10));
        if let Decision::Mail(_) = throttle.observe(&format!("fp{i}"), now) {
            mails += 1;
        }
        if let Some(digest) = throttle.take_digest(now) {
            digests.push(digest);
        }
    }
    // 30 in each rolling hour.
    assert_eq!(mails, 90);
    assert_eq!(digests.len(), 2, "one per hour after the first suppression");
    for digest in &digests {
        assert!(digest.window >= 60 * MIN);
        assert!(digest.window < 60 * MIN + Duration::from_secs(10));
        let held: u64 = digest.groups.iter().map(|(_, n)| n).sum();
        assert!(held > 300, "{held}");
    }
}

#[test]
fn digest_is_bounded() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        budget_per_hour: 0,
        max_groups: 10,
        ..ThrottlePolicy::default()
    });
    for i in 0..25 {
        assert_eq!(
            throttle.observe(&format!("fp{i}"), clock.advance(Duration::from_secs(1))),
            Decision::Suppress
        );
    }
    let digest = throttle
        .take_digest(clock.advance(60 * MIN))
        .expect("a digest");
    assert_eq!(digest.groups.len(), 10);
    assert_eq!(digest.other_groups_suppressed, 15);
}

#[test]
fn bounded_groups_evict_the_least_recently_seen() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        max_groups: 3,
        budget_per_hour: 1000,
        ..ThrottlePolicy::default()
    });
    for fp in ["a", "b", "c"] {
        mail(throttle.observe(fp, clock.advance(Duration::from_secs(1))));
    }
    // "a" is seen again, so "b" is the least recently seen.
    assert_eq!(
        throttle.observe("a", clock.advance(Duration::from_secs(1))),
        Decision::Suppress
    );
    mail(throttle.observe("d", clock.advance(Duration::from_secs(1))));
    assert_eq!(throttle.tracked_groups(), 3);

    // "a", "c" and "d" are remembered: their next occurrence is throttled.
    for fp in ["a", "c", "d"] {
        assert_eq!(
            throttle.observe(fp, clock.advance(Duration::from_secs(1))),
            Decision::Suppress,
            "{fp}"
        );
    }
    // "b" was forgotten: it is new again (and evicts the oldest, "a").
    let b = mail(throttle.observe("b", clock.advance(Duration::from_secs(1))));
    assert_eq!((b.kind, b.count), (Occurrence::First, 1));
    assert_eq!(throttle.tracked_groups(), 3);

    // However many distinct fingerprints arrive, the state stays bounded.
    for i in 0..10_000 {
        throttle.observe(&format!("x{i}"), clock.advance(Duration::from_millis(1)));
    }
    assert_eq!(throttle.tracked_groups(), 3);
}

#[test]
fn dropped_counts_are_carried_into_the_next_mail() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());
    mail(throttle.observe("a", clock.now()));

    throttle.note_dropped(2);
    throttle.note_dropped(3);
    // A suppressed occurrence does not take them.
    assert_eq!(
        throttle.observe("a", clock.advance(MIN)),
        Decision::Suppress
    );
    assert_eq!(throttle.pending_dropped(), 5);

    // The next mail, of any group, reports them once.
    let b = mail(throttle.observe("b", clock.advance(MIN)));
    assert_eq!(b.dropped_by_queue, 5);
    let c = mail(throttle.observe("c", clock.advance(MIN)));
    assert_eq!(c.dropped_by_queue, 0);
}

#[test]
fn dropped_counts_go_into_the_digest_when_it_is_the_next_mail() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy {
        budget_per_hour: 1,
        ..ThrottlePolicy::default()
    });
    mail(throttle.observe("a", clock.now()));
    assert_eq!(
        throttle.observe("b", clock.advance(MIN)),
        Decision::Suppress
    );
    throttle.note_dropped(7);
    let digest = throttle
        .take_digest(clock.advance(60 * MIN))
        .expect("a digest");
    assert_eq!(digest.dropped_by_queue, 7);
    assert_eq!(throttle.pending_dropped(), 0);
}

#[test]
fn nothing_to_summarise_means_no_digest() {
    let mut clock = PausedClock::new();
    let mut throttle = Throttle::new(ThrottlePolicy::default());
    mail(throttle.observe("a", clock.now()));
    throttle.note_dropped(1);
    assert_eq!(throttle.take_digest(clock.advance(10 * 60 * MIN)), None);
    assert_eq!(throttle.pending_dropped(), 1);
}
