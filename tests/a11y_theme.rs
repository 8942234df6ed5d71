//! Accessibility of the default theme: axe-core (vendored, see
//! tests/vendor/axe-core/README.md) run inside headless Chromium on the
//! home page, two spec pages (Markdown with code, RST with highlighting)
//! and the graph page of content-example, in light and in dark mode (the
//! theme's switch stores the choice in localStorage as `specsite-theme`,
//! read before first paint). No violation of impact `serious` or
//! `critical` may remain; on failure every one is printed with its nodes.
//!
//! Skips, with a message, when `chromedriver` or `chromium` is missing.

mod common;

use std::path::Path;

use common::browser::{connect, eval, find_program, start_chromedriver};
use fantoccini::Client;
use serde_json::Value;

const PAGES: &[&str] = &[
    "index.html",
    "proposals/0003-quota-enforcement.html",
    "specs/corona/implemented/lumenctl-json-output.html",
    "graph.html",
];

/// Run axe on the current page; the violations of impact serious or
/// critical, one line per violation and node.
async fn serious_violations(client: &Client, axe_source: &str) -> Vec<String> {
    eval(client, &format!("{axe_source}\n;return true;")).await;
    let script = "const done = arguments[arguments.length - 1];\
        axe.run(document, { resultTypes: ['violations'] })\
          .then(r => done(JSON.stringify(r.violations)))\
          .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));";
    let result = client
        .execute_async(script, Vec::new())
        .await
        .unwrap_or_else(|error| panic!("axe.run: {error}"));
    let violations: Vec<Value> = result
        .as_str()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_else(|| panic!("axe.run answered {result}"));
    let mut lines = Vec::new();
    for violation in violations {
        let impact = violation["impact"].as_str().unwrap_or("");
        if impact != "serious" && impact != "critical" {
            continue;
        }
        let nodes = violation["nodes"].as_array().cloned().unwrap_or_default();
        lines.push(format!(
            "{impact} {}: {} ({} nodes)",
            violation["id"].as_str().unwrap_or(""),
            violation["help"].as_str().unwrap_or(""),
            nodes.len()
        ));
        for node in nodes.iter().take(5) {
            lines.push(format!(
                "    {} — {}",
                node["target"],
                node["failureSummary"]
                    .as_str()
                    .unwrap_or("")
                    .replace('\n', " ")
            ));
        }
    }
    lines
}

#[tokio::test(flavor = "current_thread")]
async fn no_serious_or_critical_violations_in_light_and_dark_mode() {
    let (Some(driver), Some(chromium)) = (find_program("chromedriver"), find_program("chromium"))
    else {
        eprintln!("SKIP a11y_theme: chromedriver or chromium not found (apt-get install chromium chromium-driver)");
        return;
    };
    let axe_source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vendor/axe-core/axe.min.js"),
    )
    .expect("the vendored axe.min.js");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example");
    let serve = common::serve::start(&root, &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (_driver, driver_port) = start_chromedriver(&driver);
    let client = connect(driver_port, &chromium, &dir.path().join("profile")).await;

    let mut failures = Vec::new();
    for mode in ["light", "dark"] {
        for page in PAGES {
            let url = format!("http://127.0.0.1:{}/{page}", serve.port);
            client.goto(&url).await.expect("open the page");
            // As the theme switch does: remembered, applied before paint.
            eval(
                &client,
                &format!("localStorage.setItem('specsite-theme', '{mode}'); return true;"),
            )
            .await;
            client.refresh().await.expect("reload");
            let applied = eval(
                &client,
                "return document.documentElement.dataset.theme || '';",
            )
            .await;
            assert_eq!(applied, Value::String(mode.to_string()), "{page}");
            let found = serious_violations(&client, &axe_source).await;
            if !found.is_empty() {
                failures.push(format!("{page} ({mode} mode):\n  {}", found.join("\n  ")));
            }
        }
    }
    let _ = client.close().await;
    assert!(
        failures.is_empty(),
        "serious or critical accessibility violations:\n{}",
        failures.join("\n")
    );
}
