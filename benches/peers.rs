//! `cargo bench --bench peers [-- FILTER]`: tackle side by side with its
//! peers, one line per scenario, and the same as JSON in `target/peers.json`.
//!
//! Scenario names start with the crate's short name (`http/`, `routing/`,
//! ...); FILTER keeps the scenarios whose name contains it.

#[path = "peers/cache.rs"]
mod cache;
#[path = "peers/debugger.rs"]
mod debugger;
#[path = "peers/harness.rs"]
mod harness;
#[path = "peers/http.rs"]
mod http;
#[path = "peers/multipart.rs"]
mod multipart;
#[path = "peers/routing.rs"]
mod routing;
#[path = "peers/session.rs"]
mod session;
#[path = "peers/static_files.rs"]
mod static_files;

use std::io::Write;
use std::path::PathBuf;

use harness::Scenario;

fn main() {
    // cargo passes `--bench`; anything else not starting with `-` filters.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let scenarios: Vec<Scenario> = http::scenarios()
        .into_iter()
        .chain(multipart::scenarios())
        .chain(routing::scenarios())
        .chain(cache::scenarios())
        .chain(static_files::scenarios())
        .chain(session::scenarios())
        .chain(debugger::scenarios())
        .filter(|s| filters.is_empty() || filters.iter().any(|f| s.name().contains(f.as_str())))
        .collect();

    println!("{}", harness::table_header());
    let mut outcomes = Vec::new();
    for scenario in scenarios {
        let outcome = harness::run(scenario);
        println!("{}", harness::table_line(&outcome));
        let _ = std::io::stdout().flush();
        outcomes.push(outcome);
    }

    let path = target_dir().join("peers.json");
    match std::fs::write(&path, harness::to_json(&outcomes)) {
        Ok(()) => println!("wrote {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}
