//! The layer as a client sees it: in-process through tackle-testing's
//! `TestClient` (a browser-like cookie jar), and over a real loopback
//! socket (tackle-testing's `TestServer`, hyper on `127.0.0.1:0`) with
//! hyper's client keeping cookies in a `CookieJar`.

mod common;

use bytes::Bytes;
use common::app;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, StatusCode, Uri};
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tackle_session::{MemoryStore, SessionLayer};
use tackle_testing::{CookieJar, TestClient, TestServer};

#[tokio::test]
async fn a_browser_keeps_its_session_through_the_test_client() {
    // The default layer: a Secure cookie, which the jar sends over HTTPS
    // only.
    let client = TestClient::new(app(SessionLayer::new(MemoryStore::new())));
    for expected in ["1", "2", "3"] {
        let response = client.get("https://localhost/count").send().await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.text(), expected);
    }
    let jar = client.cookie_jar();
    let stored = jar.iter().find(|c| c.name() == "session").expect("kept");
    assert!(stored.is_secure() && stored.is_http_only(), "{stored:?}");
    assert_eq!(stored.path(), "/");
    assert!(
        stored.expires().is_none(),
        "a browser-session cookie by default"
    );
    let first = stored.value().to_owned();

    // Over plain HTTP the browser does not send it: a fresh session.
    assert_eq!(
        client.get("http://localhost/read").send().await.text(),
        "none"
    );
    // A read sets nothing; the jar is as it was.
    let read = client.get("https://localhost/read").send().await;
    assert_eq!(read.text(), "3");
    assert_eq!(read.header("set-cookie"), None);

    // Login rotates the id; the flash shows once on the next page.
    client.get("https://localhost/login").send().await;
    let rotated = client.cookie_jar().get("session").expect("kept").to_owned();
    assert_ne!(rotated, first);
    let flashes = client.get("https://localhost/flashes").send().await;
    assert_eq!(flashes.text(), "success:welcome\n");
    assert_eq!(
        client.get("https://localhost/flashes").send().await.text(),
        ""
    );
    assert_eq!(
        client.get("https://localhost/count").send().await.text(),
        "4"
    );

    // Logout: the jar drops the cookie, and the next visit starts over.
    client.get("https://localhost/destroy").send().await;
    assert_eq!(client.cookie_jar().get("session"), None);
    assert_eq!(
        client.get("https://localhost/count").send().await.text(),
        "1"
    );
}

/// A client over a real socket that keeps cookies as a browser does.
struct Browser {
    client: Client<HttpConnector, Empty<Bytes>>,
    jar: CookieJar,
}

impl Browser {
    fn new() -> Self {
        Browser {
            client: Client::builder(TokioExecutor::new()).build_http(),
            jar: CookieJar::new(),
        }
    }

    /// `GET url`: the status, the body, and whether a cookie was set.
    async fn get(&mut self, url: &str) -> (StatusCode, String, bool) {
        let uri: Uri = url.parse().expect("a URL");
        let mut request = Request::get(uri.clone());
        if let Some(cookies) = self.jar.header_for(&uri) {
            request = request.header(COOKIE, cookies);
        }
        let response = self
            .client
            .request(request.body(Empty::new()).expect("a request"))
            .await
            .expect("the server answers");
        let set = response.headers().contains_key(SET_COOKIE);
        self.jar.store_response(&uri, response.headers());
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        (
            status,
            String::from_utf8(body.to_vec()).expect("UTF-8"),
            set,
        )
    }
}

#[tokio::test]
async fn a_real_client_keeps_its_session_over_a_socket() {
    let server = TestServer::spawn(app(SessionLayer::new(MemoryStore::new()).secure(false)));
    let mut alice = Browser::new();
    let mut bob = Browser::new();
    let count = server.url("/count");

    // A new session sets its cookie; later changes under the same id need
    // none (the client's browser-session cookie is still right).
    assert_eq!(alice.get(&count).await, (StatusCode::OK, "1".into(), true));
    assert_eq!(alice.get(&count).await, (StatusCode::OK, "2".into(), false));
    // Another client has its own session.
    assert_eq!(bob.get(&count).await, (StatusCode::OK, "1".into(), true));
    assert_eq!(alice.get(&count).await, (StatusCode::OK, "3".into(), false));
    // Untouched and read-only requests set no cookie.
    assert_eq!(
        alice.get(&server.url("/")).await,
        (StatusCode::OK, "untouched".into(), false)
    );
    assert_eq!(
        alice.get(&server.url("/read")).await,
        (StatusCode::OK, "3".into(), false)
    );

    // Rotation over the wire: the old cookie, replayed, finds nothing.
    let before = alice.jar.get("session").expect("kept").to_owned();
    alice.get(&server.url("/login")).await;
    let after = alice.jar.get("session").expect("kept").to_owned();
    assert_ne!(before, after);
    let mut replay = Browser::new();
    replay.jar.set("session", before);
    assert_eq!(replay.get(&server.url("/read")).await.1, "none");
    assert_eq!(alice.get(&server.url("/read")).await.1, "3");

    // Logout drops the cookie from the jar.
    alice.get(&server.url("/destroy")).await;
    assert_eq!(alice.jar.get("session"), None);
    assert_eq!(alice.get(&count).await.1, "1");
    server.shutdown().await;
}
