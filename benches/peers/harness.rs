//! The side-by-side runner: tackle and a peer on the same input, interleaved,
//! median of several rounds.
//!
//! Each round runs a calibrated batch of the tackle closure and of the peer
//! closure back to back, alternating which goes first, so that frequency
//! scaling, cache state and noise from the rest of the machine fall on both
//! alike. The reported figure for each side is the median of its per-round
//! nanoseconds per iteration.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long one calibrated batch should take.
const BATCH_TARGET: Duration = Duration::from_millis(10);
/// How many interleaved rounds are measured after a warm-up round.
const ROUNDS: usize = 15;

type Work = Box<dyn FnMut()>;

/// One comparison: a scenario name (starting with the crate's short name),
/// tackle's code, and optionally a peer's code doing the same work.
pub struct Scenario {
    name: String,
    tackle: Work,
    peer: Option<(&'static str, Work)>,
    goal: Option<f64>,
}

impl Scenario {
    /// A scenario measuring tackle alone (no peer does the same job).
    pub fn solo<T>(name: impl Into<String>, mut tackle: impl FnMut() -> T + 'static) -> Self {
        Scenario {
            name: name.into(),
            tackle: Box::new(move || {
                black_box(tackle());
            }),
            peer: None,
            goal: None,
        }
    }

    /// A scenario measuring tackle against `peer_name` doing the same work;
    /// `goal` is the peer/tackle ratio the issue asks for.
    pub fn versus<T, U>(
        name: impl Into<String>,
        tackle: impl FnMut() -> T + 'static,
        peer_name: &'static str,
        mut peer: impl FnMut() -> U + 'static,
        goal: f64,
    ) -> Self {
        let mut s = Scenario::solo(name, tackle);
        s.peer = Some((
            peer_name,
            Box::new(move || {
                black_box(peer());
            }),
        ));
        s.goal = Some(goal);
        s
    }

    /// This scenario with no goal: a comparison shown for information.
    pub fn without_goal(mut self) -> Self {
        self.goal = None;
        self
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// One measured line of the table.
pub struct Outcome {
    pub scenario: String,
    pub tackle_ns: f64,
    pub peer: Option<&'static str>,
    pub peer_ns: Option<f64>,
    pub goal: Option<f64>,
}

impl Outcome {
    /// peer_ns / tackle_ns: above 1.0 means tackle is faster.
    pub fn ratio(&self) -> Option<f64> {
        self.peer_ns.map(|p| p / self.tackle_ns)
    }
}

/// Iterations that make one batch last about [`BATCH_TARGET`].
fn calibrate(work: &mut Work) -> u64 {
    let mut iters: u64 = 1;
    loop {
        let elapsed = time_batch(work, iters);
        if elapsed >= BATCH_TARGET / 4 || iters >= 1 << 30 {
            let per_iter = elapsed.as_secs_f64() / iters as f64;
            return ((BATCH_TARGET.as_secs_f64() / per_iter.max(1e-12)) as u64).max(1);
        }
        iters *= 4;
    }
}

fn time_batch(work: &mut Work, iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        work();
    }
    start.elapsed()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 0 {
        (xs[mid - 1] + xs[mid]) / 2.0
    } else {
        xs[mid]
    }
}

/// Runs one scenario: warm-up, calibration, then interleaved rounds.
pub fn run(mut s: Scenario) -> Outcome {
    let tackle_iters = calibrate(&mut s.tackle);
    let peer_iters = s.peer.as_mut().map(|(_, p)| calibrate(p));
    let mut tackle_ns = Vec::with_capacity(ROUNDS);
    let mut peer_ns = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let mut measure_tackle = |s: &mut Scenario| {
            let t = time_batch(&mut s.tackle, tackle_iters);
            tackle_ns.push(t.as_nanos() as f64 / tackle_iters as f64);
        };
        let mut measure_peer = |s: &mut Scenario| {
            if let (Some((_, p)), Some(iters)) = (s.peer.as_mut(), peer_iters) {
                let t = time_batch(p, iters);
                peer_ns.push(t.as_nanos() as f64 / iters as f64);
            }
        };
        if round % 2 == 0 {
            measure_tackle(&mut s);
            measure_peer(&mut s);
        } else {
            measure_peer(&mut s);
            measure_tackle(&mut s);
        }
    }
    Outcome {
        scenario: s.name,
        tackle_ns: median(tackle_ns),
        peer: s.peer.as_ref().map(|(n, _)| *n),
        peer_ns: (!peer_ns.is_empty()).then(|| median(peer_ns)),
        goal: s.goal,
    }
}

/// Formats one table line:
/// `scenario  tackle_ns  peer  peer_ns  ratio(peer/tackle)  goal`.
pub fn table_line(o: &Outcome) -> String {
    let dash = || "-".to_string();
    format!(
        "{:<44} {:>12.1} {:<14} {:>12} {:>8} {:>6}",
        o.scenario,
        o.tackle_ns,
        o.peer.unwrap_or("-"),
        o.peer_ns.map(|p| format!("{p:.1}")).unwrap_or_else(dash),
        o.ratio().map(|r| format!("{r:.2}")).unwrap_or_else(dash),
        o.goal.map(|g| format!("{g:.2}")).unwrap_or_else(dash),
    )
}

/// The header line matching [`table_line`].
pub fn table_header() -> String {
    format!(
        "{:<44} {:>12} {:<14} {:>12} {:>8} {:>6}",
        "scenario", "tackle_ns", "peer", "peer_ns", "ratio", "goal"
    )
}

/// The outcomes as the JSON array DESIGN.md specifies.
pub fn to_json(outcomes: &[Outcome]) -> String {
    let rows: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            serde_json::json!({
                "scenario": o.scenario,
                "tackle_ns": round1(o.tackle_ns),
                "peer": o.peer,
                "peer_ns": o.peer_ns.map(round1),
                "ratio": o.ratio().map(round2),
                "goal": o.goal,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_string())
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
