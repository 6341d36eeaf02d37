//! The `routing` example over a real socket: its own `serve` on
//! 127.0.0.1:0, spoken to by a raw HTTP/1.1 client so that what goes over
//! the wire (a `HEAD` without a body, `Allow`, `Location`) is what is
//! checked.

#[path = "support/raw_http.rs"]
mod raw_http;
#[path = "../examples/routing.rs"]
mod routing_example;

use std::net::SocketAddr;

use raw_http::{Reply, send};
use routing_example::{Notes, app, serve};
use serde_json::json;
use tackle::testing::MultipartForm;
use tokio::net::TcpListener;

/// The example app holding two notes (ids 1 and 2), served on a free port.
async fn server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let notes = Notes::with(["Buy milk", "Call Ada"]);
    tokio::spawn(serve(listener, app(notes)));
    addr
}

async fn get(addr: SocketAddr, target: &str) -> Reply {
    send(addr, "GET", target, "", b"").await
}

#[tokio::test]
async fn notes_are_listed_shown_and_searched_with_their_urls() {
    let addr = server().await;

    let list = get(addr, "/notes").await;
    assert_eq!(list.status, 200, "{}", list.text());
    assert_eq!(list.header("content-type"), Some("application/json"));
    assert_eq!(
        list.json(),
        json!({"notes": [
            {"id": 1, "text": "Buy milk", "url": "/notes/1"},
            {"id": 2, "text": "Call Ada", "url": "/notes/2"},
        ]})
    );

    let search = get(addr, "/notes?q=Ada").await;
    assert_eq!(
        search.json(),
        json!({"notes": [{"id": 2, "text": "Call Ada", "url": "/notes/2"}]})
    );

    let show = get(addr, "/notes/2").await;
    assert_eq!(show.status, 200);
    assert_eq!(
        show.json(),
        json!({"id": 2, "text": "Call Ada", "url": "/notes/2", "list": "/notes"})
    );

    // The `uint` converter reads `007` as 7, which is not a note.
    assert_eq!(get(addr, "/notes/007").await.status, 404);
    // A leading zero still finds note 1: the converter parsed the value.
    assert_eq!(get(addr, "/notes/01").await.json()["text"], "Buy milk");
}

#[tokio::test]
async fn notes_are_created_from_forms_and_json_with_an_absolute_location() {
    let addr = server().await;
    let (multipart_type, multipart_body) = MultipartForm::new()
        .text("text", "From a file form")
        .into_body();
    let multipart_header = format!("Content-Type: {multipart_type}\r\n");
    // (how it is posted, Content-Type header line, body, the text stored)
    let cases: &[(&str, &str, &[u8], &str)] = &[
        (
            "urlencoded",
            "Content-Type: application/x-www-form-urlencoded\r\n",
            b"text=Water+the+plants",
            "Water the plants",
        ),
        (
            "json",
            "Content-Type: application/json\r\n",
            br#"{"text": "Read RFC 9110"}"#,
            "Read RFC 9110",
        ),
        (
            "multipart",
            &multipart_header,
            &multipart_body,
            "From a file form",
        ),
    ];
    for (i, &(case, content_type, body, text)) in cases.iter().enumerate() {
        let id = 3 + i;
        let created = send(addr, "POST", "/notes", content_type, body).await;
        assert_eq!(created.status, 201, "{case}: {}", created.text());
        let location = format!("http://localhost/notes/{id}");
        assert_eq!(created.header("location"), Some(&*location), "{case}");
        let url = format!("/notes/{id}");
        assert_eq!(
            created.json(),
            json!({"id": id, "text": text, "url": url}),
            "{case}"
        );
        assert_eq!(get(addr, &url).await.json()["text"], text, "{case}");
    }

    // Bad input is the handler's 400 or 415, rendered by `Accept`.
    let cases: &[(&str, &str, &[u8], u16)] = &[
        (
            "no text",
            "Content-Type: application/x-www-form-urlencoded\r\n",
            b"title=x",
            400,
        ),
        (
            "blank text",
            "Content-Type: application/json\r\n",
            br#"{"text": "  "}"#,
            400,
        ),
        (
            "broken JSON",
            "Content-Type: application/json\r\n",
            b"{",
            400,
        ),
        ("not a form", "Content-Type: text/plain\r\n", b"text=x", 415),
    ];
    for &(case, content_type, body, status) in cases {
        let headers = format!("{content_type}Accept: application/json\r\n");
        let reply = send(addr, "POST", "/notes", &headers, body).await;
        assert_eq!(reply.status, status, "{case}: {}", reply.text());
        assert_eq!(reply.json()["status"], status, "{case}");
    }

    // Deleting is 204, then the note is gone.
    assert_eq!(send(addr, "DELETE", "/notes/1", "", b"").await.status, 204);
    assert_eq!(get(addr, "/notes/1").await.status, 404);
    assert_eq!(send(addr, "DELETE", "/notes/1", "", b"").await.status, 404);
}

#[tokio::test]
async fn what_no_route_takes_is_404_by_accept() {
    let addr = server().await;
    // Converters refusing a segment, unknown paths, and the handler's own
    // 404 for an id that passed the converter: one answer for all.
    let paths = [
        "/notes/abc",
        "/notes/-1",
        "/notes/1.5",
        "/notes/18446744073709551616",
        "/notes/99",
        "/fr/about",
        "/EN/about",
        "/nope",
        "/notes/1/edit",
        "/admin",
        "/admin/nope",
    ];
    for path in paths {
        let reply = send(addr, "GET", path, "Accept: application/json\r\n", b"").await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.text());
        assert_eq!(reply.json()["status"], 404, "{path}");

        let reply = send(addr, "GET", path, "Accept: text/plain\r\n", b"").await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(
            reply.text().starts_with("404 Not Found"),
            "{path}: {}",
            reply.text()
        );
    }
}

