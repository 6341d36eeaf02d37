//! Following redirects by the browser rules, and the redirect limit.

mod common;

use common::App;
use http::{Method, StatusCode};
use serde_json::json;
use tackle_testing::TestClient;

#[tokio::test]
async fn redirects_are_not_followed_by_default() {
    let client = TestClient::new(App);
    let response = client.post("/redirect/302").send().await;
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.header("location"), Some("/echo"));
    assert!(response.history().is_empty());
}

#[tokio::test]
async fn method_and_body_after_each_redirect_status() {
    let client = TestClient::new(App).follow_redirects(5);
    // (status, method sent, method after, body kept)
    let cases: &[(u16, Method, &str, bool)] = &[
        (301, Method::POST, "GET", false),
        (302, Method::POST, "GET", false),
        (303, Method::POST, "GET", false),
        (303, Method::PUT, "GET", false),
        // 303 leaves HEAD alone, and with it the request's body.
        (303, Method::HEAD, "HEAD", true),
        (301, Method::PUT, "PUT", true),
        (302, Method::DELETE, "DELETE", true),
        (307, Method::POST, "POST", true),
        (308, Method::POST, "POST", true),
        (307, Method::PATCH, "PATCH", true),
    ];
    for (status, method, expected_method, body_kept) in cases {
        let response = client
            .request(method.clone(), &format!("/redirect/{status}"))
            .form([("a", "1")])
            .send()
            .await;
        let what = format!("{status} after {method}");
        assert_eq!(response.status(), 200, "{what}");
        let echo = response.json();
        assert_eq!(echo["method"], *expected_method, "{what}");
        let (body, content_type) = if *body_kept {
            (json!("a=1"), json!("application/x-www-form-urlencoded"))
        } else {
            (json!(""), json!(null))
        };
        assert_eq!(echo["body"], body, "{what}");
        assert_eq!(echo["content_type"], content_type, "{what}");
        let history = response.history();
        assert_eq!(history.len(), 1, "{what}");
        assert_eq!(history[0].status().as_u16(), *status, "{what}");
        assert_eq!(history[0].location(), "/echo", "{what}");
        assert_eq!(
            history[0].uri().path(),
            format!("/redirect/{status}"),
            "{what}"
        );
        assert_eq!(
            response.uri().to_string(),
            "http://localhost/echo",
            "{what}"
        );
    }
}

#[tokio::test]
async fn a_relative_location_is_resolved_against_the_request_uri() {
    let client = TestClient::new(App).follow_redirects(1);
    let response = client.get("/relative/dir/page").send().await;
    let echo = response.json();
    assert_eq!(echo["uri"], "/relative/echo?from=relative");
    assert_eq!(response.history()[0].location(), "../echo?from=relative");
}

#[tokio::test]
async fn a_chain_within_the_limit_is_followed_and_recorded() {
    let client = TestClient::new(App).follow_redirects(3);
    let response = client.get("/chain/3").send().await;
    assert_eq!(response.status(), 200);
    let locations: Vec<&str> = response.history().iter().map(|r| r.location()).collect();
    assert_eq!(locations, ["/chain/2", "/chain/1", "/chain/0"]);
    assert_eq!(response.json()["path"], "/chain/0");
}

#[tokio::test]
#[should_panic(expected = "more than 2 redirects (the follow_redirects(2) limit)")]
async fn one_redirect_past_the_limit_panics() {
    let client = TestClient::new(App).follow_redirects(2);
    client.get("/chain/3").send().await;
}

#[tokio::test]
async fn cookies_set_by_a_redirect_reach_its_target() {
    let client = TestClient::new(App).follow_redirects(1);
    let echo = client.post("/login-redirect").send().await.json();
    assert_eq!(echo["cookie"], "session=abc");
    assert_eq!(echo["method"], "GET");
}

#[tokio::test]
async fn an_absolute_location_changes_the_host() {
    let client = TestClient::new(App).follow_redirects(1);
    let response = client.get("http://example.com/chain/1").send().await;
    assert_eq!(response.json()["host"], "example.com");
    let response = client
        .get("/chain/1")
        .header("host", "custom.test")
        .send()
        .await;
    // The target is resolved against the request URI, and names its host.
    assert_eq!(response.json()["host"], "localhost");
}
