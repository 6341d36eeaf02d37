use std::net::SocketAddr;

use http::{Method, StatusCode};
use tackle_http::TrustedHosts;

use super::*;
use crate::extensions::ConnectionInfo;

/// Header lines as `(name, value)` pairs.
type Headers<'a> = &'a [(&'a str, &'a str)];

fn get(uri: &str, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = http::Request::builder().uri(uri);
    for &(name, value) in headers {
        builder = builder.header(name, value);
    }
    Request::new(builder.body(()).unwrap())
}

#[test]
fn method_uri_and_conversions() {
    let inner = http::Request::builder()
        .method(Method::POST)
        .uri("/a?b=1")
        .body(7)
        .unwrap();
    let mut request = Request::from(inner);
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.uri(), "/a?b=1");
    assert_eq!(request.query_string(), "b=1");
    *request.body_mut() += 1;
    assert_eq!(*request.body(), 8);
    let back: http::Request<i32> = request.into();
    assert_eq!(*back.body(), 8);
}

#[test]
fn path_is_percent_decoded() {
    let cases: &[(&str, &str)] = &[
        ("/", "/"),
        ("/plain/path", "/plain/path"),
        ("/caf%C3%A9", "/café"),
        ("/caf%c3%a9", "/café"),
        ("/a%20b", "/a b"),
        ("/a%2Fb", "/a/b"),
        ("/100%", "/100%"),
        ("/%zz", "/%zz"),
        ("/%4", "/%4"),
        ("/%FF", "/\u{FFFD}"),
        ("/a+b", "/a+b"),
        ("/%25", "/%"),
    ];
    for &(uri, expected) in cases {
        let request = get(uri, &[]);
        assert_eq!(request.path(), expected, "{uri}");
        assert_eq!(request.raw_path(), uri, "{uri}");
    }
}

#[test]
fn accessors_parse_once() {
    let request = get("/caf%C3%A9?a=1", &[("cookie", "k=v")]);
    assert!(std::ptr::eq(request.path(), request.path()));
    assert!(std::ptr::eq(request.args(), request.args()));
    assert!(std::ptr::eq(request.cookies(), request.cookies()));
    let request = get("/x", &[("host", "example.com")]);
    assert!(std::ptr::eq(
        request.host().unwrap(),
        request.host().unwrap()
    ));
    assert!(std::ptr::eq(request.access_route(), request.access_route()));
}

#[test]
fn args_keep_repeated_keys() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("/", &[]),
        ("/?", &[]),
        ("/?a=1", &[("a", "1")]),
        ("/?a=1&a=2&b=3", &[("a", "1"), ("a", "2"), ("b", "3")]),
        ("/?q=hello+world", &[("q", "hello world")]),
        ("/?name=J%C3%BCrgen", &[("name", "Jürgen")]),
        ("/?flag&x=", &[("flag", ""), ("x", "")]),
        ("/?a=1&&b=2", &[("a", "1"), ("b", "2")]),
    ];
    for &(uri, expected) in cases {
        let request = get(uri, &[]);
        let args: Vec<(&str, &str)> = request
            .args()
            .iter()
            .map(|(k, v)| (k, v.as_str()))
            .collect();
        assert_eq!(args, expected, "{uri}");
    }
    let request = get("/?t=a&t=b", &[]);
    assert_eq!(request.args().get_all("t").collect::<Vec<_>>(), ["a", "b"]);
}

#[test]
fn cookies_from_all_lines() {
    let cases: &[(Headers, Headers)] = &[
        (&[], &[]),
        (&[("cookie", "a=1")], &[("a", "1")]),
        (&[("cookie", "a=1; b=2")], &[("a", "1"), ("b", "2")]),
        (
            &[("cookie", "a=1"), ("cookie", "b=2")],
            &[("a", "1"), ("b", "2")],
        ),
        (&[("cookie", "a=\"q\"")], &[("a", "q")]),
    ];
    for &(headers, expected) in cases {
        let request = get("/", headers);
        assert_eq!(
            request.cookies().iter().collect::<Vec<_>>(),
            expected,
            "{headers:?}"
        );
    }
}

