//! `specsite serve` end to end over raw HTTP: the served site, the reload
//! stream, the overlay data, and the security checks.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::serve::start;

struct Reply {
    status: u16,
    head: String,
    body: String,
}

fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut text = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(name, _)| *name == "Host") {
        text.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).expect("send");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Reply {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(&specs).expect("mkdir");
    std::fs::write(
        specs.join("a.md"),
        "---\ntitle: Alpha\n---\n\n# Alpha\n\nFirst version.\n",
    )
    .expect("write");
    dir
}

/// Read the event stream until `wanted` appears (or fail after a deadline).
fn wait_for_event(stream: &mut TcpStream, seen: &mut String, wanted: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buffer = [0u8; 4096];
    while !seen.contains(wanted) {
        assert!(
            Instant::now() < deadline,
            "no {wanted:?} on the stream; got {seen:?}"
        );
        match stream.read(&mut buffer) {
            Ok(0) => panic!("stream closed; got {seen:?}"),
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => {}
            Err(error) => panic!("{error}"),
        }
    }
}

fn open_events(port: u16, path: &str) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("send");
    stream
}

#[test]
fn serves_pages_with_the_reload_script_and_pushes_reloads_and_problems() {
    let dir = repo();
    let server = start(dir.path(), &[]);
    let page = request(server.port, "GET", "/specs/a.html", &[]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("First version."));
    assert!(
        page.body
            .contains("<script src=\"../__specsite/reload.js\" data-page-generation="),
        "reload script with a relative URL"
    );
    assert!(page
        .head
        .to_ascii_lowercase()
        .contains("cache-control: no-store"));
    let script = request(server.port, "GET", "/__specsite/reload.js", &[]);
    assert_eq!(script.status, 200);
    assert!(script
        .body
        .contains("new EventSource(new URL(\"events\", script.src)"));
    assert!(!script.body.contains("ws://"));

    let mut seen = String::new();
    let mut events = open_events(server.port, "/__specsite/events");
    wait_for_event(&mut events, &mut seen, "event: problems\ndata: []");

    std::fs::write(
        dir.path().join("specs/a.md"),
        "---\ntitle: Alpha\n---\n\n# Alpha\n\nSecond version.\n",
    )
    .expect("write");
    wait_for_event(&mut events, &mut seen, "event: reload");
    let page = request(server.port, "GET", "/specs/a.html", &[]);
    assert!(page.body.contains("Second version."));

    std::fs::write(dir.path().join("specsite.toml"), "bogus_key = 1\n").expect("write");
    wait_for_event(
        &mut events,
        &mut seen,
        "\"file\":\"specsite.toml\",\"line\":1",
    );
    assert!(seen.contains("bogus_key"));
    let still = request(server.port, "GET", "/specs/a.html", &[]);
    assert!(
        still.body.contains("Second version."),
        "last good site kept"
    );

    // Fixing it clears the overlay.
    std::fs::remove_file(dir.path().join("specsite.toml")).expect("rm");
    let mut after_fix = String::new();
    wait_for_event(&mut events, &mut after_fix, "event: problems\ndata: []");
}

#[test]
fn refuses_foreign_hosts_origins_traversal_and_writes() {
    let dir = repo();
    let server = start(dir.path(), &[]);
    let port = server.port;
    for host in ["evil.example", "localhost.evil.example", "127.0.0.1.nip.io"] {
        assert_eq!(
            request(port, "GET", "/", &[("Host", host)]).status,
            403,
            "{host}"
        );
    }
    let localhost = format!("localhost:{port}");
    assert_eq!(
        request(port, "GET", "/", &[("Host", localhost.as_str())]).status,
        200
    );
    for origin in ["http://evil.example", "null"] {
        let reply = request(port, "GET", "/__specsite/events", &[("Origin", origin)]);
        assert_eq!(reply.status, 403, "{origin}");
    }
    let reply = request(port, "GET", "/", &[("Origin", "http://evil.example")]);
    assert!(!reply
        .head
        .to_ascii_lowercase()
        .contains("access-control-allow-origin"));
    std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET").expect("write");
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%252e%252e/secret.txt",
        "/specs/..%5csecret.txt",
        "/secret.txt",
        "/specs/a.md",
        "/index.html%00",
    ] {
        let reply = request(port, "GET", path, &[]);
        assert_eq!(reply.status, 404, "{path}");
        assert!(!reply.body.contains("TOP-SECRET"), "{path}");
    }
    let reply = request(port, "GET", "/%3Cscript%3Ealert(1)%3C/script%3E", &[]);
    assert_eq!(reply.status, 404);
    assert!(!reply.body.contains("<script>alert(1)"));
    assert_eq!(
        request(port, "PUT", "/index.html", &[("Content-Length", "0")]).status,
        405
    );
    assert_eq!(request(port, "TRACE", "/", &[]).status, 405);
}

#[test]
fn a_base_path_serves_like_project_pages() {
    let dir = repo();
    let server = start(dir.path(), &["--base-path", "/repo/"]);
    let port = server.port;
    let redirect = request(port, "GET", "/repo", &[]);
    assert_eq!(redirect.status, 301);
    assert!(redirect
        .head
        .to_ascii_lowercase()
        .contains("location: /repo/"));
    assert_eq!(request(port, "GET", "/repo/", &[]).status, 200);
    assert_eq!(request(port, "GET", "/repo/specs/a.html", &[]).status, 200);
    let miss = request(port, "GET", "/repo/nothing.html", &[]);
    assert_eq!(miss.status, 404);
    assert!(
        miss.body.contains("/repo/"),
        "the 404 page links under the base path"
    );
    assert_eq!(request(port, "GET", "/specs/a.html", &[]).status, 404);
    let mut events = open_events(port, "/repo/__specsite/events");
    let mut seen = String::new();
    wait_for_event(&mut events, &mut seen, "event: hello");
}

#[test]
fn build_output_has_no_reload_machinery() {
    let dir = repo();
    let out = dir.path().join("_site");
    let status = Command::new(env!("CARGO_BIN_EXE_specsite"))
        .args(["-q", "build"])
        .arg(dir.path())
        .stderr(Stdio::null())
        .status()
        .expect("run build");
    assert!(status.success());
    let mut checked = 0;
    let mut stack = vec![out];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("list") {
                stack.push(entry.expect("entry").path());
            }
        } else {
            let bytes = std::fs::read(&path).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("__specsite"), "{}", path.display());
            assert!(!text.contains("EventSource"), "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 3, "the build wrote pages");
}
