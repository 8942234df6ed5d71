//! `specsite check --external` against a loopback HTTP server started here
//! (never the network): a 200, a 404, a 301 to a 200, a 429 then 200, a
//! server that refuses HEAD, and one that answers too late. Checks what is
//! reported and where, what is retried, the per-host limit, and that the
//! cache spares the server a second run.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// Requests seen, as "METHOD /path", and the most served at once.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    busy_answered: AtomicUsize,
}

impl Seen {
    fn count(&self, request: &str) -> usize {
        self.requests
            .lock()
            .map(|r| r.iter().filter(|seen| *seen == request).count())
            .unwrap_or(0)
    }
}

fn respond(mut stream: TcpStream, seen: &Seen) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    if let Ok(mut requests) = seen.requests.lock() {
        requests.push(format!("{method} {path}"));
    }
    // The late answer outlives the client's time-out: not "in flight" for it.
    if path == "/slow" {
        std::thread::sleep(Duration::from_secs(3));
        let _ =
            stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.peak.fetch_max(now, Ordering::SeqCst);
    // Hold each request a moment so concurrent ones overlap.
    std::thread::sleep(Duration::from_millis(100));
    let (status, extra) = match path.as_str() {
        "/ok" => ("200 OK", String::new()),
        "/missing" => ("404 Not Found", String::new()),
        "/moved" => ("301 Moved Permanently", "Location: /ok\r\n".to_string()),
        "/busy" if seen.busy_answered.fetch_add(1, Ordering::SeqCst) == 0 => {
            ("429 Too Many Requests", "Retry-After: 0\r\n".to_string())
        }
        "/busy" => ("200 OK", String::new()),
        "/no-head" if method == "HEAD" => ("405 Method Not Allowed", String::new()),
        "/no-head" => ("200 OK", String::new()),
        _ => ("500 Internal Server Error", String::new()),
    };
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    let body = if method == "HEAD" { "" } else { "ok" };
    let response =
        format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\n{body}");
    let _ = stream.write_all(response.as_bytes());
}

/// Serve on a free loopback port until the test process ends.
fn start_server() -> (u16, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let seen = Arc::new(Seen::default());
    let shared = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = shared.clone();
            std::thread::spawn(move || respond(stream, &seen));
        }
    });
    (port, seen)
}

fn repository(port: u16, ttl_hours: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = format!("http://127.0.0.1:{port}");
    let spec = format!(
        "# Links\n\n## Abstract\n\n\
         - [fine]({base}/ok)\n\
         - [gone]({base}/missing)\n\
         - [moved]({base}/moved)\n\
         - [busy]({base}/busy)\n\
         - [no head]({base}/no-head)\n\
         - [slow]({base}/slow)\n\
         - [fine again]({base}/ok#section)\n"
    );
    common::write_tree(
        dir.path(),
        &[
            ("proposals/0001-links.md", spec.as_str()),
            (
                "specsite.toml",
                &format!("[check.external]\ntimeout_seconds = 1\ncache_ttl_hours = {ttl_hours}\n"),
            ),
        ],
    );
    dir
}

fn check_external(dir: &tempfile::TempDir) -> (Option<i32>, Value) {
    common::check_json(dir.path(), &["--external"])
}

/// (severity, line, message) of each external-link diagnostic.
fn external_problems(report: &Value) -> Vec<(String, u64, String)> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == "check/external-link")
        .map(|d| {
            assert_eq!(d["file"], "proposals/0001-links.md", "{d}");
            (
                d["severity"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn broken_links_are_reported_at_their_line_and_answers_are_cached() {
    let (port, seen) = start_server();
    let dir = repository(port, 24);

    let (code, report) = check_external(&dir);
    assert_eq!(code, Some(1), "a 404 is an error: {report:#}");
    let problems = external_problems(&report);
    assert_eq!(problems.len(), 2, "{problems:?}");
    let (severity, line, message) = &problems[0];
    assert_eq!((severity.as_str(), *line), ("error", 6), "{message}");
    assert!(message.contains("/missing answers 404"), "{message}");
    let (severity, line, message) = &problems[1];
    assert_eq!((severity.as_str(), *line), ("warning", 10), "{message}");
    assert!(message.contains("/slow did not answer"), "{message}");

    // HEAD first; GET where HEAD is refused; the 429 retried; the redirect
    // followed; the URL with a fragment checked once with the plain one.
    assert_eq!(seen.count("HEAD /ok"), 2, "once itself, once after /moved");
    assert_eq!(seen.count("GET /ok"), 0);
    assert_eq!(seen.count("HEAD /no-head"), 1);
    assert_eq!(seen.count("GET /no-head"), 1);
    assert_eq!(seen.count("HEAD /busy"), 2);
    assert_eq!(
        seen.count("GET /missing"),
        1,
        "a 404 on HEAD is confirmed by GET"
    );
    let peak = seen.peak.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&peak),
        "at most 2 requests at once to one host, saw {peak}"
    );

    let cache: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".specsite-cache/external.json"))
            .expect("cache file written"),
    )
    .expect("cache is JSON");
    let cached: HashMap<String, Value> = cache["entries"]
        .as_object()
        .expect("entries")
        .iter()
        .map(|(url, outcome)| {
            (
                url.rsplit('/').next().unwrap_or("").to_string(),
                outcome.clone(),
            )
        })
        .collect();
    assert_eq!(cached["missing"]["status"], 404);
    assert_eq!(cached["moved"]["status"], 200);
    assert!(!cached.contains_key("slow"), "time-outs are not cached");

    // Second run: only the uncached time-out goes to the network.
    let before = seen.requests.lock().map(|r| r.len()).unwrap_or(0);
    let (code, report) = check_external(&dir);
    assert_eq!(code, Some(1));
    assert_eq!(external_problems(&report).len(), 2);
    let after: Vec<String> = seen
        .requests
        .lock()
        .map(|r| r[before..].to_vec())
        .unwrap_or_default();
    assert_eq!(after, ["HEAD /slow"], "only /slow is asked again");
}

#[test]
fn an_expired_cache_is_asked_again_and_no_flag_means_no_network() {
    let (port, seen) = start_server();
    let dir = repository(port, 0);
    let (code, _) = common::check_json(dir.path(), &[]);
    assert_eq!(code, Some(0));
    assert_eq!(seen.requests.lock().map(|r| r.len()).unwrap_or(1), 0);

    check_external(&dir);
    check_external(&dir);
    assert_eq!(
        seen.count("HEAD /ok"),
        4,
        "a time to live of 0 caches nothing"
    );
}
