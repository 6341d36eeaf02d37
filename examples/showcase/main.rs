//! The tackle showcase: a file drop with notes, using every tackle crate.
//!
//! ```text
//! cargo run --example showcase                              # development: the debugger on
//! TACKLE_ENV=production cargo run --example showcase        # production: error mail on
//! ```
//!
//! Then open <http://127.0.0.1:8000>, log in with any name and the password
//! `tackle`, and upload a file.
//!
//! | route | what |
//! |---|---|
//! | `GET /` | the home page |
//! | `GET /static/{*path}` | the stylesheet and script (embedded; fingerprinted, immutable, gzip) |
//! | `GET`, `POST /login`; `POST /logout` | the login form (sessions, id rotation, flash messages) |
//! | `GET /files`; `POST /files` | the files, newest first; upload one with a note (logged in) |
//! | `GET /files/{id}/download` | a file as an attachment, with ranges and validators |
//! | `POST /upload` | the parsed form (multipart or urlencoded) as JSON, not stored |
//! | `GET /session` | `{"count": N}`, one more per call in this session |
//! | `GET /hello` | `Hello, world!` (the end-to-end benchmark's route) |
//! | `GET /boom`, `GET /fail` | a panic; a 500 with an attached error |
//!
//! | variable | default | |
//! |---|---|---|
//! | `TACKLE_ADDR` | `127.0.0.1:8000` | where to listen |
//! | `TACKLE_ENV` | `development` | `development` (the debugger) or `production` (error mail) |
//! | `REDIS_URL` | unset: sessions in memory | sessions in Redis, shared by every instance |
//! | `SMTP_URL` | unset: mail spooled only | send error mail through SMTP |
//! | `TACKLE_STATIC_DIR` | unset: the embedded bundle | serve `/static/` from this directory |
//! | `TACKLE_DATA_DIR` | a fresh temporary directory | uploads (`uploads/`) and the mail spool (`mail-spool/`) |
//! | `TACKLE_SECRET_KEY` | unset | without Redis, sessions in a cookie encrypted with this key (32+ bytes) |
//!
//! A bad value stops the program with a message naming the variable and exit
//! status 2. Try, keeping cookies in `jar`:
//!
//! ```text
//! curl -i localhost:8000/                                         # HTML, ETag, Cache-Control: private, no-cache
//! curl -i localhost:8000/ -H 'If-None-Match: "<the ETag>"'        # 304
//! curl -i -c jar -b jar localhost:8000/session                    # {"count":1}, then 2, 3, ...
//! curl -i -c jar -b jar localhost:8000/login -d username=ada -d password=tackle   # 303, a new session id
//! curl -i -c jar -b jar localhost:8000/files -F file=@Cargo.toml -F note='the manifest'   # 303 to /files
//! curl -s -c jar -b jar localhost:8000/files                      # the list, with the download link
//! curl -i localhost:8000/upload -F text=hi -F file=@Cargo.toml    # the JSON echo
//! curl -i localhost:8000/hello
//! curl -i localhost:8000/boom -H 'Accept: application/json'       # development: problem+json with debug_url
//! ```
//!
//! The code: this file reads the configuration, sets up tracing and the
//! panic hook, picks the session store, and hands the app to
//! `tackle::serve_dev` (development) or to `tackle::serve` behind the error
//! mailer (production). The app is in `app/`.

mod app;

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use app::config::{Config, Mode};
use app::files::FileStore;
use tackle::report::{CatchPanicLayer, ReportLayer, install_panic_hook};
use tackle::session::{CookieStore, MemoryStore, RedisStore, SessionStore};
use tower::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer as _, fmt as log};

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("showcase: {error}");
            return ExitCode::from(2);
        }
    };
    // Before anything can panic: reports then carry the stack and the spans
    // of the panic site.
    install_panic_hook();
    init_tracing();

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("showcase: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("showcase: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `ReportLayer` records span fields and each request's recent events for
/// error reports; INFO and above are printed on stderr.
fn init_tracing() {
    let printer = log::layer()
        .with_writer(std::io::stderr)
        .with_filter(LevelFilter::INFO);
    let _ = tracing_subscriber::registry()
        .with(ReportLayer::new())
        .with(printer)
        .try_init();
}

/// Opens the data directory and the session store, then serves.
async fn run(config: Config) -> Result<(), Box<dyn Error>> {
    // Without TACKLE_DATA_DIR, a temporary directory removed at exit.
    let (data_dir, _temporary): (PathBuf, Option<tempfile::TempDir>) = match &config.data_dir {
        Some(dir) => (dir.clone(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("tackle-showcase-")
                .tempdir()?;
            (dir.path().to_owned(), Some(dir))
        }
    };
    let files = FileStore::open(data_dir.join("uploads"))?;

    match (&config.redis_url, &config.secret_key) {
        (Some(url), _) => {
            let store = RedisStore::open(url)
                .await?
                .key_prefix("tackle-showcase:session:");
            serve(&config, &data_dir, files, store).await
        }
        (None, Some(key)) => serve(&config, &data_dir, files, CookieStore::new(key)?).await,
        (None, None) => {
            if config.mode == Mode::Production {
                eprintln!(
                    "showcase: warning: neither REDIS_URL nor TACKLE_SECRET_KEY is set: sessions \
                     live in this process's memory, will not survive a restart and are not \
                     shared with other instances"
                );
            }
            serve(&config, &data_dir, files, MemoryStore::new()).await
        }
    }
}

/// Serves the app until SIGINT or SIGTERM: with the debugger in
/// development, behind the error mailer in production.
async fn serve<S: SessionStore>(
    config: &Config,
    data_dir: &std::path::Path,
    files: FileStore,
    store: S,
) -> Result<(), Box<dyn Error>> {
    let static_dir = config.static_dir.as_deref();
    match config.mode {
        Mode::Development => {
            // The debugger shows panics to clients on this machine; the
            // catch layer inside it answers the others a plain 500 instead
            // of dropping their connection.
            let app = CatchPanicLayer::new()
                .app("tackle-showcase", env!("CARGO_PKG_VERSION"))
                .layer(app::app(store, false, files, static_dir));
            tackle::serve_dev(config.addr, app).await?;
        }
        Mode::Production => {
            let mail = app::errors::mail_layer(&data_dir.join("mail-spool"), config.smtp.clone());
            let handle = mail.handle();
            let app = mail.layer(app::app(store, true, files, static_dir));
            tackle::serve(config.addr, app).await?;
            // Mails still queued go out (or to the spool) before exit.
            handle.flush(Duration::from_secs(10)).await;
        }
    }
    Ok(())
}
