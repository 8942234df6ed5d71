//! Must-show 1: the example site built for `https://example.github.io/specsite/`
//! and served under `/specsite/` by a loopback HTTP server of this test is
//! crawled from its home page and from a deep 404 (GitHub Pages serves
//! 404.html at any depth); every internal link, asset and `#anchor` must
//! resolve. Absolute links into the site (canonical, Open Graph, feeds,
//! sitemap) are followed too.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use specsite::check::links::{percent_decode, scan_html};

const BASE_URL: &str = "https://example.github.io/specsite/";
const PREFIX: &str = "/specsite/";

/// Serve `dir` under [`PREFIX`] on a loopback port, GitHub-Pages style:
/// directories serve index.html, anything missing gets 404.html with 404.
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            respond(stream, &dir);
        }
    });
    port
}

fn respond(mut stream: TcpStream, dir: &Path) {
    let mut request = Vec::new();
    let mut buffer = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buffer[..n]),
        }
    }
    let request = String::from_utf8_lossy(&request);
    let target = request.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("");
    let file = path
        .strip_prefix(PREFIX)
        .map(percent_decode)
        .filter(|rel| !rel.split('/').any(|part| part == ".."))
        .map(|rel| {
            let mut file = dir.join(&rel);
            if rel.is_empty() || rel.ends_with('/') || file.is_dir() {
                file = file.join("index.html");
            }
            file
        });
    let (status, body) = match file.and_then(|f| std::fs::read(f).ok()) {
        Some(body) => ("200 OK", body),
        None => (
            "404 Not Found",
            std::fs::read(dir.join("404.html")).unwrap_or_default(),
        ),
    };
    let head = format!(
        "HTTP/1.0 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// GET a path from the loopback server: (status code, body).
fn get(port: u16, path: &str) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, response[split + 4..].to_vec())
}

/// Resolve `reference` found on the page at URL path `page` to a URL path
/// on this server and a fragment; `None` for links that leave the site.
fn resolve(page: &str, reference: &str) -> Option<(String, Option<String>)> {
    let reference = match reference.strip_prefix(BASE_URL) {
        Some(rest) => format!("{PREFIX}{rest}"),
        None if reference.contains("://") || reference.starts_with("//") => return None,
        None if reference.starts_with("mailto:") || reference.starts_with("data:") => return None,
        None => reference.to_string(),
    };
    let (path, fragment) = match reference.split_once('#') {
        Some((p, f)) => (p.to_string(), Some(percent_decode(f))),
        None => (reference, None),
    };
    let path = path.split('?').next().unwrap_or("").to_string();
    let joined = if path.is_empty() {
        page.to_string()
    } else if path.starts_with('/') {
        path
    } else {
        let dir = &page[..page.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{path}")
    };
    // Normalise `.` and `..` like a browser does.
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/').skip(1) {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut normal = format!("/{}", parts.join("/"));
    if (joined.ends_with("/.") || joined.ends_with("/..")) && !normal.ends_with('/') {
        normal.push('/');
    }
    Some((normal, fragment))
}

#[test]
fn every_internal_link_and_anchor_resolves_under_a_sub_path() {
    let out = tempfile::tempdir().expect("tempdir");
    let site = out.path().join("site");
    Command::cargo_bin("specsite")
        .expect("binary")
        .args([
            "-q",
            "build",
            "content-example",
            "--base-url",
            BASE_URL,
            "--out",
        ])
        .arg(&site)
        .assert()
        .success();
    let port = serve(site);

    let mut queue: VecDeque<String> = VecDeque::from([
        PREFIX.to_string(),
        // The 404 page, as served for a missing path deep in the site.
        format!("{PREFIX}no/such/deep/page.html"),
        format!("{PREFIX}sitemap.xml"),
    ]);
    let mut fetched: BTreeMap<String, (u16, Option<BTreeSet<String>>)> = BTreeMap::new();
    let mut wanted: Vec<(String, String, Option<String>)> = Vec::new();
    while let Some(url) = queue.pop_front() {
        if fetched.contains_key(&url) {
            continue;
        }
        let (status, body) = get(port, &url);
        let text = String::from_utf8_lossy(&body).into_owned();
        let is_html = url.ends_with(".html") || url.ends_with('/') || status == 404;
        let mut anchors = None;
        let mut references = Vec::new();
        if is_html {
            let links = scan_html(&text);
            anchors = Some(links.anchors);
            references = links.references;
        } else if url.ends_with(".xml") {
            // Sitemap <loc> and Atom <link href>/<id> entries.
            for piece in text.split("<loc>").skip(1) {
                references.extend(piece.split("</loc>").next().map(str::to_string));
            }
            for piece in text.split("href=\"").skip(1) {
                references.extend(piece.split('"').next().map(str::to_string));
            }
        }
        for reference in references {
            if let Some((path, fragment)) = resolve(&url, &reference) {
                wanted.push((url.clone(), path.clone(), fragment));
                queue.push_back(path);
            }
        }
        fetched.insert(url, (status, anchors));
    }

    let mut broken = BTreeSet::new();
    for (from, path, fragment) in &wanted {
        let Some((status, anchors)) = fetched.get(path) else {
            broken.insert(format!("{from} → {path}: never fetched"));
            continue;
        };
        // A same-page `#fragment` on the served 404 page is fine.
        if *status != 200 && from != path {
            broken.insert(format!("{from} → {path}: HTTP {status}"));
        } else if let (Some(fragment), Some(anchors)) = (fragment, anchors) {
            if !fragment.is_empty() && !anchors.contains(fragment) {
                broken.insert(format!("{from} → {path}#{fragment}: no such anchor"));
            }
        }
    }
    // The one link content-example breaks on purpose (EXPECTED.md: a
    // dangling reference, reported by the reference lints).
    let expected = format!(
        "{PREFIX}proposals/0003-quota-enforcement.html → {PREFIX}proposals/0099-garbage-collection.md: HTTP 404"
    );
    assert!(
        broken.remove(&expected),
        "the deliberate dangling link: {broken:#?}"
    );
    assert!(broken.is_empty(), "broken links: {broken:#?}");
    let pages = fetched.keys().filter(|u| u.ends_with(".html")).count();
    assert!(
        pages >= 28,
        "crawled only {pages} pages: {:?}",
        fetched.keys()
    );
    let anchored = wanted
        .iter()
        .filter(|(_, _, f)| f.as_deref().is_some_and(|f| !f.is_empty()))
        .count();
    assert!(anchored > 20, "only {anchored} #anchor links were checked");
    eprintln!(
        "crawled {} URLs, checked {} links ({} with #anchors)",
        fetched.len(),
        wanted.len(),
        anchored
    );
}
