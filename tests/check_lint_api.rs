//! `api/lint.json` on content-example: the build publishes every diagnostic
//! with file, line and column, counted by severity and code, beside its JSON
//! Schema; `specsite check --format json` prints the same document with the
//! check's own findings added.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use specsite::build::build_site;
use specsite::config::Overrides;

fn content_example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content-example")
}

fn published_lint() -> (Value, Value) {
    let root = content_example();
    let build = build_site(&root, &Overrides::default(), &root).expect("content-example builds");
    let lint = build.tree.get("api/lint.json").expect("api/lint.json");
    let schema = build
        .tree
        .get("api/lint.schema.json")
        .expect("api/lint.schema.json");
    (
        serde_json::from_slice(lint).expect("lint.json is JSON"),
        serde_json::from_slice(schema).expect("the schema is JSON"),
    )
}

/// (code, file, line) of every diagnostic of `code`.
fn located(lint: &Value, code: &str) -> Vec<(String, Option<u64>)> {
    lint["diagnostics"]
        .as_array()
        .expect("diagnostics array")
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64(),
            )
        })
        .collect()
}

#[test]
fn the_build_publishes_its_diagnostics_with_lines_and_counts() {
    let (lint, schema) = published_lint();
    assert_eq!(lint["schema_version"], 1);
    assert_eq!(lint["$schema"], "lint.schema.json");
    assert_eq!(schema["properties"]["schema_version"]["const"], 1);

    // The deliberate dangling reference, once per occurrence, at its line.
    assert_eq!(
        located(&lint, "link/dangling-reference"),
        [
            ("proposals/0003-quota-enforcement.md".to_string(), Some(28)),
            ("proposals/0003-quota-enforcement.md".to_string(), Some(108)),
        ],
        "{lint:#}"
    );
    let status = located(&lint, "meta/status-not-set");
    assert_eq!(
        status,
        [(
            "proposals/0006-rebalance-throttling.md".to_string(),
            Some(63)
        )],
        "{lint:#}"
    );
    let cycle: Vec<&Value> = lint["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.contains("cycle")))
        .collect();
    assert_eq!(cycle.len(), 1, "{lint:#}");

    // Every record has the fields the schema requires, and the counts add up.
    let diagnostics = lint["diagnostics"].as_array().expect("array");
    for diagnostic in diagnostics {
        for field in ["code", "severity", "message", "file", "line", "col", "help"] {
            assert!(diagnostic.get(field).is_some(), "{field} in {diagnostic}");
        }
    }
    assert_eq!(lint["counts"]["total"], diagnostics.len());
    assert_eq!(lint["counts"]["by_severity"]["error"], 0, "{lint:#}");
    let by_severity: u64 = ["error", "warning", "note"]
        .iter()
        .filter_map(|s| lint["counts"]["by_severity"][s].as_u64())
        .sum();
    assert_eq!(by_severity, diagnostics.len() as u64);
    assert_eq!(lint["counts"]["by_code"]["link/dangling-reference"], 2);
    let by_code: u64 = lint["counts"]["by_code"]
        .as_object()
        .expect("by_code object")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(by_code, diagnostics.len() as u64);
}

#[test]
fn check_json_is_the_lint_document_plus_the_checks() {
    let (_, report) = common::check_json(&content_example(), &[]);
    let (published, _) = published_lint();
    assert_eq!(report["schema_version"], published["schema_version"]);
    // Everything the build published is in the check's report too.
    let keys = |lint: &Value| -> Vec<String> {
        lint["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| format!("{} {} {} {}", d["code"], d["file"], d["line"], d["message"]))
            .collect()
    };
    let checked = keys(&report);
    for key in keys(&published) {
        assert!(checked.contains(&key), "{key} missing from check's report");
    }
    assert_eq!(
        report["counts"]["by_code"]["link/dangling-reference"], 2,
        "{report:#}"
    );
}
