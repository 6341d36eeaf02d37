//! The debugger page in a real headless Chromium (chromedriver + fantoccini):
//! it renders, frames expand, nothing is loaded from another origin, an XSS
//! corpus does not execute, the PIN flow and replay work by clicking, and a
//! screenshot is saved for a person to look at.
//!
//! One chromedriver and one browser session serve every check (they run in
//! sequence in one test) to keep the wall time low. Without Chromium the
//! test prints `skipped: chromium not found` and passes, unless `CI=true`.

mod support {
    pub mod app;
    pub mod chrome;
}

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde_json::{Value, json};
use support::app::{OtherOrigin, Server, serve};
use support::chrome::Chrome;
use tackle_debugger::{DebuggerLayer, RequestBody};
use tower::Layer;

/// The XSS corpus: each is put in a panic message, a request header value,
/// a span field value and the request path and query.
const XSS: &[&str] = &[
    "<script>window.__xss=1</script>",
    "\"><img src=x onerror=\"window.__xss=1\">",
    "'><img src=x onerror='window.__xss=1'>",
    "<svg onload=window.__xss=1>",
    "javascript:window.__xss=1",
    "<a href=\"javascript:window.__xss=1\" id=\"xss-link\">click</a>",
    "</title><script>window.__xss=1</script>",
    "'-alert(1)-'",
    "\";alert(1);//",
    "</textarea><script>window.__xss=1</script>",
    "</pre></td></tr></table><script>window.__xss=1</script>",
    "<iframe srcdoc=\"<script>parent.__xss=1</script>\"></iframe>",
    "<style>body{display:none}</style>",
    "{{7*7}}${alert(1)}",
    "&lt;script&gt;window.__xss=1&lt;/script&gt;",
];

/// What the application's handlers share: the other origin's URL (for the
/// attempted loads) and `/flaky`'s first-call flag.
struct AppState {
    other: String,
    flaky_failed: AtomicBool,
}

/// The right PIN, and how long a failure waits at first.
const PIN: &str = "123456789";

fn layer() -> DebuggerLayer {
    install_tracing();
    DebuggerLayer::new()
        .enabled(true)
        .app_root(tackle_debugger::app_root!())
        .pin(PIN)
        .pin_delay(Duration::from_millis(5))
}

/// The panic hook and a global subscriber with the report layer, once per
/// process (tests share it).
fn install_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt;
        tackle_report::install_panic_hook();
        let subscriber = tracing_subscriber::registry().with(tackle_report::ReportLayer::new());
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
    });
}

async fn app_server(layer: DebuggerLayer, other: &OtherOrigin) -> Server {
    let state = Arc::new(AppState {
        other: other.origin(),
        flaky_failed: AtomicBool::new(false),
    });
    let app = tower::service_fn(move |request: Request<RequestBody<Incoming>>| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(handle(&state, &request)) }
    });
    serve(layer.layer(app)).await
}

/// The routes: `/panic`, `/deep`, `/other`, `/xss/<n>/…`, `/flaky`, `/ok`.
fn handle(state: &AppState, request: &Request<RequestBody<Incoming>>) -> Response<String> {
    let path = request.uri().path();
    let _request_span = tracing::info_span!("request", path = %path).entered();
    tracing::info!("handling the request");
    match path {
        "/panic" => {
            panic!("the browser test panics here"); // BROWSER-PANIC-SITE
        }
        "/deep" => checkout(42),
        "/other" => load_from_other(&state.other),
        "/flaky" => {
            if !state.flaky_failed.swap(true, Ordering::SeqCst) {
                panic!("flaky: the first call fails");
            }
            Response::new("recovered".to_owned())
        }
        "/ok" => {
            let echo = request
                .headers()
                .get("x-echo")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            Response::new(format!("ok{echo}"))
        }
        _ => {
            if let Some(rest) = path.strip_prefix("/xss/") {
                let n: usize = rest.split('/').next().unwrap().parse().unwrap();
                with_payload(n, XSS[n]);
            }
            let mut response = Response::new("not found".to_owned());
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

#[tracing::instrument(fields(shop = "tackle-books"))]
fn checkout(order_id: u64) -> Response<String> {
    tracing::info!(items = 3, "checking out");
    load_cart("ada", order_id)
}

#[tracing::instrument(fields(cart_size = 3))]
fn load_cart(customer: &str, order_id: u64) -> Response<String> {
    tracing::warn!(customer, "cart has an item without a price");
    price_line("BK-0042")
}

#[tracing::instrument]
fn price_line(sku: &str) -> Response<String> {
    // Through a dependency (serde_json), so that the stack has a folded
    // dependency group.
    let json = serde_json::to_string(&Price { sku }).unwrap();
    Response::new(json)
}

struct Price<'a> {
    sku: &'a str,
}

impl serde::Serialize for Price<'_> {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        panic!("no price for sku {}", self.sku); // DEEP-PANIC-SITE
    }
}