#[tokio::test]
async fn other_methods_are_405_with_allow_and_options_lists_them() {
    let addr = server().await;
    // (method, path, Allow)
    let cases: &[(&str, &str, &str)] = &[
        ("PUT", "/notes/1", "GET, HEAD, DELETE, OPTIONS"),
        ("POST", "/notes/1", "GET, HEAD, DELETE, OPTIONS"),
        ("DELETE", "/notes", "GET, HEAD, POST, OPTIONS"),
        ("PATCH", "/notes", "GET, HEAD, POST, OPTIONS"),
        ("POST", "/", "GET, HEAD, OPTIONS"),
        ("DELETE", "/de/about", "GET, HEAD, OPTIONS"),
        ("POST", "/admin/stats", "GET, HEAD, OPTIONS"),
    ];
    for &(method, path, allow) in cases {
        let reply = send(addr, method, path, "Accept: application/json\r\n", b"").await;
        assert_eq!(reply.status, 405, "{method} {path}: {}", reply.text());
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(reply.json()["status"], 405, "{method} {path}");

        let options = send(addr, "OPTIONS", path, "", b"").await;
        assert_eq!(options.status, 204, "OPTIONS {path}");
        assert_eq!(options.header("allow"), Some(allow), "OPTIONS {path}");
        assert!(options.body.is_empty(), "OPTIONS {path}");
    }
}

#[tokio::test]
async fn head_is_get_without_its_body() {
    let addr = server().await;
    for path in ["/notes", "/notes/1", "/en/about", "/admin/stats"] {
        let full = get(addr, path).await;
        let head = send(addr, "HEAD", path, "", b"").await;
        assert_eq!(head.status, 200, "{path}");
        assert_eq!(
            head.header("content-type"),
            full.header("content-type"),
            "{path}"
        );
        let length = full.body.len().to_string();
        assert_eq!(head.header("content-length"), Some(&*length), "{path}");
        assert!(head.body.is_empty(), "{path}: {}", head.text());
    }
    // A HEAD of a path that is not routed is still a 404.
    assert_eq!(send(addr, "HEAD", "/notes/abc", "", b"").await.status, 404);
}

#[tokio::test]
async fn slashes_redirect_to_the_routed_form_keeping_the_query() {
    let addr = server().await;
    // (method, target, Location of the 308)
    let cases: &[(&str, &str, &str)] = &[
        ("GET", "/notes/", "/notes"),
        ("GET", "/notes/?q=milk", "/notes?q=milk"),
        ("GET", "/notes/2/", "/notes/2"),
        ("GET", "//notes", "/notes"),
        ("GET", "/notes//2?x=1&y", "/notes/2?x=1&y"),
        ("GET", "/de/about/", "/de/about"),
        // Under the mount, the prefix is kept.
        ("GET", "/admin/stats/?full=1", "/admin/stats?full=1"),
        // 308 keeps the method, so a form posted to the other form is not lost.
        ("POST", "/notes/", "/notes"),
    ];
    for &(method, target, location) in cases {
        let reply = send(addr, method, target, "", b"").await;
        assert_eq!(reply.status, 308, "{method} {target}: {}", reply.text());
        assert_eq!(
            reply.header("location"),
            Some(location),
            "{method} {target}"
        );
    }
    // Following the redirect lands on the route.
    assert_eq!(get(addr, "/notes?q=milk").await.json()["notes"][0]["id"], 1);
}

#[tokio::test]
async fn the_mounted_router_and_service_see_the_path_below_the_prefix() {
    let addr = server().await;

    let stats = get(addr, "/admin/stats").await;
    assert_eq!(stats.status, 200, "{}", stats.text());
    assert_eq!(
        stats.json(),
        json!({
            "notes": 2,
            "path": "/stats",
            "original_path": "/admin/stats",
            "mount_prefix": "/admin",
            // A name of the parent, built from inside the mounted router.
            "list": "/notes",
            "self": "/admin/stats",
        })
    );

    // The health service is opaque: it answers every method and path
    // under its prefix, `/health` itself included.
    let cases: &[(&str, &str)] = &[
        ("GET", "/health"),
        ("GET", "/health/"),
        ("GET", "/health/live"),
        ("POST", "/health"),
    ];
    for &(method, target) in cases {
        let reply = send(addr, method, target, "", b"").await;
        assert_eq!(reply.status, 200, "{method} {target}");
        assert_eq!(reply.text(), "ok\n", "{method} {target}");
    }
}

#[tokio::test]
async fn links_in_bodies_are_built_by_url_for() {
    let addr = server().await;
    let index = get(addr, "/").await;
    assert_eq!(
        index.json(),
        json!({
            "notes": "/notes",
            "search": "/notes?q=milk",
            "about": "/en/about",
            "stats": "/admin/stats",
        })
    );
    // Each link leads somewhere.
    for (name, link) in index.json().as_object().unwrap() {
        let link = link.as_str().unwrap();
        assert_eq!(get(addr, link).await.status, 200, "{name}: {link}");
    }

    // (page, its text) — each language links to the other.
    let cases: &[(&str, &str)] = &[
        (
            "/en/about",
            "Notes, routed by tackle-routing.\nde: /de/about\n",
        ),
        (
            "/de/about",
            "Notizen, geroutet von tackle-routing.\nen: /en/about\n",
        ),
    ];
    for &(path, text) in cases {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.text(), text, "{path}");
    }
}
