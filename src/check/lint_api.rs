//! `api/lint.json`: every diagnostic of a build as published data.
//!
//! The last step of `build_site` (after every stage has added its
//! diagnostics and they are sorted) turns them into one JSON document in the
//! output tree, so dashboards and bots can read a site's problems without
//! running specsite. `specsite check --format json` prints the same document
//! with the check's own findings added, so one schema serves both. Lines and
//! columns are resolved here, against the texts the build loaded: the
//! document is flat (file, line, col) because its readers are scripts.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::config::CONFIG_FILE;
use crate::diag::{Diagnostic, Severity};
use crate::load::Sources;
use crate::output::OutputTree;
use crate::report::SourceTexts;

/// Version of the `api/lint.json` format; bumped on incompatible changes.
pub const LINT_SCHEMA_VERSION: u32 = 1;

/// JSON Schema of `api/lint.json`, published beside it.
pub const LINT_SCHEMA: &str = include_str!("lint.schema.json");

/// The lint document of `diagnostics` (already in reading order).
pub fn lint_document(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>) -> Value {
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_severity: BTreeMap<&str, usize> =
        [Severity::Error, Severity::Warning, Severity::Note]
            .iter()
            .map(|severity| (severity.as_str(), 0))
            .collect();
    let records: Vec<Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            *by_code.entry(diagnostic.code.as_str()).or_default() += 1;
            *by_severity.entry(diagnostic.severity.as_str()).or_default() += 1;
            let resolved = sources.resolve(diagnostic);
            json!({
                "code": diagnostic.code,
                "severity": diagnostic.severity.as_str(),
                "message": diagnostic.message,
                "file": resolved.as_ref().map(|r| r.file.as_str()),
                "line": resolved.as_ref().map(|r| r.start.line),
                "col": resolved.as_ref().map(|r| r.start.col),
                "end_line": resolved.as_ref().map(|r| r.end.line),
                "end_col": resolved.as_ref().map(|r| r.end.col),
                "help": diagnostic.help,
            })
        })
        .collect();
    json!({
        "$schema": "lint.schema.json",
        "schema_version": LINT_SCHEMA_VERSION,
        "generator": crate::render::site::GENERATOR,
        "counts": {
            "total": diagnostics.len(),
            "by_severity": by_severity,
            "by_code": by_code,
        },
        "diagnostics": records,
    })
}

/// The lint document as pretty-printed JSON text.
pub fn lint_json(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>) -> String {
    serde_json::to_string_pretty(&lint_document(diagnostics, sources))
        .unwrap_or_else(|_| "{}".to_string())
}

/// The texts a build's diagnostics point into: its sources and its
/// config file.
pub fn source_texts<'a>(sources: &'a Sources, config_text: Option<&'a str>) -> SourceTexts<'a> {
    let mut texts = SourceTexts::default();
    for file in &sources.files {
        texts.add(&file.rel_path, &file.text);
    }
    if let Some(text) = config_text {
        texts.add(CONFIG_FILE, text);
    }
    texts
}

/// Put `api/lint.json` and its schema into a build's output tree.
pub fn publish(
    tree: &mut OutputTree,
    diagnostics: &[Diagnostic],
    sources: &Sources,
    config_text: Option<&str>,
) {
    let texts = source_texts(sources, config_text);
    tree.insert("api/lint.json", lint_json(diagnostics, &texts).into_bytes());
    tree.insert("api/lint.schema.json", LINT_SCHEMA.as_bytes().to_vec());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn records_are_flat_and_counted() {
        let mut sources = SourceTexts::default();
        sources.add("a.md", "one\ntwo ü x\n");
        let diagnostics = [
            Diagnostic::error("check/broken-link", "broken")
                .at("a.md", Span::new(11, 12))
                .with_help("fix it"),
            Diagnostic::warning("link/dangling", "dangling").at("a.md", Span::new(0, 3)),
            Diagnostic::warning("link/dangling", "again"),
        ];
        let document = lint_document(&diagnostics, &sources);
        assert_eq!(document["schema_version"], 1);
        assert_eq!(document["counts"]["total"], 3);
        assert_eq!(document["counts"]["by_severity"]["error"], 1);
        assert_eq!(document["counts"]["by_severity"]["warning"], 2);
        assert_eq!(document["counts"]["by_severity"]["note"], 0);
        assert_eq!(document["counts"]["by_code"]["link/dangling"], 2);
        let first = &document["diagnostics"][0];
        assert_eq!(first["file"], "a.md");
        assert_eq!(first["line"], 2);
        // Columns count characters: "two ü " is six of them.
        assert_eq!(first["col"], 7);
        assert_eq!(first["help"], "fix it");
        assert_eq!(document["diagnostics"][2]["file"], Value::Null);
        assert_eq!(document["diagnostics"][2]["line"], Value::Null);
    }

    #[test]
    fn the_published_schema_is_json_and_versioned_alike() {
        let schema: Value = serde_json::from_str(LINT_SCHEMA).unwrap_or_default();
        assert_eq!(
            schema["properties"]["schema_version"]["const"],
            LINT_SCHEMA_VERSION
        );
    }
}
