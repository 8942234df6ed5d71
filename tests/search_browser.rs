//! Must-show 3: search in a real browser on the example site published
//! under a sub-path. content-example is built for
//! `https://example.github.io/specsite/`, served under `/specsite/` by a
//! small static server of this test (no specsite code serves it, as on
//! GitHub Pages), and driven in headless Chromium over WebDriver:
//! type a query in the header search box of a spec page, see results on
//! the search page, refine by prefix as you type, filter by status (the
//! result set shrinks to that status and the URL keeps the filter), and
//! open a result (it lands on the right spec page).
//!
//! Skips, with a message, when `chromedriver` or `chromium` is missing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

const SUB_PATH: &str = "/specsite/";

/// A child process killed when dropped.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Static files of `site` under [`SUB_PATH`], with the content types a
/// browser checks; anything else is a 404.
fn serve_static(site: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let target = read_request_target(&mut stream);
            let file = target
                .split(['?', '#'])
                .next()
                .and_then(|path| path.strip_prefix(SUB_PATH))
                .filter(|rel| !rel.split('/').any(|part| part == ".."))
                .map(|rel| site.join(if rel.is_empty() { "index.html" } else { rel }));
            let found = file.as_ref().and_then(|f| std::fs::read(f).ok());
            let kind = match file
                .as_deref()
                .and_then(Path::extension)
                .and_then(|e| e.to_str())
            {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("json") => "application/json",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            let (status, body) = match found {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    port
}

fn read_request_target(stream: &mut TcpStream) -> String {
    let mut request = Vec::new();
    let mut buffer = [0u8; 2048];
    while !request.ends_with(b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(buffer.get(..n).unwrap_or_default()),
        }
    }
    String::from_utf8_lossy(&request)
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string()
}

async fn chromium_session(driver: &Path, chromium: &Path, profile: &Path) -> (ChildGuard, Client) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let guard = ChildGuard(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver is not listening");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--no-first-run",
                     "--window-size=1200,900",
                     format!("--user-data-dir={}", profile.display())],
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");
    (guard, client)
}

async fn script(client: &Client, source: &str) -> Value {
    client
        .execute(source, Vec::new())
        .await
        .unwrap_or_else(|e| panic!("{source}: {e}"))
}