#[test]
fn host_is_validated_and_checked() {
    let trusted = TrustedHosts::new([".example.com", "[::1]"]).unwrap();
    let config = RequestConfig::new().with_trusted_hosts(trusted);
    let cases: &[(&str, Headers, Result<&str, &str>)] = &[
        ("/", &[("host", "example.com")], Ok("example.com")),
        (
            "/",
            &[("host", "API.Example.com:8080")],
            Ok("api.example.com:8080"),
        ),
        ("/", &[("host", "[::1]:3000")], Ok("[::1]:3000")),
        ("/", &[("host", "evil.test")], Err("untrusted host")),
        (
            "/",
            &[("host", "example.com.evil.test")],
            Err("untrusted host"),
        ),
        ("/", &[("host", "bad host")], Err("invalid Host header")),
        (
            "/",
            &[("host", "user@example.com")],
            Err("invalid Host header"),
        ),
        ("/", &[], Err("missing Host header")),
        (
            "/",
            &[("host", "a.example.com"), ("host", "b.example.com")],
            Err("invalid Host header"),
        ),
        // The absolute-form target's authority wins over the header.
        (
            "http://www.example.com/",
            &[("host", "evil.test")],
            Ok("www.example.com"),
        ),
        (
            "http://evil.test/",
            &[("host", "example.com")],
            Err("untrusted host"),
        ),
    ];
    for &(uri, headers, expected) in cases {
        let inner = get(uri, headers).into_inner();
        let request = Request::with_config(inner, config.clone());
        let got = request.host().map(|h| h.as_str().to_owned());
        match expected {
            Ok(host) => assert_eq!(got.unwrap(), host, "{uri} {headers:?}"),
            Err(message) => {
                let error = got.unwrap_err();
                assert_eq!(error.status(), StatusCode::BAD_REQUEST, "{uri} {headers:?}");
                assert_eq!(error.message(), message, "{uri} {headers:?}");
            }
        }
    }
}

