//! The request builders, each checked against what the service received.

mod common;

use common::App;
use http::Method;
use serde_json::json;
use tackle_request::form::{FormOptions, collect_form};
use tackle_request::multipart::MultipartLimits;
use tackle_testing::TestClient;

#[tokio::test]
async fn get_sends_an_origin_form_uri_and_the_default_host() {
    let client = TestClient::new(App);
    let response = client.get("/echo?a=1").send().await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.header("content-type"), Some("application/json"));
    let echo = response.json();
    assert_eq!(echo["method"], "GET");
    assert_eq!(echo["uri"], "/echo?a=1");
    assert_eq!(echo["host"], "localhost");
    assert_eq!(echo["body"], "");
    assert_eq!(echo["content_length"], json!(null));
    assert_eq!(response.uri().to_string(), "http://localhost/echo?a=1");
    assert!(response.history().is_empty());
}

#[tokio::test]
async fn absolute_uris_name_the_host() {
    let client = TestClient::new(App);
    let echo = client
        .get("http://example.com:8080/echo")
        .send()
        .await
        .json();
    assert_eq!(echo["host"], "example.com:8080");
    assert_eq!(echo["uri"], "/echo");
}

#[tokio::test]
async fn each_method_builder_sends_its_method() {
    let client = TestClient::new(App);
    let cases = [
        (client.get("/echo"), "GET"),
        (client.post("/echo"), "POST"),
        (client.put("/echo"), "PUT"),
        (client.patch("/echo"), "PATCH"),
        (client.delete("/echo"), "DELETE"),
        (client.head("/echo"), "HEAD"),
        (client.options("/echo"), "OPTIONS"),
        (
            client.request(Method::from_bytes(b"PURGE").unwrap(), "/echo"),
            "PURGE",
        ),
    ];
    for (builder, expected) in cases {
        assert_eq!(builder.send().await.json()["method"], expected);
    }
}

#[tokio::test]
async fn header_appends_lines() {
    let client = TestClient::new(App);
    let echo = client
        .get("/echo")
        .header("x-test", "one")
        .header("X-Test", "two")
        .send()
        .await
        .json();
    assert_eq!(echo["x_test"], "one, two");
}

#[tokio::test]
#[should_panic(expected = "invalid header name")]
async fn an_invalid_header_name_panics() {
    let client = TestClient::new(App);
    let _ = client.get("/echo").header("bad name", "x");
}

#[tokio::test]
async fn query_appends_encoded_pairs() {
    let client = TestClient::new(App);
    let echo = client
        .get("/echo?page=2")
        .query([("q", "rust & tower"), ("lang", "en")])
        .send()
        .await
        .json();
    assert_eq!(echo["query"], "page=2&q=rust+%26+tower&lang=en");
    let echo = client.get("/echo").query([("a", "é")]).send().await.json();
    assert_eq!(echo["query"], "a=%C3%A9");
}

#[tokio::test]
async fn form_sends_an_urlencoded_body() {
    let client = TestClient::new(App);
    let echo = client
        .post("/echo")
        .form([("name", "Ada Lovelace"), ("x", "a=b")])
        .send()
        .await
        .json();
    assert_eq!(echo["content_type"], "application/x-www-form-urlencoded");
    assert_eq!(echo["body"], "name=Ada+Lovelace&x=a%3Db");
    assert_eq!(echo["content_length"], "25");
}

#[tokio::test]
async fn json_sends_a_json_body() {
    let client = TestClient::new(App);
    let value = json!({"id": 7, "tags": ["a", "b"]});
    let echo = client.post("/echo").json(&value).send().await.json();
    assert_eq!(echo["content_type"], "application/json");
    let sent: serde_json::Value = serde_json::from_str(echo["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent, value);
}

#[tokio::test]
async fn body_sends_bytes_as_they_are() {
    let client = TestClient::new(App);
    let response = client
        .put("/raw")
        .header("content-type", "application/octet-stream")
        .body(&b"\x00\x01binary"[..])
        .send()
        .await;
    assert_eq!(response.bytes().as_ref(), b"\x00\x01binary");
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(response.text(), "\u{0}\u{1}binary");
}

#[tokio::test]
async fn a_later_body_replaces_an_earlier_one() {
    let client = TestClient::new(App);
    let echo = client
        .post("/echo")
        .form([("a", "1")])
        .json(&json!(1))
        .send()
        .await
        .json();
    assert_eq!(echo["content_type"], "application/json");
    assert_eq!(echo["body"], "1");
}

#[tokio::test]
async fn cookie_is_sent_with_this_request_only() {
    let client = TestClient::new(App);
    let echo = client
        .get("/echo")
        .cookie("a", "1")
        .cookie("b", "2")
        .send()
        .await
        .json();
    assert_eq!(echo["cookie"], "a=1; b=2");
    assert!(client.cookie_jar().is_empty());
    let echo = client.get("/echo").send().await.json();
    assert_eq!(echo["cookie"], json!(null));
}

#[tokio::test]
async fn multipart_is_read_back_by_collect_form() {
    let path = std::env::temp_dir().join(format!("tackle-testing-{}.txt", std::process::id()));
    std::fs::write(&path, "from disk").unwrap();
    let client = TestClient::new(App);
    let response = client
        .post("/raw")
        .multipart(|m| {
            m.text("title", "Holiday \"2025\"")
                .text("note", "ünïcode")
                .file(
                    "photo",
                    "beach.jpg",
                    "image/jpeg",
                    &b"\xff\xd8\xff\r\n--"[..],
                )
                .file_path("doc", &path)
        })
        .send()
        .await;
    std::fs::remove_file(&path).unwrap();
    let content_type = response.header("content-type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary=tackle-"));
    let form = collect_form(
        response.bytes(),
        content_type,
        MultipartLimits::default(),
        FormOptions::new(),
    )
    .unwrap();
    // Browsers escape a quote in a name or value's disposition only; values are raw.
    assert_eq!(
        form.fields.get("title").map(String::as_str),
        Some("Holiday \"2025\"")
    );
    assert_eq!(form.fields.get("note").map(String::as_str), Some("ünïcode"));
    let photo = form.files.get("photo").unwrap();
    assert_eq!(photo.filename(), Some("beach.jpg"));
    assert_eq!(photo.content_type(), Some("image/jpeg"));
    assert_eq!(photo.bytes().unwrap().as_ref(), b"\xff\xd8\xff\r\n--");
    let doc = form.files.get("doc").unwrap();
    let expected_name = path.file_name().unwrap().to_str().unwrap();
    assert_eq!(doc.filename(), Some(expected_name));
    assert_eq!(doc.content_type(), Some("application/octet-stream"));
    assert_eq!(doc.bytes().unwrap().as_ref(), b"from disk");
}

#[tokio::test]
#[should_panic(expected = "response body is not JSON")]
async fn json_on_a_non_json_body_panics() {
    let client = TestClient::new(App);
    client.post("/raw").body("plain").send().await.json();
}