#[tracing::instrument(skip_all, fields(payload = %payload))]
fn with_payload(n: usize, payload: &str) {
    panic!("xss {n}: {payload}");
}

#[tracing::instrument(skip_all, fields(img = %format!("<img src=\"{other}/from-span\">")))]
fn load_from_other(other: &str) -> Response<String> {
    panic!(
        "<img src=\"{other}/from-message\"> <link rel=\"stylesheet\" href=\"{other}/from-message.css\"> \
         <script src=\"{other}/from-message.js\"></script> <iframe src=\"{other}/from-message-frame\"></iframe>"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debugger_page_in_headless_chromium() {
    let started = Instant::now();
    let Some(chrome) = Chrome::start().await else {
        return;
    };
    let other = OtherOrigin::start().await;
    let server = app_server(layer(), &other).await;

    page_renders(&chrome.client, &server).await;
    frames_expand(&chrome.client, &server).await;
    screenshot_of_deep(&chrome.client, &server).await;
    nothing_from_other_origins(&chrome, &server, &other).await;
    xss_corpus_does_not_execute(&chrome, &server, "localhost", false).await;

    // The PIN and what it unlocks, each on its own server (a lockout lasts
    // until restart) and its own host name (cookies ignore the port).
    let locked = app_server(layer(), &other).await;
    ten_wrong_pins_lock(&chrome.client, &locked, "pin-lock.localhost").await;
    let plain = app_server(layer(), &other).await;
    right_pin_unlocks(&chrome.client, &plain, "pin-plain.localhost", PIN).await;
    let unlocked = app_server(layer(), &other).await;
    let host = "pin-dashes.localhost";
    right_pin_unlocks(&chrome.client, &unlocked, host, "123-456-789").await;
    let path = save_screenshot(&chrome.client, "unlocked.png").await;
    println!("screenshot of an unlocked report page: {}", path.display());
    replay_and_resend(&chrome.client, &unlocked, host).await;
    // The unlocked page has forms prefilled with the request: the corpus
    // again.
    xss_corpus_does_not_execute(&chrome, &unlocked, host, true).await;

    assert_eq!(
        other.hits(),
        0,
        "requests reached the other origin: {:?}",
        other.paths()
    );
    chrome.close().await;
    println!("browser checks took {:?}", started.elapsed());
}

/// Navigates and waits for the document to be complete.
async fn open(client: &Client, url: &str) {
    client
        .goto(url)
        .await
        .unwrap_or_else(|e| panic!("goto {url}: {e}"));
}

async fn css(client: &Client, selector: &str) -> fantoccini::elements::Element {
    client
        .find(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no element `{selector}` on the page: {e}"))
}

async fn text_of(client: &Client, selector: &str) -> String {
    css(client, selector).await.text().await.unwrap()
}

async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("script `{script}`: {e}"))
}

/// Check 1: `/panic` shows the page with the message and the failing line.
async fn page_renders(client: &Client, server: &Server) {
    open(client, &server.url("/panic")).await;
    let message = text_of(client, "h1#message").await;
    assert!(
        message.contains("the browser test panics here"),
        "h1#message is {message:?}"
    );
    let hit = text_of(client, "tr.hit").await;
    assert!(
        hit.contains("panic!(\"the browser test panics here\"); // BROWSER-PANIC-SITE"),
        "the marked line tr.hit is {hit:?}, not the panic! line of tests/browser.rs"
    );
    let app_frames = client
        .find_all(Locator::Css("div.frame.app"))
        .await
        .unwrap();
    assert!(
        !app_frames.is_empty(),
        "no in-app frame (div.frame.app) on the /panic page"
    );
}

/// Check 2: a folded dependency group (serde_json, on the `/deep` page)
/// and the "show all" toggle open on a click.
async fn frames_expand(client: &Client, server: &Server) {
    open(client, &server.url("/deep")).await;
    let dep = css(client, "details.dep").await;
    let list = dep.find(Locator::Css("ol, ul")).await.unwrap();
    assert!(
        !list.is_displayed().await.unwrap(),
        "a dependency group's frames are shown before it is opened"
    );
    dep.find(Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        list.is_displayed().await.unwrap(),
        "clicking the summary of details.dep did not show its frames"
    );

    let all = css(client, "details#all-frames").await;
    assert_eq!(
        all.prop("open").await.unwrap().as_deref(),
        Some("false"),
        "details#all-frames is open before a click"
    );
    let summary = all.find(Locator::Css("summary")).await.unwrap();
    summary.click().await.unwrap();
    assert_eq!(
        all.prop("open").await.unwrap().as_deref(),
        Some("true"),
        "clicking the summary of details#all-frames did not open it"
    );
    let shown = js(
        client,
        "const d = document.querySelector('details#all-frames'); \
         return [...d.children].filter(e => e.tagName !== 'SUMMARY' && e.offsetParent !== null).length;",
    )
    .await;
    assert!(
        shown.as_u64().unwrap_or(0) > 0,
        "details#all-frames shows nothing once open"
    );
    // Every frame, the trimmed runtime ones too.
    let listed = all.text().await.unwrap();
    for frame in ["tokio", "serde_json", "browser::price_line"] {
        assert!(
            listed.contains(frame),
            "details#all-frames does not list a {frame} frame"
        );
    }
}

/// Check 7: a screenshot of the `/deep` page, for a person to look at.
async fn screenshot_of_deep(client: &Client, server: &Server) {
    open(client, &server.url("/deep")).await;
    let message = text_of(client, "h1#message").await;
    assert!(message.contains("no price for sku BK-0042"), "{message:?}");
    let page = text_of(client, "body").await;
    for span in [
        "price_line",
        "load_cart",
        "checkout",
        "cart_size",
        "tackle-books",
    ] {
        assert!(page.contains(span), "the /deep page does not show {span:?}");
    }
    let path = save_screenshot(client, "report.png").await;
    println!("screenshot of the /deep report page: {}", path.display());
    let written = std::fs::read(&path).unwrap();
    assert!(
        written.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        written.len() > 10 * 1024,
        "{} is only {} bytes",
        path.display(),
        written.len()
    );
}

/// Saves a screenshot of the whole current page (the window stretched to
/// its height, at most 8000 px) as `target/debugger-screenshots/<name>`
/// (under `CARGO_TARGET_DIR` when set) and returns its path.
async fn save_screenshot(client: &Client, name: &str) -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| workspace.join("target"), |dir| workspace.join(dir));
    let dir = target.join("debugger-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let height = js(client, "return document.documentElement.scrollHeight;")
        .await
        .as_u64()
        .unwrap_or(1600)
        .clamp(800, 8000);
    client.set_window_size(1280, height as u32).await.unwrap();
    let png = client.screenshot().await.unwrap();
    client.set_window_size(1280, 1600).await.unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &png).unwrap();
    path.canonicalize().unwrap()
}

