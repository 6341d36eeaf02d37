//! The `sessions` example over a real socket: its own `serve` on
//! 127.0.0.1:0 with a memory store, spoken to by a raw HTTP/1.1 client that
//! keeps the session cookie as a browser would, so that what is checked is
//! what goes over the wire: when `Set-Cookie` is sent and with which
//! attributes, the id changing at login, the old id worth nothing after,
//! the flash shown once, and the cookie expired at logout.

#[path = "support/raw_http.rs"]
mod raw_http;
#[path = "../examples/sessions.rs"]
mod sessions_example;

use std::net::SocketAddr;

use raw_http::{Reply, send};
use serde_json::json;
use sessions_example::{app, serve};
use tackle::session::MemoryStore;
use tokio::net::TcpListener;

/// The example app with an empty memory store, served on a free port.
async fn server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, app(MemoryStore::new())));
    addr
}

/// A client with a one-cookie jar: it sends the cookie it was last given,
/// and forgets it when told to (`Max-Age=0`).
struct Browser {
    addr: SocketAddr,
    cookie: Option<String>,
}

impl Browser {
    fn new(addr: SocketAddr) -> Self {
        Browser { addr, cookie: None }
    }

    async fn request(&mut self, method: &str, target: &str, form: Option<&str>) -> Reply {
        let mut headers = String::new();
        if let Some(cookie) = &self.cookie {
            headers += &format!("Cookie: {cookie}\r\n");
        }
        if form.is_some() {
            headers += "Content-Type: application/x-www-form-urlencoded\r\n";
        }
        let reply = send(
            self.addr,
            method,
            target,
            &headers,
            form.unwrap_or("").as_bytes(),
        )
        .await;
        let set_cookies: Vec<&str> = reply
            .headers
            .iter()
            .filter(|(name, _)| name == "set-cookie")
            .map(|(_, value)| value.as_str())
            .collect();
        assert!(
            set_cookies.len() <= 1,
            "one Set-Cookie at most: {set_cookies:?}"
        );
        if let Some(set_cookie) = set_cookies.first() {
            let pair = set_cookie.split(';').next().unwrap();
            self.cookie = (!set_cookie.contains("Max-Age=0")).then(|| pair.to_owned());
        }
        reply
    }

    async fn get(&mut self, target: &str) -> Reply {
        self.request("GET", target, None).await
    }

    async fn post(&mut self, target: &str, form: &str) -> Reply {
        self.request("POST", target, Some(form)).await
    }
}

#[tokio::test]
async fn login_rotates_the_id_flashes_once_and_logout_ends_the_session() {
    let addr = server().await;
    let mut browser = Browser::new(addr);

    // A read of no session: nothing created, no cookie.
    let count = browser.get("/count").await;
    assert_eq!(count.status, 200, "{}", count.text());
    assert_eq!(count.json(), json!({"visits": 0, "user": null}));
    assert_eq!(count.header("set-cookie"), None);

    // The first visit creates the session.
    let home = browser.get("/").await;
    assert_eq!(home.status, 200, "{}", home.text());
    assert!(
        home.text().contains("Visit 1 of this session."),
        "{}",
        home.text()
    );
    assert!(home.text().contains("action=\"/login\""));
    let set_cookie = home.header("set-cookie").expect("a new session's cookie");
    assert!(set_cookie.starts_with("session="), "{set_cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} in {set_cookie}"
        );
    }
    // Plain HTTP: the example turns Secure off; and a browser-session cookie.
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    assert!(!set_cookie.contains("Max-Age"), "{set_cookie}");
    let before_login = browser.cookie.clone().unwrap();

    // Login: 303 to /, a new id; the counter goes along.
    let login = browser.post("/login", "name=Ada+%3Cb%3E").await;
    assert_eq!(login.status, 303, "{}", login.text());
    assert_eq!(login.header("location"), Some("/"));
    let after_login = browser.cookie.clone().unwrap();
    assert_ne!(after_login, before_login, "rotate_id gives a new id");

    // The flash, escaped, shown once; the user; the visit count kept.
    let home = browser.get("/").await;
    let page = home.text();
    assert!(
        page.contains("<p class=\"flash success\">Welcome, Ada &lt;b&gt;</p>"),
        "{page}"
    );
    assert!(
        page.contains("Signed in as <b>Ada &lt;b&gt;</b>."),
        "{page}"
    );
    assert!(page.contains("Visit 2 of this session."), "{page}");
    assert_eq!(
        browser.cookie.as_deref(),
        Some(&*after_login),
        "same id after a write"
    );
    let again = browser.get("/").await.text();
    assert!(!again.contains("Welcome"), "a flash is shown once: {again}");
    assert!(again.contains("Visit 3 of this session."), "{again}");

    // A read sends no cookie.
    let count = browser.get("/count").await;
    assert_eq!(count.json(), json!({"visits": 3, "user": "Ada <b>"}));
    assert_eq!(count.header("set-cookie"), None);

    // The id from before login was deleted: whoever holds it has nothing.
    let mut attacker = Browser {
        addr,
        cookie: Some(before_login),
    };
    let stolen = attacker.get("/count").await;
    assert_eq!(stolen.json(), json!({"visits": 0, "user": null}));

    // Logout: the cookie expires, and the session is gone from the store.
    let logout = browser.request("POST", "/logout", None).await;
    assert_eq!(logout.status, 303, "{}", logout.text());
    let removal = logout.header("set-cookie").expect("a removal cookie");
    assert!(
        removal.starts_with("session=;") && removal.contains("Max-Age=0"),
        "{removal}"
    );
    assert_eq!(browser.cookie, None);
    let mut replay = Browser {
        addr,
        cookie: Some(after_login),
    };
    let replayed = replay.get("/count").await;
    assert_eq!(replayed.json(), json!({"visits": 0, "user": null}));
    assert_eq!(replayed.header("set-cookie"), None);
}

#[tokio::test]
async fn bad_cookies_give_a_fresh_session_and_bad_names_a_400() {
    let addr = server().await;

    for cookie in [
        "session=not-an-id",
        "session=AAAAAAAAAAAAAAAAAAAAAA",
        "session=",
        "other=1",
    ] {
        let mut browser = Browser {
            addr,
            cookie: Some(cookie.to_owned()),
        };
        let count = browser.get("/count").await;
        assert_eq!(count.status, 200, "{cookie}: {}", count.text());
        assert_eq!(count.json(), json!({"visits": 0, "user": null}), "{cookie}");
        let home = browser.get("/").await;
        assert!(home.text().contains("Visit 1 of this session."), "{cookie}");
        assert_ne!(
            browser.cookie.as_deref(),
            Some(cookie),
            "{cookie}: a new id"
        );
    }

    let mut browser = Browser::new(addr);
    for form in [
        "name=",
        "name=+++",
        "other=x",
        &format!("name={}", "x".repeat(65)),
    ] {
        let refused = browser.post("/login", form).await;
        assert_eq!(refused.status, 400, "{form}: {}", refused.text());
        assert_eq!(refused.header("set-cookie"), None, "{form}");
    }
    let accepted = browser
        .post("/login", &format!("name={}", "x".repeat(64)))
        .await;
    assert_eq!(accepted.status, 303, "{}", accepted.text());
    assert!(browser.cookie.is_some());

    // Only POST logs in; the router answers the rest.
    let wrong = browser.get("/login").await;
    assert_eq!(wrong.status, 405);
    assert_eq!(browser.get("/nowhere").await.status, 404);
}