/// Wait (at most 10 s) until `condition` is true in the page.
async fn eventually(client: &Client, condition: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if script(client, condition).await == Value::Bool(true) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// (title, status label) of every result on the search page.
const RESULTS: &str = "return Array.from(document.querySelectorAll('.search-result')).map(r => \
    [r.querySelector('.search-result-title a').textContent, \
     (r.querySelector('.badge') || {textContent: ''}).textContent]);";

#[tokio::test(flavor = "current_thread")]
async fn type_a_query_filter_by_status_and_open_a_result() {
    let (Some(driver), Some(chromium)) = (on_path("chromedriver"), on_path("chromium")) else {
        eprintln!("SKIP search_browser: chromedriver or chromium not found");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let site = dir.path().join("site");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let built = Command::new(env!("CARGO_BIN_EXE_specsite"))
        .args(["-q", "build"])
        .arg(&example)
        .arg("--out")
        .arg(&site)
        .args(["--base-url", "https://example.github.io/specsite/"])
        .output()
        .expect("specsite build runs");
    assert!(site.join("search/manifest.json").is_file(), "{built:?}");
    let port = serve_static(site);
    let (_driver, client) = chromium_session(&driver, &chromium, &dir.path().join("profile")).await;
    let origin = format!("http://127.0.0.1:{port}");

    // 1. On a spec page two levels down, type in the header box and press
    //    Enter: the search page opens with the results.
    client
        .goto(&format!(
            "{origin}{SUB_PATH}proposals/0001-checksum-trailers.html"
        ))
        .await
        .expect("open a spec page");
    let header_box = client
        .find(Locator::Css("#site-search-input"))
        .await
        .expect("the header search box");
    header_box
        .send_keys("tenant\u{E007}")
        .await
        .expect("type and Enter");
    assert!(
        eventually(
            &client,
            "return document.querySelectorAll('.search-result').length > 2;"
        )
        .await,
        "results for 'tenant' at {:?}",
        script(
            &client,
            "return location.href + ' ' + document.body.innerText;"
        )
        .await
    );
    let path = script(&client, "return location.pathname + location.search;").await;
    assert_eq!(path, json!("/specsite/search.html?q=tenant"));
    let all = script(&client, RESULTS).await;
    let all: Vec<(String, String)> = serde_json::from_value(all).expect("results");
    let titles: Vec<&str> = all.iter().map(|(title, _)| title.as_str()).collect();
    assert!(titles.contains(&"Per-tenant storage quotas"), "{titles:?}");
    assert!(
        titles.contains(&"Tenant identity and scoped credentials"),
        "{titles:?}"
    );
    let count = script(
        &client,
        "return document.querySelector('[data-search-count]').textContent;",
    )
    .await;
    assert_eq!(count, json!(format!("{} specs found", all.len())));

    // 2. Keep typing on the search page: the last word matches as a prefix.
    let page_box = client
        .find(Locator::Css("#search-input"))
        .await
        .expect("the search page's box");
    page_box.send_keys(" quot").await.expect("type");
    assert!(
        eventually(
            &client,
            "var r = document.querySelectorAll('.search-result-title a'); \
             return r.length >= 1 && r[0].textContent === 'Per-tenant storage quotas';"
        )
        .await,
        "prefix match: {:?}",
        script(&client, RESULTS).await
    );
    page_box.clear().await.expect("clear");
    page_box.send_keys("tenant").await.expect("type");
    assert!(
        eventually(
            &client,
            &format!(
                "return document.querySelectorAll('.search-result').length === {};",
                all.len()
            )
        )
        .await
    );

    // 3. Filter by a status some but not all results have: exactly the
    //    results of that status remain, and the URL keeps the filter.
    let status = all
        .iter()
        .map(|(_, status)| status.clone())
        .find(|status| all.iter().any(|(_, other)| other != status))
        .expect("results of more than one status");
    let expected: Vec<(String, String)> =
        all.iter().filter(|(_, s)| *s == status).cloned().collect();
    let clicked = script(
        &client,
        &format!(
            "var box = Array.from(document.querySelectorAll('[data-facet-status] label')) \
               .find(l => l.querySelector('.badge').textContent === {status:?}); \
             if (!box) return false; box.querySelector('input').click(); return true;"
        ),
    )
    .await;
    assert_eq!(clicked, json!(true), "a checkbox for {status}");
    assert!(
        eventually(
            &client,
            &format!(
                "return document.querySelectorAll('.search-result').length === {};",
                expected.len()
            )
        )
        .await,
        "filtered to {status}: {:?}",
        script(&client, RESULTS).await
    );
    let filtered: Vec<(String, String)> =
        serde_json::from_value(script(&client, RESULTS).await).expect("results");
    assert_eq!(filtered, expected);
    let search = script(&client, "return location.search;").await;
    let search = search.as_str().expect("a string");
    assert!(
        search.contains("q=tenant") && search.contains("status="),
        "{search}"
    );

    // 4. Open the first result with the keyboard: it lands on its spec page.
    let (title, _) = expected.first().expect("a result").clone();
    page_box.send_keys("\u{E015}").await.expect("arrow down");
    assert!(
        eventually(
            &client,
            "return document.activeElement.closest('.search-result-title') !== null;"
        )
        .await,
        "arrow down focuses the first result"
    );
    let href = script(&client, "return document.activeElement.href;").await;
    script(&client, "document.activeElement.click(); return true;").await;
    assert!(
        eventually(
            &client,
            &format!("return location.href === {href} && document.querySelector('h1') !== null;")
        )
        .await,
        "navigated to {href}"
    );
    let heading = script(
        &client,
        "return document.querySelector('h1.spec-title').textContent;",
    )
    .await;
    assert_eq!(heading, json!(title));
    let path = script(&client, "return location.pathname;").await;
    assert!(
        path.as_str().is_some_and(|p| p.starts_with(SUB_PATH)),
        "{path}"
    );
    client.close().await.expect("close the session");
}
