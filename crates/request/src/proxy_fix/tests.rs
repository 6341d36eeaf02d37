use std::convert::Infallible;
use std::net::SocketAddr;

use tower::ServiceExt;

use super::*;
use crate::extensions::{ConnectionInfo, MountPrefix};
use crate::request::Request;

/// A request as a test builds it: the connection, the target, the headers,
/// and the mount prefix a router set before the layer.
struct Input {
    remote: &'static str,
    secure: bool,
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    mount: Option<&'static str>,
}

/// What [`Request`] reports after the layer.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    remote_addr: Option<SocketAddr>,
    scheme: String,
    host: Option<String>,
    url: Option<String>,
    root_url: Option<String>,
}

async fn through(layer: ProxyFixLayer, input: &Input) -> http::Request<()> {
    let mut request = http::Request::builder().uri(input.uri);
    for (name, value) in input.headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(()).unwrap();
    let remote: SocketAddr = input.remote.parse().unwrap();
    request
        .extensions_mut()
        .insert(ConnectionInfo::new(remote).with_secure(input.secure));
    if let Some(mount) = input.mount {
        request.extensions_mut().insert(MountPrefix::new(mount));
    }
    let echo =
        tower::service_fn(|request: http::Request<()>| async move { Ok::<_, Infallible>(request) });
    layer.layer(echo).oneshot(request).await.unwrap()
}

fn seen(request: http::Request<()>) -> Seen {
    let request = Request::new(request);
    Seen {
        remote_addr: request.remote_addr(),
        scheme: request.scheme().to_owned(),
        host: request.host().ok().map(|h| h.as_str().to_owned()),
        url: request.url().ok(),
        root_url: request.root_url().ok(),
    }
}

use tower_layer::Layer;

fn plain(uri: &'static str, headers: &'static [(&'static str, &'static str)]) -> Input {
    Input {
        remote: "192.168.0.1:4000",
        secure: false,
        uri,
        headers,
        mount: None,
    }
}

fn from(remote: &'static str, headers: &'static [(&'static str, &'static str)]) -> Input {
    Input {
        remote,
        ..plain("/parrot", headers)
    }
}