#[test]
fn config_from_extensions_and_default() {
    let request = get("/", &[("host", "anything.test")]);
    assert!(request.config().trusted_hosts().is_none());
    assert_eq!(request.host().unwrap().as_str(), "anything.test");

    let mut inner = get("/", &[("host", "anything.test")]).into_inner();
    let trusted = TrustedHosts::new(["example.com"]).unwrap();
    inner
        .extensions_mut()
        .insert(RequestConfig::new().with_trusted_hosts(trusted));
    let request = Request::new(inner);
    assert_eq!(request.host().unwrap_err().message(), "untrusted host");
    let url = request.url().unwrap_err();
    assert_eq!(url.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn urls_with_ports_schemes_and_ipv6() {
    // (uri, host header, secure connection, host_url, base_url, url)
    let cases: &[(&str, &str, bool, &str, &str, &str)] = &[
        (
            "/",
            "example.com",
            false,
            "http://example.com/",
            "http://example.com/",
            "http://example.com/",
        ),
        (
            "/a/b?x=1",
            "example.com",
            true,
            "https://example.com/",
            "https://example.com/a/b",
            "https://example.com/a/b?x=1",
        ),
        (
            "/p",
            "example.com:80",
            false,
            "http://example.com/",
            "http://example.com/p",
            "http://example.com/p",
        ),
        (
            "/p",
            "example.com:443",
            true,
            "https://example.com/",
            "https://example.com/p",
            "https://example.com/p",
        ),
        (
            "/p",
            "example.com:443",
            false,
            "http://example.com:443/",
            "http://example.com:443/p",
            "http://example.com:443/p",
        ),
        (
            "/p",
            "example.com:8080",
            false,
            "http://example.com:8080/",
            "http://example.com:8080/p",
            "http://example.com:8080/p",
        ),
        (
            "/p?q",
            "[::1]:8080",
            false,
            "http://[::1]:8080/",
            "http://[::1]:8080/p",
            "http://[::1]:8080/p?q",
        ),
        (
            "/",
            "[2001:DB8::1]",
            true,
            "https://[2001:db8::1]/",
            "https://[2001:db8::1]/",
            "https://[2001:db8::1]/",
        ),
        (
            "/caf%C3%A9?n=%C3%BC",
            "example.com",
            false,
            "http://example.com/",
            "http://example.com/caf%C3%A9",
            "http://example.com/caf%C3%A9?n=%C3%BC",
        ),
        (
            "https://example.org:8443/s",
            "ignored.test",
            false,
            "https://example.org:8443/",
            "https://example.org:8443/s",
            "https://example.org:8443/s",
        ),
    ];
    for &(uri, host, secure, host_url, base_url, url) in cases {
        let mut inner = get(uri, &[("host", host)]).into_inner();
        let addr: SocketAddr = "192.0.2.1:4000".parse().unwrap();
        inner
            .extensions_mut()
            .insert(ConnectionInfo::new(addr).with_secure(secure));
        let request = Request::new(inner);
        assert_eq!(request.host_url().unwrap(), host_url, "{uri} {host}");
        assert_eq!(request.base_url().unwrap(), base_url, "{uri} {host}");
        assert_eq!(request.url().unwrap(), url, "{uri} {host}");
    }
}

#[test]
fn scheme_and_is_secure() {
    let cases: &[(&str, Option<bool>, &str, bool)] = &[
        ("/", None, "http", false),
        ("/", Some(false), "http", false),
        ("/", Some(true), "https", true),
        ("https://example.com/", None, "https", true),
        ("http://example.com/", Some(true), "http", false),
    ];
    for &(uri, secure, scheme, is_secure) in cases {
        let mut inner = get(uri, &[]).into_inner();
        if let Some(secure) = secure {
            let addr: SocketAddr = "127.0.0.1:1".parse().unwrap();
            inner
                .extensions_mut()
                .insert(ConnectionInfo::new(addr).with_secure(secure));
        }
        let request = Request::new(inner);
        assert_eq!(request.scheme(), scheme, "{uri} {secure:?}");
        assert_eq!(request.is_secure(), is_secure, "{uri} {secure:?}");
    }
}

#[test]
fn mounted_request_urls_use_the_original_uri() {
    let mut inner = get("/users?page=2", &[("host", "example.com")]).into_inner();
    inner
        .extensions_mut()
        .insert(OriginalUri("/api/users?page=2".parse().unwrap()));
    inner.extensions_mut().insert(MountPrefix::new("/api"));
    let request = Request::new(inner);
    assert_eq!(request.path(), "/users");
    assert_eq!(request.original_uri(), "/api/users?page=2");
    assert_eq!(request.root_url().unwrap(), "http://example.com/api/");
    assert_eq!(request.base_url().unwrap(), "http://example.com/api/users");
    assert_eq!(
        request.url().unwrap(),
        "http://example.com/api/users?page=2"
    );
    assert_eq!(request.mount_prefix().unwrap().as_str(), "/api");

    let request = get("/x", &[("host", "example.com")]);
    assert_eq!(request.root_url().unwrap(), "http://example.com/");
}

#[test]
fn remote_addr_and_access_route() {
    let peer: SocketAddr = "10.0.0.2:5555".parse().unwrap();
    // (X-Forwarded-For lines, remote addr from ConnectionInfo, expected route)
    let cases: &[(&[&str], bool, &[&str])] = &[
        (&[], false, &[]),
        (&[], true, &["10.0.0.2:5555"]),
        (&["203.0.113.9"], true, &["203.0.113.9", "10.0.0.2:5555"]),
        (
            &["203.0.113.9, 192.0.2.1"],
            true,
            &["203.0.113.9", "192.0.2.1", "10.0.0.2:5555"],
        ),
        (
            &["203.0.113.9", "192.0.2.1"],
            false,
            &["203.0.113.9", "192.0.2.1"],
        ),
        (&["junk, 192.0.2.1"], false, &["192.0.2.1"]),
        (&[" , 2001:db8::1 ,"], false, &["[2001:db8::1]"]),
        (
            &["unknown, 192.0.2.1:80"],
            false,
            &["unknown", "192.0.2.1:80"],
        ),
    ];
    for &(lines, with_peer, expected) in cases {
        let mut builder = http::Request::builder().uri("/");
        for line in lines {
            builder = builder.header("x-forwarded-for", *line);
        }
        let mut inner = builder.body(()).unwrap();
        if with_peer {
            inner.extensions_mut().insert(ConnectionInfo::new(peer));
        }
        let request = Request::new(inner);
        assert_eq!(
            request.remote_addr(),
            with_peer.then_some(peer),
            "{lines:?}"
        );
        let route: Vec<String> = request
            .access_route()
            .iter()
            .map(|n| n.to_string())
            .collect();
        assert_eq!(route, expected, "{lines:?}");
    }

    let mut inner = http::Request::new(());
    inner.extensions_mut().insert(peer);
    assert_eq!(Request::new(inner).remote_addr(), Some(peer));
}

#[test]
fn access_route_is_bounded() {
    let many = vec!["192.0.2.1"; 500].join(", ");
    let request = get("/", &[("x-forwarded-for", &many)]);
    assert_eq!(
        request.access_route().len(),
        tackle_http::proxy::MAX_X_FORWARDED_FOR_ENTRIES
    );
}

#[test]
fn typed_headers() {
    let request = get(
        "/",
        &[
            ("accept", "text/html, application/json;q=0.5"),
            ("accept-language", "de, en;q=0.8"),
            ("accept-encoding", "gzip, br"),
            ("cache-control", "no-cache"),
            ("if-match", "\"a\""),
            ("if-none-match", "W/\"b\""),
            ("if-modified-since", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("if-unmodified-since", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("range", "bytes=0-99"),
            ("if-range", "\"a\""),
            ("authorization", "Basic dXNlcjpwYXNz"),
            ("content-type", "application/json; charset=utf-8"),
            ("content-length", "42"),
            ("user-agent", "curl/8.0"),
            ("referer", "https://example.com/from"),
            ("origin", "https://example.com"),
            ("sec-fetch-site", "same-origin"),
        ],
    );
    assert_eq!(
        request
            .accept()
            .unwrap()
            .unwrap()
            .best_match(["application/json", "text/html"]),
        Some("text/html")
    );
    assert!(request.accept_language().unwrap().is_ok());
    assert!(request.accept_encoding().unwrap().is_ok());
    assert!(request.cache_control().unwrap().is_ok());
    assert!(request.if_match().unwrap().is_ok());
    assert!(request.if_none_match().unwrap().is_ok());
    assert!(request.if_modified_since().unwrap().is_ok());
    assert!(request.if_unmodified_since().unwrap().is_ok());
    assert!(request.range().unwrap().is_ok());
    assert!(request.if_range().unwrap().is_ok());
    assert!(request.authorization().unwrap().is_ok());
    assert_eq!(
        request.content_type().unwrap().unwrap().essence(),
        "application/json"
    );
    assert!(request.is_json());
    assert_eq!(request.content_length(), Some(Ok(42)));
    assert_eq!(request.user_agent(), Some("curl/8.0"));
    assert_eq!(request.referrer(), Some("https://example.com/from"));
    assert_eq!(request.origin(), Some("https://example.com"));
    assert_eq!(request.sec_fetch_site(), Some("same-origin"));

    let empty = get("/", &[]);
    assert!(empty.accept().is_none());
    assert!(empty.accept_language().is_none());
    assert!(empty.accept_encoding().is_none());
    assert!(empty.cache_control().is_none());
    assert!(empty.if_match().is_none());
    assert!(empty.if_none_match().is_none());
    assert!(empty.if_modified_since().is_none());
    assert!(empty.if_unmodified_since().is_none());
    assert!(empty.range().is_none());
    assert!(empty.if_range().is_none());
    assert!(empty.authorization().is_none());
    assert!(empty.content_type().is_none());
    assert!(!empty.is_json());
    assert!(empty.content_length().is_none());
    assert!(empty.user_agent().is_none());
    assert!(empty.referrer().is_none());
    assert!(empty.origin().is_none());
    assert!(empty.sec_fetch_site().is_none());

    let bad = get(
        "/",
        &[
            ("if-modified-since", "yesterday"),
            ("range", "bytes=x-y"),
            ("content-type", "not a type"),
        ],
    );
    assert!(bad.if_modified_since().unwrap().is_err());
    assert!(bad.range().unwrap().is_err());
    assert!(bad.content_type().unwrap().is_err());
}

#[test]
fn content_length_table() {
    // `Err(())`: any parse error.
    type Expected = Option<Result<u64, ()>>;
    let cases: &[(&[&str], Expected)] = &[
        (&[], None),
        (&["0"], Some(Ok(0))),
        (&["12345"], Some(Ok(12345))),
        (&["18446744073709551615"], Some(Ok(u64::MAX))),
        (&["18446744073709551616"], Some(Err(()))),
        (&["-1"], Some(Err(()))),
        (&["+5"], Some(Err(()))),
        (&[""], Some(Err(()))),
        (&["1 2"], Some(Err(()))),
        (&["5, 5"], Some(Ok(5))),
        (&["5", "5"], Some(Ok(5))),
        (&["5, 6"], Some(Err(()))),
        (&["5", "6"], Some(Err(()))),
    ];
    for &(lines, expected) in cases {
        let mut builder = http::Request::builder().uri("/");
        for line in lines {
            builder = builder.header("content-length", *line);
        }
        let request = Request::new(builder.body(()).unwrap());
        assert_eq!(
            request.content_length().map(|r| r.map_err(|_| ())),
            expected,
            "{lines:?}"
        );
    }
}

#[test]
fn is_json_table() {
    let cases: &[(&str, bool)] = &[
        ("application/json", true),
        ("application/json; charset=utf-8", true),
        ("application/problem+json", true),
        ("APPLICATION/JSON", true),
        ("text/json", false),
        ("text/html", false),
        ("application/x-www-form-urlencoded", false),
        ("", false),
    ];
    for &(content_type, expected) in cases {
        let request = get("/", &[("content-type", content_type)]);
        assert_eq!(request.is_json(), expected, "{content_type}");
    }
}

#[test]
fn routing_extensions() {
    let mut inner = http::Request::new(());
    let params: PathParams = [("id", "7")].into_iter().collect();
    inner.extensions_mut().insert(params);
    inner
        .extensions_mut()
        .insert(MatchedRoute::new("/users/{id}"));
    inner
        .extensions_mut()
        .insert(UrlBuilder::new(|name, _| Ok(format!("/{name}"))));
    let request = Request::new(inner);
    assert_eq!(request.path_params().unwrap().get::<u8>("id"), Ok(7));
    assert_eq!(request.matched_route().unwrap().as_str(), "/users/{id}");
    assert_eq!(
        request.url_builder().unwrap().url_for("home", &[]).unwrap(),
        "/home"
    );

    let bare = get("/", &[]);
    assert!(bare.path_params().is_none());
    assert!(bare.matched_route().is_none());
    assert!(bare.url_builder().is_none());
    assert!(bare.mount_prefix().is_none());
}
