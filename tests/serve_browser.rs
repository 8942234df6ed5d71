//! `specsite serve` in a real browser: headless Chromium driven over
//! WebDriver (fantoccini + Debian's chromium-driver).
//!
//! One scenario, as an author lives it: open a spec; append to the file and
//! see the text without reloading by hand (within 2 s), at the same scroll
//! position; break the config and see the overlay with file:line; fix it
//! and see the page again; change the stylesheet and see the style applied
//! without a reload (a JavaScript variable set before survives).
//!
//! Skips, with a message, when `chromedriver` or `chromium` is missing.

mod common;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

/// A child process killed when dropped.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port")
}

fn start_chromedriver(driver: &Path) -> (Killed, u16) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn chromedriver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (Killed(child), port)
}

async fn connect(driver_port: u16, chromium: &Path, profile: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--window-size=1200,800",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session")
}

async fn eval(client: &Client, script: &str) -> Value {
    client
        .execute(script, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("{script}: {error}"))
}

/// Poll `script` until it returns true, for at most `limit`.
async fn wait_until(client: &Client, script: &str, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if eval(client, script).await == Value::Bool(true) {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn long_spec(extra: &str) -> String {
    let mut text = String::from("---\ntitle: Live spec\n---\n\n# Live spec\n\n");
    for n in 0..150 {
        text.push_str(&format!("Paragraph {n} of a long proposal.\n\n"));
    }
    text.push_str(extra);
    text
}

#[tokio::test(flavor = "current_thread")]
async fn live_reload_overlay_and_stylesheet_swap_in_chromium() {
    let (Some(driver), Some(chromium)) = (find_program("chromedriver"), find_program("chromium"))
    else {
        eprintln!("SKIP serve_browser: chromedriver or chromium not found (apt-get install chromium chromium-driver)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("specs")).expect("mkdir");
    let spec = root.join("specs/live.md");
    std::fs::write(&spec, long_spec("")).expect("write");
    let profile = dir.path().join("profile");

    let serve = common::serve::start(&root, &[]);
    let port = serve.port;
    let (_driver, driver_port) = start_chromedriver(&driver);
    let client = connect(driver_port, &chromium, &profile).await;
    let page = format!("http://127.0.0.1:{port}/specs/live.html");
    client.goto(&page).await.expect("open the spec");
    assert!(
        wait_until(
            &client,
            "return document.body.innerText.includes('Paragraph 149');",
            Duration::from_secs(5)
        )
        .await
    );

    // 1. Append text: it appears without a manual reload, within 2 s, and
    //    the page keeps its scroll position.
    eval(&client, "window.scrollTo(0, 1500);").await;
    let scrolled = eval(&client, "return window.scrollY;").await;
    assert_eq!(scrolled.as_f64(), Some(1500.0), "the page is long enough");
    std::fs::write(&spec, long_spec("Freshly appended sentence.\n")).expect("append");
    assert!(
        wait_until(
            &client,
            "return document.body.innerText.includes('Freshly appended sentence.');",
            Duration::from_secs(2)
        )
        .await,
        "new text within 2 s"
    );
    assert!(
        wait_until(
            &client,
            "return Math.abs(window.scrollY - 1500) < 2;",
            Duration::from_secs(2)
        )
        .await,
        "scroll position kept across the reload: {:?}",
        eval(&client, "return window.scrollY;").await
    );

    // 2. Break the build: the overlay shows file:line and the message.
    std::fs::write(root.join("specsite.toml"), "title = \"x\"\nnot_a_key = 1\n").expect("break");
    assert!(
        wait_until(
            &client,
            "var o = document.getElementById('specsite-overlay'); \
             return !!o && o.innerText.includes('specsite.toml:2:') && o.innerText.includes('not_a_key');",
            Duration::from_secs(5)
        )
        .await,
        "overlay with the diagnostic"
    );

    // 3. Fix it: the overlay goes, the page is back.
    std::fs::remove_file(root.join("specsite.toml")).expect("fix");
    assert!(
        wait_until(
            &client,
            "return !document.getElementById('specsite-overlay') && \
             document.body.innerText.includes('Freshly appended sentence.');",
            Duration::from_secs(5)
        )
        .await,
        "overlay removed after the fix"
    );

    // 4. Change the stylesheet: applied in place, no reload.
    eval(&client, "window.specsiteStillHere = 'yes';").await;
    let before = eval(
        &client,
        "return getComputedStyle(document.body).backgroundColor;",
    )
    .await;
    assert_ne!(before, json!("rgb(1, 2, 3)"));
    let theme_css = include_str!("../themes/default/static/specsite.css");
    std::fs::create_dir_all(root.join("static")).expect("mkdir");
    std::fs::write(
        root.join("static/specsite.css"),
        format!("{theme_css}\nbody {{ background-color: rgb(1, 2, 3) !important; }}\n"),
    )
    .expect("restyle");
    assert!(
        wait_until(
            &client,
            "return getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)';",
            Duration::from_secs(5)
        )
        .await,
        "the new style applies"
    );
    assert_eq!(
        eval(&client, "return window.specsiteStillHere;").await,
        json!("yes"),
        "the page was not reloaded"
    );
    client.close().await.expect("close the session");
}