/// The resource-timing entries of the current page that are not from its
/// own origin.
async fn foreign_resources(client: &Client) -> Vec<String> {
    let value = js(
        client,
        "return performance.getEntriesByType('resource').map(e => e.name)\
         .filter(n => !n.startsWith(location.origin + '/'));",
    )
    .await;
    serde_json::from_value(value).unwrap()
}

/// Check 3: nothing on the pages loads from another origin, even when the
/// message, a header, a span field and the query name one.
async fn nothing_from_other_origins(chrome: &Chrome, server: &Server, other: &OtherOrigin) {
    let client = &chrome.client;
    let o = other.origin();
    chrome
        .set_extra_headers(json!({ "X-Payload": format!("<img src=\"{o}/from-header\">") }))
        .await;
    let query = percent_encode(&format!("<img src=\"{o}/from-query\">"));
    for path in [
        "/panic".to_owned(),
        "/deep".to_owned(),
        format!("/other?u={query}"),
        "/_debug/".to_owned(),
    ] {
        open(client, &server.url(&path)).await;
        let foreign = foreign_resources(client).await;
        assert!(
            foreign.is_empty(),
            "{path}: resources from another origin: {foreign:?}"
        );
    }
    // The /other page shows the markup as text.
    open(client, &server.url(&format!("/other?u={query}"))).await;
    let message = text_of(client, "h1#message").await;
    assert!(
        message.contains(&format!("<img src=\"{o}/from-message\">")),
        "{message:?}"
    );
    let page = text_of(client, "body").await;
    for from in ["from-header", "from-span"] {
        assert!(
            page.contains(&format!("<img src=\"{o}/{from}\">")),
            "the /other page does not show the {from} markup as text"
        );
    }
    // Give a stray load a moment to arrive before counting.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        other.hits(),
        0,
        "requests reached the other origin: {:?}",
        other.paths()
    );
}

