//! `[check]` in specsite.toml: optional template sections, rules by status,
//! the template path override, and bad keys and values reported at their
//! line with a did-you-mean.

mod common;

use serde_json::Value;

const TEMPLATE: &str = "# Title\n\n## Summary\n\nx\n\n## Motivation\n\nx\n\n## Drawbacks\n\nx\n\n## Open questions\n\nx\n\n## Status\n\nDraft\n";

fn repository(config: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = vec![
        ("specsite.toml", config),
        ("proposals/0000-template.md", TEMPLATE),
        // No Drawbacks; an accepted spec whose open questions are still open.
        (
            "proposals/0001-open.md",
            "# Open\n\n## Summary\n\nx\n\n## Motivation\n\nx\n\n## Open questions\n\n1. Which codec?\n\n## Status\n\nAccepted\n",
        ),
        // Implemented with every template section but no Implementation.
        (
            "proposals/0002-done.md",
            "# Done\n\n## Summary\n\nx\n\n## Motivation\n\nx\n\n## Drawbacks\n\nx\n\n## Open questions\n\nNone.\n\n## Status\n\nImplemented\n",
        ),
        // Accepted, its questions settled ("None."), with an Implementation.
        (
            "proposals/0003-settled.md",
            "# Settled\n\n## Summary\n\nx\n\n## Motivation\n\nx\n\n## Drawbacks\n\nx\n\n## Open questions\n\nNone.\n\n## Implementation\n\nx\n\n## Status\n\nAccepted\n",
        ),
    ];
    files.extend_from_slice(extra);
    common::write_tree(dir.path(), &files);
    dir
}

fn check(dir: &tempfile::TempDir) -> Value {
    common::check_json(dir.path(), &[]).1
}

/// "code file:line" of every diagnostic whose code starts with `prefix`.
fn found(report: &Value, prefix: &str) -> Vec<String> {
    let mut found: Vec<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with(prefix)))
        .map(|d| {
            format!(
                "{} {}:{} {}",
                d["code"].as_str().unwrap_or(""),
                d["file"].as_str().unwrap_or(""),
                d["line"],
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn without_configuration_missing_sections_are_reported_and_no_rules_apply() {
    let dir = repository("", &[]);
    let report = check(&dir);
    assert_eq!(
        found(&report, "check/template-missing"),
        ["check/template-missing-section proposals/0001-open.md:11 section \"Drawbacks\" of the template is missing"]
    );
    assert!(found(&report, "check/status-rule").is_empty());
}

#[test]
fn optional_sections_and_status_rules() {
    let config = "[check]\n\
        optional_sections = [\"drawbacks\"]\n\
        \n\
        [[check.rule]]\n\
        status = \"implemented\"\n\
        require = [\"Implementation\"]\n\
        \n\
        [[check.rule]]\n\
        status = \"accepted\"\n\
        forbid_content = [\"Open Questions\"]\n";
    let report = check(&repository(config, &[]));
    assert!(
        found(&report, "check/template-missing").is_empty(),
        "{report:#}"
    );
    assert_eq!(
        found(&report, "check/status-rule"),
        [
            "check/status-rule-missing-section proposals/0002-done.md:21 the spec is implemented but has no \"Implementation\" section",
            "check/status-rule-open-section proposals/0001-open.md:11 the spec is accepted but its \"Open questions\" section still has content",
        ]
    );
}

#[test]
fn a_configured_template_governs_every_spec() {
    let config = "[check]\ntemplate = \"docs/short-template.md\"\n";
    let short = "# T\n\n## Summary\n\nx\n\n## Alternatives\n\nx\n";
    let report = check(&repository(config, &[("docs/short-template.md", short)]));
    let missing = found(&report, "check/template-missing");
    assert_eq!(missing.len(), 3, "{missing:?}");
    assert!(missing
        .iter()
        .all(|m| m.contains("\"Alternatives\" of the template is missing")));
    assert!(found(&report, "check/template-extra")
        .iter()
        .any(|m| m.contains("proposals/0001-open.md")
            && m.contains("\"Motivation\" is not in the template")));
}

#[test]
fn bad_keys_and_values_are_reported_at_their_line() {
    let config = "[check]\n\
        optional_section = [\"Drawbacks\"]\n\
        template = \"nowhere.md\"\n\
        \n\
        [[check.rule]]\n\
        status = \"implemnted\"\n\
        requires = [\"Implementation\"]\n\
        \n\
        [[check.rule]]\n\
        require = [\"Implementation\"]\n\
        \n\
        [check.external]\n\
        timeout_seconds = 0\n\
        cache_ttl_hour = 3\n";
    let report = check(&repository(config, &[]));
    let problems: Vec<String> = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["file"] == "specsite.toml")
        .map(|d| {
            format!(
                "{}:{} {}",
                d["line"],
                d["message"].as_str().unwrap_or(""),
                d["help"].as_str().unwrap_or("")
            )
        })
        .collect();
    let expect = [
        (
            2,
            "unknown key `check.optional_section`",
            "did you mean `optional_sections`?",
        ),
        (
            3,
            "`check.template` names nowhere.md, which is not a file",
            "",
        ),
        (
            6,
            "`check.rule.status`: unknown value \"implemnted\"",
            "did you mean \"implemented\"?",
        ),
        (
            7,
            "unknown key `check.rule.requires`",
            "did you mean `require`?",
        ),
        (9, "a [[check.rule]] needs `status`", ""),
        (
            13,
            "`check.external.timeout_seconds` must be between 1 and 300, not 0",
            "",
        ),
        (
            14,
            "unknown key `check.external.cache_ttl_hour`",
            "did you mean `cache_ttl_hours`?",
        ),
    ];
    assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    for (line, message, help) in expect {
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with(&format!("{line}:{message}")) && p.contains(help)),
            "no `{message}` at line {line} in {problems:#?}"
        );
    }
}