/// Werkzeug's `test_proxy_fix` table: after the layer the client is always
/// 192.168.0.1 (the port kept from the connection), the root URL is as
/// listed, and the URL of `/parrot` is the root URL followed by `parrot`.
#[tokio::test]
async fn werkzeug_proxy_fix_table() {
    let default = ProxyFixLayer::new();
    let cases: &[(&str, ProxyFixLayer, Input, &str)] = &[
        (
            "for",
            default,
            from(
                "192.168.0.2:4000",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.1"),
                    ("x-forwarded-proto", "https"),
                ],
            ),
            "https://spam/",
        ),
        (
            "proto",
            default.x_proto(1),
            plain(
                "/parrot",
                &[("host", "spam"), ("x-forwarded-proto", "https")],
            ),
            "https://spam/",
        ),
        (
            "host",
            default.x_host(1),
            plain("/parrot", &[("host", "spam"), ("x-forwarded-host", "eggs")]),
            "http://eggs/",
        ),
        (
            "port, host without port",
            default.x_port(1),
            plain("/parrot", &[("host", "spam"), ("x-forwarded-port", "8080")]),
            "http://spam:8080/",
        ),
        (
            "port, host with port",
            default.x_port(1),
            plain(
                "/parrot",
                &[("host", "spam:9000"), ("x-forwarded-port", "8080")],
            ),
            "http://spam:8080/",
        ),
        (
            // Werkzeug's SERVER_NAME without a Host header: here, a request
            // target in absolute form.
            "port, name",
            default.x_port(1),
            plain("http://spam:9000/parrot", &[("x-forwarded-port", "8080")]),
            "http://spam:8080/",
        ),
        (
            "prefix",
            default.x_prefix(1),
            plain(
                "/parrot",
                &[("host", "spam"), ("x-forwarded-prefix", "/eggs")],
            ),
            "http://spam/eggs/",
        ),
        (
            "all",
            default.x_for(1).x_proto(1).x_host(1).x_port(1).x_prefix(1),
            from(
                "192.168.0.2:4000",
                &[
                    ("host", "spam:9000"),
                    ("x-forwarded-for", "192.168.0.1"),
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-host", "eggs"),
                    ("x-forwarded-port", "443"),
                    ("x-forwarded-prefix", "/ham"),
                ],
            ),
            "https://eggs/ham/",
        ),
        (
            "multiple for",
            default.x_for(2),
            from(
                "192.168.0.3:4000",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.1, 192.168.0.2"),
                ],
            ),
            "http://spam/",
        ),
        (
            "ignore 0",
            default.x_for(0),
            plain(
                "/parrot",
                &[("host", "spam"), ("x-forwarded-for", "192.168.0.2")],
            ),
            "http://spam/",
        ),
        (
            "ignore len < trusted",
            default.x_for(3),
            plain(
                "/parrot",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.3, 192.168.0.2"),
                ],
            ),
            "http://spam/",
        ),
        (
            "ignore untrusted",
            default,
            from(
                "192.168.0.2:4000",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.3, 192.168.0.1"),
                ],
            ),
            "http://spam/",
        ),
        (
            "ignore empty",
            default.x_for(2),
            plain(
                "/parrot",
                &[("host", "spam"), ("x-forwarded-for", ", 192.168.0.3")],
            ),
            "http://spam/",
        ),
        (
            "prefix < for",
            default.x_for(2).x_prefix(1),
            from(
                "192.168.0.2:4000",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.168.0.1, 192.168.0.3"),
                    ("x-forwarded-prefix", "/ham, /eggs"),
                ],
            ),
            "http://spam/eggs/",
        ),
        (
            "ipv6 host",
            default.x_host(1),
            plain(
                "/parrot",
                &[("host", "spam"), ("x-forwarded-host", "[2001:db8::a]")],
            ),
            "http://[2001:db8::a]/",
        ),
        (
            "ipv6 port, host without port",
            default.x_port(1),
            plain(
                "/parrot",
                &[("host", "[2001:db8::a]"), ("x-forwarded-port", "8080")],
            ),
            "http://[2001:db8::a]:8080/",
        ),
        (
            "ipv6 - port, host with port",
            default.x_port(1),
            plain(
                "/parrot",
                &[("host", "[2001:db8::a]:9000"), ("x-forwarded-port", "8080")],
            ),
            "http://[2001:db8::a]:8080/",
        ),
    ];
    let client: SocketAddr = "192.168.0.1:4000".parse().unwrap();
    for (name, layer, input, root_url) in cases {
        let seen = seen(through(*layer, input).await);
        assert_eq!(seen.remote_addr, Some(client), "{name}");
        assert_eq!(seen.root_url.as_deref(), Some(*root_url), "{name}");
        assert_eq!(seen.url, Some(format!("{root_url}parrot")), "{name}");
        let scheme = root_url.split_once(':').unwrap().0;
        assert_eq!(seen.scheme, scheme, "{name}");
    }
}