/// Every byte but unreserved ones as `%XX`.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The text of the `td` beside the `th` whose text is `name`, in any
/// key/value table of the page.
async fn row_value(client: &Client, name: &str) -> Option<String> {
    let value = client
        .execute(
            "const name = arguments[0]; \
             const th = [...document.querySelectorAll('tr > th')].find(t => t.textContent.trim() === name); \
             return th ? th.parentElement.querySelector('td').textContent : null;",
            vec![json!(name)],
        )
        .await
        .unwrap();
    value.as_str().map(str::to_owned)
}

/// Check 4: the corpus in the message, a header, a span field, the path
/// and the query: nothing runs, and each shows as text.
async fn xss_corpus_does_not_execute(chrome: &Chrome, server: &Server, host: &str, unlocked: bool) {
    let client = &chrome.client;
    for (n, payload) in XSS.iter().enumerate() {
        chrome
            .set_extra_headers(json!({ "X-Payload": payload }))
            .await;
        let encoded = percent_encode(payload);
        let target = format!("/xss/{n}/{encoded}?q={encoded}");
        // The page answering the request itself, then (unlocked) the
        // report's own page, whose forms are prefilled with the request.
        let report = if unlocked {
            Some(report_of(client, server, host, &target).await)
        } else {
            open(client, &server.url_on(host, &target)).await;
            None
        };
        assert_eq!(
            has(client, "form#resend-form").await,
            unlocked,
            "payload {n}: the resend form is there only when unlocked"
        );
        payload_is_inert(client, n, payload, &target).await;
        if let Some(report) = report {
            let headers = js(client, "const t = document.querySelector('form#resend-form textarea[name=headers]'); return t ? t.value : null;").await;
            assert!(
                headers.as_str().is_some_and(|h| h.contains(payload)),
                "payload {n}: the resend form's headers do not hold it: {headers:?} ({report})"
            );
        }
    }
    chrome.set_extra_headers(json!({})).await;
}

/// On the current page: `payload` (number `n`, sent to `target`) ran no
/// script, opened no alert, became no markup, and shows as text in the
/// message, the title, the header and span-field rows and the request line.
async fn payload_is_inert(client: &Client, n: usize, payload: &str, target: &str) {
    assert!(
        client.get_alert_text().await.is_err(),
        "payload {n} {payload:?} opened an alert"
    );
    let foreign = foreign_resources(client).await;
    assert!(
        foreign.is_empty(),
        "payload {n}: resources from another origin: {foreign:?}"
    );
    let xss = js(client, "return typeof window.__xss;").await;
    assert_eq!(xss, json!("undefined"), "payload {n} {payload:?} ran");
    let markup = js(
        client,
        "return { \
           handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length, \
           jsLinks: document.querySelectorAll('[href^=\"javascript:\" i], [src^=\"javascript:\" i]').length, \
           strayScripts: [...document.scripts].filter(s => !s.nonce).length, \
           injected: document.querySelectorAll('img, svg, iframe, #xss-link, body style').length };",
    )
    .await;
    assert_eq!(
        markup,
        json!({ "handlers": 0, "jsLinks": 0, "strayScripts": 0, "injected": 0 }),
        "payload {n} {payload:?} became markup"
    );

    let message = text_of(client, "h1#message").await;
    assert!(
        message.contains(&format!("xss {n}: {payload}")),
        "payload {n}: the message shows {message:?}"
    );
    let title = client.title().await.unwrap();
    assert!(
        title.contains(payload),
        "payload {n}: the title is {title:?}"
    );
    assert_eq!(
        row_value(client, "x-payload").await.as_deref(),
        Some(payload),
        "payload {n}: the x-payload header row"
    );
    assert_eq!(
        row_value(client, "payload").await.as_deref(),
        Some(payload),
        "payload {n}: the span field row"
    );
    let page = text_of(client, "body").await;
    assert!(
        page.contains(target),
        "payload {n}: the request target {target} is not shown"
    );
}

