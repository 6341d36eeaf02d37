//! The cookie jar across requests: storage, path and domain matching,
//! expiry and deletion, `Secure`.

mod common;

use common::App;
use cookie::SameSite;
use serde_json::json;
use tackle_testing::TestClient;

#[tokio::test]
async fn a_cookie_set_by_one_response_is_sent_with_the_next_request() {
    let client = TestClient::new(App);
    let response = client.get("/set/login").send().await;
    let cookie = response.cookie("session").unwrap();
    assert_eq!(cookie.value(), "abc");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), None::<SameSite>);
    assert!(response.cookie("other").is_none());

    let jar = client.cookie_jar();
    assert_eq!(jar.get("session"), Some("abc"));
    let stored = jar.iter().next().unwrap();
    assert_eq!(
        (stored.domain(), stored.path(), stored.is_host_only()),
        ("localhost", "/", true)
    );
    assert!(stored.is_http_only());
    assert_eq!(stored.expires(), None);

    let echo = client.get("/echo").cookie("extra", "1").send().await.json();
    assert_eq!(echo["cookie"], "session=abc; extra=1");
    let echo = client
        .get("/echo")
        .header("cookie", "written=1")
        .cookie("extra", "1")
        .send()
        .await
        .json();
    assert_eq!(echo["cookie"], "written=1; session=abc; extra=1");
}

#[tokio::test]
async fn cookies_are_sent_under_their_path_only() {
    let client = TestClient::new(App);
    client.get("/set/prefs").send().await;
    client.get("/set/account").send().await;
    client.get("/set/login").send().await;
    let cases: &[(&str, serde_json::Value)] = &[
        ("/echo", json!("session=abc")),
        ("/settings", json!("session=abc")),
        // The default path of a cookie set at `/set/prefs` is `/set`.
        ("/set/x/echo", json!("theme=dark; session=abc")),
        // Longer paths first.
        ("/account/echo", json!("plan=pro; session=abc")),
        ("/account", json!("plan=pro; session=abc")),
        ("/accountant", json!("session=abc")),
    ];
    for (path, expected) in cases {
        let echo = client.get(path).send().await.json();
        assert_eq!(&echo["cookie"], expected, "{path}");
    }
}

#[tokio::test]
async fn max_age_zero_deletes_the_cookie() {
    let client = TestClient::new(App);
    client.get("/set/login").send().await;
    client.get("/set/lasting").send().await;
    assert_eq!(client.cookie_jar().len(), 2);
    let lasting = client
        .cookie_jar()
        .iter()
        .find(|c| c.name() == "keep")
        .cloned()
        .unwrap();
    assert!(lasting.expires().is_some());

    client.get("/set/logout").send().await;
    let jar = client.cookie_jar();
    assert_eq!(jar.get("session"), None);
    assert_eq!(jar.len(), 1);
    let echo = client.get("/echo").send().await.json();
    assert_eq!(echo["cookie"], "keep=1");
}

#[tokio::test]
async fn a_set_cookie_replaces_one_of_the_same_name_domain_and_path() {
    let client = TestClient::new(App);
    client.set_cookie("session", "old");
    client.get("/set/login").send().await;
    let jar = client.cookie_jar();
    assert_eq!(jar.len(), 1);
    assert_eq!(jar.get("session"), Some("abc"));
}

#[tokio::test]
async fn expired_and_foreign_cookies_are_not_stored() {
    let client = TestClient::new(App);
    client.get("/set/expired").send().await;
    client.get("/set/foreign").send().await;
    assert!(client.cookie_jar().is_empty());

    // From a subdomain of example.com, the Domain cookie is kept and sent
    // to example.com and its other subdomains, not elsewhere.
    client
        .get("http://www.example.com/set/foreign")
        .send()
        .await;
    let cases: &[(&str, serde_json::Value)] = &[
        ("http://example.com/echo", json!("x=1")),
        ("http://api.example.com/echo", json!("x=1")),
        ("http://notexample.com/echo", json!(null)),
        ("/echo", json!(null)),
    ];
    for (uri, expected) in cases {
        assert_eq!(
            &client.get(uri).send().await.json()["cookie"],
            expected,
            "{uri}"
        );
    }
}

#[tokio::test]
async fn host_only_cookies_skip_subdomains() {
    let client = TestClient::new(App);
    client.get("http://example.com/set/login").send().await;
    let sub = client
        .get("http://www.example.com/echo")
        .send()
        .await
        .json();
    assert_eq!(sub["cookie"], json!(null));
    let same = client.get("http://EXAMPLE.com/echo").send().await.json();
    assert_eq!(same["cookie"], "session=abc");
}

#[tokio::test]
async fn secure_cookies_go_over_https_only() {
    let client = TestClient::new(App);
    client.get("https://localhost/set/secure").send().await;
    assert!(client.cookie_jar().iter().next().unwrap().is_secure());
    let plain = client.get("http://localhost/echo").send().await.json();
    assert_eq!(plain["cookie"], json!(null));
    let tls = client.get("https://localhost/echo").send().await.json();
    assert_eq!(tls["cookie"], "token=s3");
}

#[tokio::test]
async fn set_cookie_and_clear_cookies() {
    let client = TestClient::new(App);
    client.set_cookie("lang", "en");
    let echo = client.get("/deep/path").send().await.json();
    assert_eq!(echo["cookie"], "lang=en");
    client.clear_cookies();
    assert!(client.cookie_jar().is_empty());
    let echo = client.get("/echo").send().await.json();
    assert_eq!(echo["cookie"], json!(null));
}

#[tokio::test]
async fn clones_share_the_jar() {
    let client = TestClient::new(App);
    let tab = client.clone();
    tab.get("/set/login").send().await;
    assert_eq!(client.cookie_jar().get("session"), Some("abc"));
}
