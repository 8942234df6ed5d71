//! `specsite check`: exit codes, GitHub workflow annotations and the
//! structure of its SARIF 2.1.0 log, on a small repository with a template.

mod common;

use assert_cmd::Command;

fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write_tree(
        dir.path(),
        &[
            (
                "proposals/0000-template.md",
                "# Title\n\n## Abstract\n\nx\n\n## Rationale\n\nx\n\n## Status\n\nDraft\n",
            ),
            (
                "proposals/0001-a.md",
                "# A\n\n## Abstract\n\nLinks to [b](0002-b.md#nowhere).\n\n## Status\n\nDraft\n",
            ),
            (
                "proposals/0002-b.md",
                "# B\n\n## Abstract\n\nx\n\n## Rationale\n\nx\n\n## Status\n\nDraft\n",
            ),
        ],
    );
    dir
}

fn check(dir: &tempfile::TempDir, format: &str) -> (Option<i32>, String) {
    let output = Command::cargo_bin("specsite")
        .expect("binary")
        .args(["-q", "check", "--format", format])
        .arg(dir.path())
        .output()
        .expect("run");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn github_format_prints_workflow_annotations_with_lines() {
    let dir = repository();
    let (code, out) = check(&dir, "github");
    assert_eq!(code, Some(1), "a broken anchor is an error: {out}");
    let anchor = out
        .lines()
        .find(|l| l.contains("check/broken-link"))
        .unwrap_or_else(|| panic!("no broken-link annotation in {out}"));
    assert!(
        anchor.starts_with("::error file=proposals/0001-a.md,line=5,"),
        "{anchor}"
    );
    assert!(anchor.contains("no anchor `#nowhere`"), "{anchor}");
    let missing = out
        .lines()
        .find(|l| l.contains("template-missing-section"))
        .unwrap_or_else(|| panic!("no conformance annotation in {out}"));
    assert!(
        missing.starts_with("::warning file=proposals/0001-a.md,line=7,"),
        "{missing}"
    );
    assert!(missing.contains("\"Rationale\""), "{missing}");
}

#[test]
fn sarif_format_is_a_valid_sarif_2_1_0_log() {
    let dir = repository();
    let (code, out) = check(&dir, "sarif");
    assert_eq!(code, Some(1));
    let log: serde_json::Value = serde_json::from_str(&out).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-2.1.0")));
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "specsite");
    let rules = driver["rules"].as_array().expect("rules");
    let results = runs[0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let rule_id = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], rule_id, "ruleIndex points at its rule");
        assert!(["error", "warning", "note", "none"]
            .contains(&result["level"].as_str().expect("level")));
        assert!(result["message"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        if let Some(locations) = result["locations"].as_array() {
            let physical = &locations[0]["physicalLocation"];
            assert!(physical["artifactLocation"]["uri"].as_str().is_some());
            assert!(physical["region"]["startLine"]
                .as_u64()
                .is_some_and(|l| l >= 1));
        }
    }
    assert!(results
        .iter()
        .any(|r| r["ruleId"] == "check/broken-link" && r["level"] == "error"));
}

#[test]
fn a_repository_without_errors_passes() {
    let dir = repository();
    common::write_tree(
        dir.path(),
        &[(
            "proposals/0001-a.md",
            "# A\n\n## Abstract\n\nx\n\n## Rationale\n\nLinks to [b](0002-b.md).\n\n## Status\n\nDraft\n",
        )],
    );
    let (code, out) = check(&dir, "json");
    assert_eq!(code, Some(0), "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["counts"]["by_severity"]["error"], 0);
}