/// Whether the page has an element matching `selector`.
async fn has(client: &Client, selector: &str) -> bool {
    !client
        .find_all(Locator::Css(selector))
        .await
        .unwrap()
        .is_empty()
}

/// Types `pin` into `input#pin` and clicks `button#pin-submit`.
async fn submit_pin(client: &Client, pin: &str) {
    let input = css(client, "form#pin-form input#pin").await;
    input.clear().await.unwrap();
    input.send_keys(pin).await.unwrap();
    click_and_wait(client, "form#pin-form button#pin-submit").await;
}

/// Clicks `selector` (a submit button) and waits until the next page has
/// replaced this one and finished loading.
async fn click_and_wait(client: &Client, selector: &str) {
    js(client, "window.__before_click = true; return null;").await;
    css(client, selector).await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let done = client
            .execute(
                "return window.__before_click === undefined && document.readyState === 'complete';",
                Vec::new(),
            )
            .await;
        // A command may fail while the page is being replaced: try again.
        if let Ok(Value::Bool(true)) = done {
            let refused = js(
                client,
                "const h = document.querySelector('h1'); return h ? h.textContent : '';",
            )
            .await;
            assert_ne!(
                refused,
                json!("Cross-origin request refused"),
                "clicking {selector}: the debugger refused its own form (Chromium sends \
                 `Origin: null` with a form POST from a page under `Referrer-Policy: \
                 no-referrer`; `Sec-Fetch-Site: same-origin` still says it is ours)"
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "clicking {selector}: no new page within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The path of the current page.
async fn current_path(client: &Client) -> String {
    client.current_url().await.unwrap().path().to_owned()
}

/// Opens `path` (which panics) on `host`, then its report at
/// `/_debug/<id>` (the id from the page's About table), and returns that
/// path.
async fn report_of(client: &Client, server: &Server, host: &str, path: &str) -> String {
    open(client, &server.url_on(host, path)).await;
    let id = row_value(client, "report id")
        .await
        .unwrap_or_else(|| panic!("{path} on {host}: no report page with a report id"));
    let report = format!("/_debug/{}", id.trim());
    open(client, &server.url_on(host, &report)).await;
    assert!(has(client, "h1#message").await, "{report}: no report page");
    report
}

/// Check 5, locking: ten wrong PINs lock the PIN out, and then even the
/// right one is refused.
async fn ten_wrong_pins_lock(client: &Client, server: &Server, host: &str) {
    let report = report_of(client, server, host, "/panic").await;
    assert!(
        has(client, "form#pin-form").await,
        "the report page has no form#pin-form before unlocking"
    );
    assert!(
        !has(client, "form#replay-form").await,
        "form#replay-form is offered without the PIN"
    );
    let max = tackle_debugger::MAX_PIN_FAILURES;
    assert_eq!(max, 10, "the issue asks for a lockout after 10 failures");
    let mut stale_form = String::new();
    for attempt in 1..=max {
        // Kept to try the right PIN once locked, should the locked page
        // offer no form.
        stale_form = js(
            client,
            "return document.querySelector('form#pin-form').outerHTML;",
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
        submit_pin(client, "987654321").await;
        if attempt < max {
            assert!(
                has(client, "#pin-error").await,
                "wrong PIN #{attempt}: no #pin-error on {}",
                describe(client).await
            );
            assert!(
                has(client, "form#pin-form input#pin").await,
                "wrong PIN #{attempt}: the form is not offered again"
            );
            assert!(
                !has(client, "#pin-locked").await,
                "locked after {attempt} failures"
            );
        }
    }
    assert!(
        has(client, "#pin-locked").await,
        "after {max} wrong PINs there is no #pin-locked"
    );
    open(client, &server.url_on(host, &report)).await;
    assert!(
        has(client, "#pin-locked").await,
        "the report page does not say #pin-locked after {max} failures"
    );
    if !has(client, "form#pin-form input#pin").await {
        // No form once locked: the form of the last attempt, as a page
        // left open would still have it.
        client
            .execute(
                "document.body.insertAdjacentHTML('beforeend', arguments[0]);",
                vec![json!(stale_form)],
            )
            .await
            .unwrap();
    }
    submit_pin(client, PIN).await;
    assert!(
        has(client, "#pin-locked").await,
        "the right PIN after the lockout: no #pin-locked"
    );
    open(client, &server.url_on(host, &report)).await;
    assert!(
        !has(client, "form#replay-form").await,
        "the right PIN was accepted after the lockout"
    );
}

/// Check 5, unlocking: the right PIN (as typed: `pin`) leads back to the
/// report page, now with the replay, resend and reveal forms.
async fn right_pin_unlocks(client: &Client, server: &Server, host: &str, pin: &str) {
    let report = report_of(client, server, host, "/panic").await;
    submit_pin(client, pin).await;
    assert_eq!(
        current_path(client).await,
        report,
        "the right PIN ({pin}) did not lead back to the report page"
    );
    for form in ["form#replay-form", "form#resend-form", "form#reveal-form"] {
        assert!(
            has(client, form).await,
            "PIN {pin}: no {form} once unlocked"
        );
    }
    assert!(
        !has(client, "#pin-error").await && !has(client, "form#pin-form").await,
        "PIN {pin}: still asked for the PIN"
    );
}

/// Check 6: replay and edit-and-resend by clicking (the PIN already given
/// on `host`).
async fn replay_and_resend(client: &Client, server: &Server, host: &str) {
    // /panic panics again: a new report, with the replay banner.
    let report = report_of(client, server, host, "/panic").await;
    click_and_wait(client, "form#replay-form button#replay").await;
    let landed = current_path(client).await;
    assert!(
        landed.starts_with("/_debug/") && landed != report && landed.len() == report.len(),
        "replaying /panic landed on {landed}, not another report than {report}: {}",
        describe(client).await
    );
    assert!(
        has(client, "#replay-banner").await,
        "no #replay-banner on {landed}"
    );
    let message = text_of(client, "h1#message").await;
    assert!(
        message.contains("the browser test panics here"),
        "{message:?}"
    );

    // /flaky fails once, then answers 200 "recovered".
    report_of(client, server, host, "/flaky").await;
    let message = text_of(client, "h1#message").await;
    assert!(
        message.contains("flaky: the first call fails"),
        "{message:?}"
    );
    click_and_wait(client, "form#replay-form button#replay").await;
    assert!(
        has(client, "#replay-result").await,
        "replaying /flaky: no #replay-result"
    );
    assert_eq!(text_of(client, "#replay-status").await.trim(), "200");
    let body = text_of(client, "pre#replay-body").await;
    assert!(
        body.contains("recovered"),
        "replaying /flaky answered {body:?}"
    );

    // Edit and resend: another target and an added header.
    client.back().await.unwrap();
    if !has(client, "form#resend-form").await {
        let flaky = js(
            client,
            "const a = [...document.querySelectorAll('a[href^=\"/_debug/\"]')].find(a => a.getAttribute('href').length > 9); \
             return a ? a.getAttribute('href') : null;",
        )
        .await;
        panic!("going back from the replay result gave no resend form ({flaky:?})");
    }
    let target = css(client, "form#resend-form [name=target]").await;
    target.clear().await.unwrap();
    target.send_keys("/ok?x=1").await.unwrap();
    let headers = css(client, "form#resend-form textarea[name=headers]").await;
    headers.send_keys("\nX-Echo: -edited").await.unwrap();
    click_and_wait(client, "form#resend-form button#resend").await;
    assert!(
        has(client, "#replay-result").await,
        "resending /ok?x=1: no #replay-result"
    );
    assert_eq!(text_of(client, "#replay-status").await.trim(), "200");
    let body = text_of(client, "pre#replay-body").await;
    assert_eq!(body.trim(), "ok-edited", "resending /ok?x=1 with X-Echo");
}

/// The current URL and the start of the page's text, for assert messages.
async fn describe(client: &Client) -> String {
    let url = client.current_url().await.unwrap();
    let text = js(
        client,
        "return document.body ? document.body.innerText : '';",
    )
    .await;
    let text: String = text
        .as_str()
        .unwrap_or_default()
        .chars()
        .take(600)
        .collect();
    format!("{url}: {text:?}")
}