/// Cases beyond Werkzeug's: `Forwarded`, odd nodes, invalid values, absolute
/// targets, existing mount prefixes. Expected: remote address, scheme,
/// host, URL, root URL.
#[tokio::test]
async fn proxy_fix_table() {
    type Expected = (
        Option<&'static str>,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    );
    let default = ProxyFixLayer::new();
    let on_tls = |input: Input| Input {
        secure: true,
        ..input
    };
    let mounted = |input: Input| Input {
        mount: Some("/sub"),
        ..input
    };
    let cases: Vec<(&str, ProxyFixLayer, Input, Expected)> = vec![
        (
            "forwarded: for, proto and host",
            default.forwarded(1),
            plain(
                "/a?b=1",
                &[
                    ("host", "spam"),
                    ("forwarded", "for=192.0.2.60;proto=HTTPS;host=example.com"),
                ],
            ),
            (
                Some("192.0.2.60:4000"),
                "https",
                "example.com",
                "https://example.com/a?b=1",
                "https://example.com/",
            ),
        ),
        (
            "forwarded: forged element left of the trusted one",
            default.forwarded(1),
            plain(
                "/",
                &[
                    ("host", "spam"),
                    ("forwarded", "for=6.6.6.6;host=evil;proto=https"),
                    ("forwarded", "for=\"[2001:db8::1]:8443\""),
                ],
            ),
            (
                Some("[2001:db8::1]:8443"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "forwarded: fewer elements than trusted",
            default.forwarded(2),
            plain(
                "/",
                &[
                    ("host", "spam"),
                    ("forwarded", "for=192.0.2.60;proto=https"),
                ],
            ),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "forwarded: X-Forwarded-* ignored",
            default.forwarded(1),
            plain(
                "/",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.0.2.9"),
                    ("x-forwarded-proto", "https"),
                ],
            ),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "forwarded: unparsable header ignored",
            default.forwarded(1),
            plain(
                "/",
                &[("host", "spam"), ("forwarded", "for=\"unterminated")],
            ),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "forwarded(0) is off: X-Forwarded-For read again",
            default.forwarded(1).forwarded(0),
            plain("/", &[("host", "spam"), ("x-forwarded-for", "192.0.2.9")]),
            (
                Some("192.0.2.9:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "unknown client: no address",
            default,
            plain("/", &[("host", "spam"), ("x-forwarded-for", "unknown")]),
            (None, "http", "spam", "http://spam/", "http://spam/"),
        ),
        (
            "obfuscated client: no address",
            default.forwarded(1),
            plain("/", &[("host", "spam"), ("forwarded", "for=_hidden")]),
            (None, "http", "spam", "http://spam/", "http://spam/"),
        ),
        (
            "client with a port",
            default,
            plain(
                "/",
                &[("host", "spam"), ("x-forwarded-for", "[2001:db8::7]:5555")],
            ),
            (
                Some("[2001:db8::7]:5555"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "bare IPv6 client",
            default,
            plain("/", &[("host", "spam"), ("x-forwarded-for", "2001:db8::7")]),
            (
                Some("[2001:db8::7]:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "invalid client ignored",
            default,
            plain("/", &[("host", "spam"), ("x-forwarded-for", "not-an-ip")]),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "several X-Forwarded-For lines: the last is nearest",
            default,
            plain(
                "/",
                &[
                    ("host", "spam"),
                    ("x-forwarded-for", "192.0.2.1"),
                    ("x-forwarded-for", "192.0.2.2"),
                ],
            ),
            (
                Some("192.0.2.2:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "proto says http on a TLS connection",
            default,
            on_tls(plain(
                "/",
                &[("host", "spam"), ("x-forwarded-proto", "http")],
            )),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "no proto keeps TLS",
            default,
            on_tls(plain(
                "/",
                &[("host", "spam"), ("x-forwarded-for", "192.0.2.9")],
            )),
            (
                Some("192.0.2.9:4000"),
                "https",
                "spam",
                "https://spam/",
                "https://spam/",
            ),
        ),
        (
            "invalid proto ignored",
            default,
            plain("/", &[("host", "spam"), ("x-forwarded-proto", "ht tp")]),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "invalid host ignored",
            default.x_host(1),
            plain("/", &[("host", "spam"), ("x-forwarded-host", "bad host!")]),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "invalid port ignored",
            default.x_port(1),
            plain("/", &[("host", "spam"), ("x-forwarded-port", "99999")]),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/",
                "http://spam/",
            ),
        ),
        (
            "host and port together",
            default.x_host(1).x_port(1),
            plain(
                "/",
                &[
                    ("host", "spam"),
                    ("x-forwarded-host", "eggs:9000"),
                    ("x-forwarded-port", "8443"),
                    ("x-forwarded-proto", "https"),
                ],
            ),
            (
                Some("192.168.0.1:4000"),
                "https",
                "eggs:8443",
                "https://eggs:8443/",
                "https://eggs:8443/",
            ),
        ),
        (
            "absolute target: scheme and authority rewritten",
            default.x_host(1),
            plain(
                "http://spam:8000/x?y",
                &[("x-forwarded-proto", "https"), ("x-forwarded-host", "eggs")],
            ),
            (
                Some("192.168.0.1:4000"),
                "https",
                "eggs",
                "https://eggs/x?y",
                "https://eggs/",
            ),
        ),
        (
            "prefix goes before an existing mount",
            default.x_prefix(1),
            mounted(plain(
                "/x",
                &[("host", "spam"), ("x-forwarded-prefix", "/ham")],
            )),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/ham/x",
                "http://spam/ham/sub/",
            ),
        ),
        (
            "prefix trailing slash dropped",
            default.x_prefix(1),
            plain(
                "/x?q=1",
                &[("host", "spam"), ("x-forwarded-prefix", "/ham/")],
            ),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/ham/x?q=1",
                "http://spam/ham/",
            ),
        ),
        (
            "prefix of just a slash changes nothing",
            default.x_prefix(1),
            plain("/x", &[("host", "spam"), ("x-forwarded-prefix", "/")]),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/x",
                "http://spam/",
            ),
        ),
        (
            "prefix leaving the site ignored",
            default.x_prefix(1),
            plain(
                "/x",
                &[("host", "spam"), ("x-forwarded-prefix", "//evil.example")],
            ),
            (
                Some("192.168.0.1:4000"),
                "http",
                "spam",
                "http://spam/x",
                "http://spam/",
            ),
        ),
    ];
    for (name, layer, input, expected) in &cases {
        let (remote_addr, scheme, host, url, root_url) = *expected;
        let want = Seen {
            remote_addr: remote_addr.map(|a| a.parse().unwrap()),
            scheme: scheme.to_owned(),
            host: Some(host.to_owned()),
            url: Some(url.to_owned()),
            root_url: Some(root_url.to_owned()),
        };
        assert_eq!(seen(through(*layer, input).await), want, "{name}");
    }
}

#[tokio::test]
async fn originals_are_recorded() {
    let layer = ProxyFixLayer::new().x_host(1).x_prefix(1);
    let input = Input {
        mount: Some("/sub"),
        secure: true,
        ..plain(
            "/x",
            &[
                ("host", "spam:8000"),
                ("x-forwarded-for", "192.0.2.9"),
                ("x-forwarded-proto", "http"),
                ("x-forwarded-host", "eggs"),
                ("x-forwarded-prefix", "/ham"),
            ],
        )
    };
    let request = through(layer, &input).await;
    let original = ProxyFixOriginal::from_request(&request).unwrap();
    assert_eq!(
        original.remote_addr(),
        Some("192.168.0.1:4000".parse().unwrap())
    );
    assert_eq!(original.scheme(), "https");
    assert_eq!(original.host(), Some("spam:8000"));
    assert_eq!(original.prefix().map(MountPrefix::as_str), Some("/sub"));
    assert_eq!(request.headers()["host"], "eggs");
    assert_eq!(
        ProxyFixOriginal::from_extensions(request.extensions()),
        Some(original)
    );

    // Nothing trusted: the record is there and nothing changed.
    let request = through(
        ProxyFixLayer::new().x_for(0).x_proto(0),
        &plain("http://spam/", &[]),
    )
    .await;
    let original = ProxyFixOriginal::from_request(&request).unwrap();
    assert_eq!(original.host(), Some("spam"));
    assert_eq!(original.scheme(), "http");
    assert_eq!(original.prefix(), None);
    assert_eq!(request.uri(), "http://spam/");
}

#[tokio::test]
async fn bare_socket_addr_extension_is_the_original_peer() {
    let mut request = http::Request::builder()
        .uri("/")
        .header("host", "spam")
        .header("x-forwarded-for", "192.0.2.9")
        .body(())
        .unwrap();
    let peer: SocketAddr = "10.0.0.1:7000".parse().unwrap();
    request.extensions_mut().insert(peer);
    let echo = tower::service_fn(|r: http::Request<()>| async move { Ok::<_, Infallible>(r) });
    let request = ProxyFix::new(echo).oneshot(request).await.unwrap();
    assert_eq!(
        Request::new(request).remote_addr(),
        Some("192.0.2.9:7000".parse().unwrap())
    );
}

#[test]
fn layer_defaults_are_werkzeugs() {
    let layer = ProxyFixLayer::default();
    assert_eq!(
        (
            layer.x_for,
            layer.x_proto,
            layer.x_host,
            layer.x_port,
            layer.x_prefix,
            layer.forwarded
        ),
        (1, 1, 0, 0, 0, None)
    );
    let service = layer.layer(());
    assert_eq!(*service.get_ref(), ());
    service.into_inner();
}
