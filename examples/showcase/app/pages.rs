//! The HTML pages: one layout, and the body of each page.
//!
//! Every piece of text that did not come from this file goes through
//! [`escape`], the one escaping function, whether it is a user name, a file
//! name, a note or a URL. Links come from the router's `url_for` (handed in
//! as [`Links`]), never from string literals, so renaming a route cannot
//! leave a dead link behind. The pages load nothing from elsewhere, and work
//! without JavaScript.

use std::fmt::Write as _;

use tackle::session::Flash;

use super::assets;
use super::files::StoredFile;

/// `text` safe in HTML text and in a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// The URLs a page links to, built by the router from route names.
pub struct Links {
    pub home: String,
    pub files: String,
    pub login: String,
    pub logout: String,
    pub session: String,
    pub hello: String,
}

/// What every page shows around its body: who is signed in, and the flash
/// messages waiting for this request.
pub struct Frame<'a> {
    pub links: &'a Links,
    pub user: Option<&'a str>,
    pub flashes: &'a [Flash],
}

/// The whole document: head, header with navigation, flashes, `body`.
pub fn layout(frame: &Frame<'_>, title: &str, body: &str) -> String {
    let links = frame.links;
    let mut page = String::with_capacity(body.len() + 1024);
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · tackle showcase</title>\n\
         <link rel=\"stylesheet\" href=\"{css}\">\n\
         <script src=\"{js}\" defer></script>\n</head>\n<body>\n<header>\n\
         <h1><a href=\"{home}\">tackle</a></h1>\n<nav><a href=\"{files}\">Files</a>",
        title = escape(title),
        css = escape(&assets::url("site.css")),
        js = escape(&assets::url("app.js")),
        home = escape(&links.home),
        files = escape(&links.files),
    );
    match frame.user {
        Some(user) => {
            let _ = write!(
                page,
                "</nav>\n<span class=\"muted\">{user}</span>\n\
                 <form method=\"post\" action=\"{logout}\"><button>Log out</button></form>\n",
                user = escape(user),
                logout = escape(&links.logout),
            );
        }
        None => {
            let _ = writeln!(
                page,
                " <a href=\"{login}\">Log in</a></nav>",
                login = escape(&links.login)
            );
        }
    }
    page.push_str("</header>\n<main>\n");
    for flash in frame.flashes {
        let _ = writeln!(
            page,
            "<p class=\"flash {}\" role=\"status\">{}</p>",
            flash.level.as_str(),
            escape(&flash.message)
        );
    }
    page.push_str(body);
    page.push_str("</main>\n</body>\n</html>\n");
    page
}

/// The crates the showcase uses, and what it uses each for.
const CRATES: &[(&str, &str)] = &[
    (
        "tackle-http",
        "entity tags, ranges, Content-Disposition, negotiation",
    ),
    (
        "tackle-request",
        "forms and multipart uploads spooled to disk, HTTP errors",
    ),
    (
        "tackle-routing",
        "routes with converters (the file id), url_for for every link",
    ),
    (
        "tackle-cache",
        "hash ETags and Cache-Control on these pages, 304 on revalidation",
    ),
    (
        "tackle-static",
        "the embedded assets, and downloads with send_file",
    ),
    (
        "tackle-session",
        "login with id rotation, flash messages, a counter",
    ),
    (
        "tackle-report",
        "panics and errors captured with their stack and spans",
    ),
    ("tackle-errormail", "those reports mailed in production"),
    (
        "tackle-debugger",
        "the in-browser error page in development",
    ),
    ("tackle-testing", "(the test suites)"),
];

/// `GET /`.
pub fn home(frame: &Frame<'_>) -> String {
    let links = frame.links;
    let mut body = String::from(
        "<p>A file drop with notes, built from tackle's crates: log in, upload a file \
         with a note, and download it again.</p>\n<table>\n<tr><th>crate</th><th>used for</th></tr>\n",
    );
    for (name, what) in CRATES {
        let _ = writeln!(
            body,
            "<tr><td><code>{}</code></td><td>{}</td></tr>",
            escape(name),
            escape(what)
        );
    }
    let _ = write!(
        body,
        "</table>\n<h2>Try</h2>\n<ul>\n\
         <li><a href=\"{files}\">the files</a> (uploading needs a login)</li>\n\
         <li><a href=\"{session}\">a per-session counter</a> (JSON)</li>\n\
         <li><a href=\"{hello}\">hello</a> (plain text, for benchmarks)</li>\n</ul>\n",
        files = escape(&links.files),
        session = escape(&links.session),
        hello = escape(&links.hello),
    );
    layout(frame, "Home", &body)
}

/// `GET /login`, and `POST /login` again with `error` after a wrong
/// password. `username` refills the field.
pub fn login(frame: &Frame<'_>, username: &str, error: Option<&str>) -> String {
    let mut body = String::from("<h2>Log in</h2>\n");
    if let Some(error) = error {
        let _ = writeln!(
            body,
            "<p class=\"error\" role=\"alert\">{}</p>",
            escape(error)
        );
    }
    let _ = write!(
        body,
        "<p class=\"muted\">Demo: any user name, with the password <code>tackle</code>.</p>\n\
         <form class=\"stacked\" method=\"post\" action=\"{action}\">\n\
         <label for=\"username\">User name</label>\n\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" \
         required maxlength=\"64\" autocomplete=\"username\">\n\
         <label for=\"password\">Password</label>\n\
         <input type=\"password\" id=\"password\" name=\"password\" required \
         autocomplete=\"current-password\">\n\
         <p><button>Log in</button></p>\n</form>\n",
        action = escape(&frame.links.login),
        username = escape(username),
    );
    layout(frame, "Log in", &body)
}

/// `GET /files`: the upload form (signed in) and the files, newest first;
/// `download` is the URL of a file's download.
pub fn files(frame: &Frame<'_>, files: &[StoredFile], download: impl Fn(&str) -> String) -> String {
    let links = frame.links;
    let mut body = String::from("<h2>Files</h2>\n");
    if frame.user.is_some() {
        let _ = write!(
            body,
            "<form class=\"stacked\" method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">\n\
             <label for=\"file\">File</label>\n\
             <input type=\"file\" id=\"file\" name=\"file\" required> <output id=\"file-size\"></output>\n\
             <label for=\"note\">Note</label>\n\
             <textarea id=\"note\" name=\"note\" rows=\"2\" maxlength=\"1000\"></textarea>\n\
             <p><button>Upload</button></p>\n</form>\n",
            action = escape(&links.files),
        );
    } else {
        let _ = writeln!(
            body,
            "<p><a href=\"{}\">Log in</a> to upload files.</p>",
            escape(&links.login)
        );
    }
    if files.is_empty() {
        body.push_str("<p class=\"muted\">No files yet.</p>\n");
    } else {
        body.push_str("<table>\n<tr><th>file</th><th>size</th><th>note</th><th>by</th></tr>\n");
        for file in files {
            let _ = writeln!(
                body,
                "<tr><td><a href=\"{href}\">{name}</a></td><td>{size}</td><td>{note}</td>\
                 <td>{owner}</td></tr>",
                href = escape(&download(&file.id)),
                name = escape(&file.filename),
                size = escape(&human_size(file.size)),
                note = escape(&file.note),
                owner = escape(&file.owner),
            );
        }
        body.push_str("</table>\n");
    }
    layout(frame, "Files", &body)
}

/// `1536` → `1.5 KiB`.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}
