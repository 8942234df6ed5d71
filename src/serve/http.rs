//! The HTTP side of `serve`: requests in, files of the in-memory site out.
//!
//! The decisions are pure functions, tested without a socket:
//! [`resolve`] maps a request path to a site path (or a redirect, or a
//! miss) by looking it up in the [`OutputTree`], never in the file system,
//! so nothing outside the site can be served however the path is encoded;
//! [`HostCheck`] refuses Host headers that do not name the bound address or
//! localhost (DNS rebinding) and foreign Origins on the event stream;
//! [`inject_reload`] adds the reload script to served HTML only.
//!
//! The handler glues them together with axum on tokio's current-thread
//! runtime: the site is read from an `ArcSwap`, so a rebuild swapping in a
//! new site never blocks a request, and the event stream wakes on a
//! `tokio::sync::watch` channel.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::incremental::Problem;
use crate::output::OutputTree;
use crate::render::site::root_prefix;

/// Where the reload machinery lives, relative to the site root.
const EVENTS: &str = "__specsite/events";
const SCRIPT: &str = "__specsite/reload.js";
const RELOAD_JS: &str = include_str!("reload.js");

/// What the server currently serves.
#[derive(Clone, Debug, Default)]
pub struct Published {
    /// The last site that built without errors.
    pub tree: Arc<OutputTree>,
    /// Bumped when pages changed: open pages reload.
    pub page_generation: u64,
    /// Bumped when only stylesheets changed: open pages swap them in place.
    pub css_generation: u64,
    /// Problems of the latest build when it failed; empty otherwise.
    pub problems: Vec<Problem>,
    /// Whether `tree` itself came from a build with errors (the first
    /// build, when the repository was broken from the start).
    pub tree_has_errors: bool,
}

/// How a request path maps onto the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file of the site, by site path.
    File(String),
    /// The reload script.
    Script,
    /// The reload event stream.
    Events,
    /// Redirect to this absolute path (a directory without its slash).
    Redirect(String),
    /// Nothing here: answer with the site's 404 page.
    NotFound,
}

/// Decode `%XX` escapes once; `None` for malformed escapes or a result that
/// is not UTF-8. Decoding once means `%252e` stays the literal `%2e`.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'%' {
            let hex = bytes.get(index + 1..index + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            out.push(byte);
            index += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Map a request path (still percent-encoded, without the query) to what
/// to serve, for a site mounted at `base_path` (`/` or `/repo/`).
pub fn resolve(raw_path: &str, base_path: &str, tree: &OutputTree) -> Resolved {
    let Some(path) = percent_decode(raw_path) else {
        return Resolved::NotFound;
    };
    if path.contains(['\\', '\0']) || !path.starts_with('/') {
        return Resolved::NotFound;
    }
    if base_path.len() > 1 && path == base_path.trim_end_matches('/') {
        return Resolved::Redirect(base_path.to_string());
    }
    let Some(rest) = path.strip_prefix(base_path) else {
        return Resolved::NotFound;
    };
    // Only plain segments: no `.`, `..`, empty segments (`//`), or
    // characters that mean something to Windows.
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    for (position, segment) in segments.iter().enumerate() {
        let empty_allowed = position == last;
        if (segment.is_empty() && !empty_allowed)
            || *segment == "."
            || *segment == ".."
            || segment.contains(':')
        {
            return Resolved::NotFound;
        }
    }
    match rest {
        EVENTS => return Resolved::Events,
        SCRIPT => return Resolved::Script,
        _ => {}
    }
    let site_path = if rest.is_empty() || rest.ends_with('/') {
        format!("{rest}index.html")
    } else {
        rest.to_string()
    };
    if tree.contains(&site_path) {
        Resolved::File(site_path)
    } else if tree.contains(&format!("{rest}/index.html")) {
        Resolved::Redirect(format!("{path}/"))
    } else {
        Resolved::NotFound
    }
}

/// The Host and Origin values this server answers to.
#[derive(Clone, Debug)]
pub struct HostCheck {
    allowed: Vec<String>,
}

impl HostCheck {
    /// Hosts naming `bound` or localhost, with the bound port.
    pub fn new(bound: SocketAddr) -> HostCheck {
        let port = bound.port();
        let ip = match bound.ip() {
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let mut names = vec![
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "[::1]".to_string(),
        ];
        if !names.contains(&ip) && !bound.ip().is_unspecified() {
            names.push(ip);
        }
        let mut allowed: Vec<String> = names.iter().map(|name| format!("{name}:{port}")).collect();
        if port == 80 {
            allowed.extend(names);
        }
        HostCheck { allowed }
    }

    pub fn host_allowed(&self, host: Option<&str>) -> bool {
        host.is_some_and(|host| {
            self.allowed
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(host))
        })
    }

    /// A same-origin request sends no Origin, or its own.
    pub fn origin_allowed(&self, origin: Option<&str>) -> bool {
        match origin {
            None => true,
            Some(origin) => origin
                .strip_prefix("http://")
                .is_some_and(|host| self.host_allowed(Some(host))),
        }
    }
}

/// The tag that loads the reload script, for a page at `page_path`.
fn reload_tag(page_path: &str, published: &Published) -> String {
    format!(
        "<script src=\"{}{SCRIPT}\" data-page-generation=\"{}\" data-css-generation=\"{}\" defer></script>",
        root_prefix(page_path),
        published.page_generation,
        published.css_generation
    )
}

/// Add the reload script to an HTML page: before `</body>` when there is
/// one, else at the end.
pub fn inject_reload(html: &[u8], page_path: &str, published: &Published) -> Vec<u8> {
    let tag = reload_tag(page_path, published);
    let lower: Vec<u8> = html.iter().map(u8::to_ascii_lowercase).collect();
    let at = lower
        .windows(7)
        .rposition(|window| window == b"</body>")
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(html.get(..at).unwrap_or(html));
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(html.get(at..).unwrap_or_default());
    out
}

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Shared by every request.
pub struct ServerState {
    pub published: ArcSwap<Published>,
    pub changes: tokio::sync::watch::Receiver<u64>,
    pub hosts: HostCheck,
    pub base_path: String,
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    let mut response = (status, message).into_response();
    add_common_headers(response.headers_mut());
    response
}

fn add_common_headers(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
}

fn file_response(status: StatusCode, path: &str, bytes: Vec<u8>, head: bool) -> Response {
    let length = bytes.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(path)),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    add_common_headers(headers);
    response
}

/// Serve one request.
async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !state.hosts.host_allowed(host) {
        return plain(
            StatusCode::FORBIDDEN,
            "specsite serve answers only to localhost and the address it is bound to\n",
        );
    }
    let head = method == Method::HEAD;
    if method != Method::GET && !head {
        let mut response = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "specsite serve is read-only\n",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let published = state.published.load_full();
    match resolve(uri.path(), &state.base_path, &published.tree) {
        Resolved::File(path) => {
            let bytes = published.tree.get(&path).unwrap_or_default();
            let bytes = if content_type(&path).starts_with("text/html") {
                inject_reload(bytes, &path, &published)
            } else {
                bytes.to_vec()
            };
            file_response(StatusCode::OK, &path, bytes, head)
        }
        Resolved::Script => file_response(StatusCode::OK, "reload.js", RELOAD_JS.into(), head),
        Resolved::Events => {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
            let same_site = matches!(fetch_site, None | Some("same-origin") | Some("none"));
            if !state.hosts.origin_allowed(origin) || !same_site {
                return plain(
                    StatusCode::FORBIDDEN,
                    "the reload stream is for this server's own pages\n",
                );
            }
            events(state.clone()).into_response()
        }
        Resolved::Redirect(location) => {
            let mut response = plain(StatusCode::MOVED_PERMANENTLY, "");
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Resolved::NotFound => match published.tree.get("404.html") {
            Some(page) => file_response(
                StatusCode::NOT_FOUND,
                "404.html",
                inject_reload(page, "404.html", &published),
                head,
            ),
            None => plain(StatusCode::NOT_FOUND, "not found\n"),
        },
    }
}

fn problems_event(problems: &[Problem]) -> Event {
    let data = serde_json::to_string(problems).unwrap_or_else(|_| "[]".to_string());
    Event::default().event("problems").data(data)
}

/// The reload stream: a `hello` with the current generations, the current
/// problems, then `reload`, `css` and `problems` events as builds land.
fn events(
    state: Arc<ServerState>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let first = state.published.load_full();
    let hello = Event::default().event("hello").data(format!(
        "{{\"page_generation\":{},\"css_generation\":{}}}",
        first.page_generation, first.css_generation
    ));
    let initial = vec![hello, problems_event(&first.problems)];
    let mut changes = state.changes.clone();
    changes.mark_unchanged();
    let seen = first;
    let stream = futures_util::stream::unfold(
        (initial, seen, changes, state),
        |(mut queue, mut seen, mut changes, state)| async move {
            loop {
                if !queue.is_empty() {
                    let event = queue.remove(0);
                    return Some((Ok(event), (queue, seen, changes, state)));
                }
                // The sender lives as long as the server; if it is gone,
                // end the stream (the browser reconnects to a new server).
                changes.changed().await.ok()?;
                let now = state.published.load_full();
                if now.page_generation != seen.page_generation {
                    queue.push(
                        Event::default()
                            .event("reload")
                            .data(now.page_generation.to_string()),
                    );
                } else if now.css_generation != seen.css_generation {
                    queue.push(
                        Event::default()
                            .event("css")
                            .data(now.css_generation.to_string()),
                    );
                }
                if now.problems != seen.problems {
                    queue.push(problems_event(&now.problems));
                }
                seen = now;
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// The router: every request goes through [`handle`].
pub fn router(state: Arc<ServerState>) -> Router {
    Router::new().fallback(handle).with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> OutputTree {
        let mut tree = OutputTree::default();
        for path in [
            "index.html",
            "404.html",
            "specs/a.html",
            "specs/index.html",
            "static/specsite.css",
        ] {
            tree.insert(path, b"x".to_vec());
        }
        tree
    }

    #[test]
    fn paths_map_onto_the_tree_only() {
        let tree = site();
        assert_eq!(
            resolve("/", "/", &tree),
            Resolved::File("index.html".into())
        );
        assert_eq!(
            resolve("/specs/a.html", "/", &tree),
            Resolved::File("specs/a.html".into())
        );
        assert_eq!(
            resolve("/specs/", "/", &tree),
            Resolved::File("specs/index.html".into())
        );
        assert_eq!(
            resolve("/specs", "/", &tree),
            Resolved::Redirect("/specs/".into())
        );
        assert_eq!(
            resolve("/specs/%61.html", "/", &tree),
            Resolved::File("specs/a.html".into())
        );
        assert_eq!(resolve("/__specsite/events", "/", &tree), Resolved::Events);
        assert_eq!(resolve("/missing.html", "/", &tree), Resolved::NotFound);
    }

    #[test]
    fn traversal_in_every_encoding_is_a_miss() {
        let tree = site();
        for hostile in [
            "/../index.html",
            "/specs/../index.html",
            "/%2e%2e/index.html",
            "/%2e%2e%2findex.html",
            "/%252e%252e/index.html",
            "/.%2e/index.html",
            "/specs\\..\\index.html",
            "/specs%5c..%5cindex.html",
            "/%c0%ae%c0%ae/index.html",
            "//index.html",
            "/./index.html",
            "/index.html%00.txt",
            "/%00",
            "/c:/index.html",
            "/%zz",
            "relative",
        ] {
            assert_eq!(
                resolve(hostile, "/", &tree),
                Resolved::NotFound,
                "{hostile}"
            );
        }
    }

    #[test]
    fn a_base_path_works_like_project_pages() {
        let tree = site();
        assert_eq!(
            resolve("/repo", "/repo/", &tree),
            Resolved::Redirect("/repo/".into())
        );
        assert_eq!(
            resolve("/repo/", "/repo/", &tree),
            Resolved::File("index.html".into())
        );
        assert_eq!(
            resolve("/repo/specs/a.html", "/repo/", &tree),
            Resolved::File("specs/a.html".into())
        );
        assert_eq!(
            resolve("/repo/__specsite/events", "/repo/", &tree),
            Resolved::Events
        );
        assert_eq!(resolve("/", "/repo/", &tree), Resolved::NotFound);
        assert_eq!(
            resolve("/specs/a.html", "/repo/", &tree),
            Resolved::NotFound
        );
        assert_eq!(resolve("/repository/", "/repo/", &tree), Resolved::NotFound);
    }

    #[test]
    fn only_local_hosts_and_origins_are_answered() {
        let check = HostCheck::new("127.0.0.1:8000".parse().expect("addr"));
        for good in [
            "127.0.0.1:8000",
            "localhost:8000",
            "LOCALHOST:8000",
            "[::1]:8000",
        ] {
            assert!(check.host_allowed(Some(good)), "{good}");
        }
        for bad in [
            "evil.example",
            "localhost.evil.example:8000",
            "127.0.0.1.nip.io:8000",
            "127.0.0.1:8001",
            "127.0.0.1",
            "",
        ] {
            assert!(!check.host_allowed(Some(bad)), "{bad}");
        }
        assert!(!check.host_allowed(None));
        assert!(check.origin_allowed(None));
        assert!(check.origin_allowed(Some("http://localhost:8000")));
        assert!(!check.origin_allowed(Some("http://evil.example")));
        assert!(!check.origin_allowed(Some("null")));
        assert!(!check.origin_allowed(Some("https://localhost:8000")));
        let wide = HostCheck::new("192.168.1.5:8000".parse().expect("addr"));
        assert!(wide.host_allowed(Some("192.168.1.5:8000")));
    }

    #[test]
    fn the_script_goes_before_the_last_body_end_tag() {
        let published = Published {
            page_generation: 3,
            ..Published::default()
        };
        let html = b"<html><body><p>x</p></BODY></html>";
        let out =
            String::from_utf8(inject_reload(html, "specs/a/b.html", &published)).expect("utf-8");
        assert!(
            out.contains(
                "<script src=\"../../__specsite/reload.js\" data-page-generation=\"3\" data-css-generation=\"0\" defer></script></BODY>"
            ),
            "{out}"
        );
        let bare = inject_reload(b"<p>no body", "index.html", &published);
        assert!(String::from_utf8_lossy(&bare).ends_with("defer></script>"));
    }
}
