//! Metadata source: YAML or TOML front matter (`status:`, `milestone:`,
//! `authors:`, `created:`, …), already parsed by the Markdown stage into
//! JSON-like values with the span of each key's line.

use super::{FileContext, Found, FoundStatus, Located};
use crate::model::Field;

/// Keys read into the model; every other scalar or list key becomes a
/// header field shown on the page.
pub fn read(context: &FileContext<'_>) -> Found {
    let mut found = Found::default();
    let Some(front_matter) = context.front_matter else {
        return found;
    };
    let located = |key: &str, text: String| {
        let span = front_matter.key_span(key);
        Located {
            origin: context.origin_at(
                span.map_or(front_matter.span.start, |s| s.start),
                "front matter",
            ),
            text,
            span,
        }
    };
    for (key, value) in &front_matter.values {
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "title" => {
                if let Some(title) = scalar_text(value).filter(|t| !t.is_empty()) {
                    found.title = Some(located(key, title));
                }
            }
            "status" | "state" => {
                if let Some(raw) = scalar_text(value).filter(|t| !t.is_empty()) {
                    found.status = Some(FoundStatus {
                        value: located(key, raw),
                        key: None,
                    });
                }
            }
            "milestone" | "release" | "target" | "latest-milestone" | "target-version"
            | "version" => {
                if let Some(raw) = scalar_text(value) {
                    if found.milestone.is_none() {
                        found.milestone = Some(located(key, raw));
                    }
                }
            }
            "authors" | "author" => {
                let authors = string_list(value);
                let origin = located(key, String::new()).origin;
                found.authors = Some((authors, origin));
            }
            "created" | "date" | "start-date" | "creation-date" => {
                if let Some(date) = scalar_text(value).filter(|t| !t.is_empty()) {
                    found.created = Some(located(key, date));
                }
            }
            "updated" | "last-updated" | "last_updated" | "modified" => {
                if let Some(date) = scalar_text(value).filter(|t| !t.is_empty()) {
                    found.updated = Some(located(key, date));
                }
            }
            _ => {
                let text = match value {
                    serde_json::Value::Array(_) => Some(string_list(value).join(", ")),
                    other => scalar_text(other),
                };
                if let Some(text) = text.filter(|t| !t.is_empty()) {
                    found.fields.push(Field {
                        name: key.clone(),
                        value: text,
                        origin: located(key, String::new()).origin,
                    });
                }
            }
        }
    }
    found
}

pub(crate) fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list, or one comma-separated string, as names.
pub(crate) fn string_list(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(scalar_text)
            .filter(|s| !s.is_empty())
            .collect(),
        other => scalar_text(other)
            .map(|s| super::split_authors(&s))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use crate::markup::markdown;
    use crate::model::StatusKey;
    use crate::source::{FileRole, Format, SourceFile};
    use std::sync::Arc;

    fn spec(text: &str) -> (crate::model::Spec, Vec<crate::diag::Diagnostic>) {
        let source = Arc::new(SourceFile::new(
            "rfcs/0001-x.md".into(),
            "rfcs/0001-x.md".into(),
            Format::Markdown,
            FileRole::Spec,
            text.into(),
        ));
        super::super::extract(source, markdown::parse(text), "x.html".into())
    }

    #[test]
    fn yaml_front_matter_gives_every_value_with_its_line() {
        let (spec, diagnostics) = spec(
            "---\ntitle: Signing\nstatus: In Review\nmilestone: \"2.3\"\nauthors: [Ann, Bo]\ncreated: 2025-01-02\nrequires: [a, b]\n---\n# Signing\n",
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(spec.title, "Signing");
        let status = spec.status.expect("status");
        assert_eq!(status.key, StatusKey::InReview);
        assert_eq!(status.raw, "In Review");
        assert_eq!(status.origin.line, Some(3));
        assert_eq!(status.origin.source, "front matter");
        assert_eq!(spec.milestone.expect("milestone").label, "2.3");
        assert_eq!(spec.authors, ["Ann", "Bo"]);
        assert_eq!(spec.created.as_deref(), Some("2025-01-02"));
        assert_eq!(spec.origins.created.and_then(|o| o.line), Some(6));
        assert_eq!(spec.fields[0].name, "requires");
        assert_eq!(spec.fields[0].value, "a, b");
    }

    #[test]
    fn toml_dates_read_as_text() {
        let (spec, _) = spec("+++\nstatus = \"in review\"\ncreated = 2025-01-20\n+++\n# X\n");
        assert_eq!(spec.created.as_deref(), Some("2025-01-20"));
        assert_eq!(spec.status.expect("status").key, StatusKey::InReview);
    }

    #[test]
    fn a_typo_is_a_warning_with_a_suggestion_at_the_key() {
        let (spec, diagnostics) = spec("---\nstatus: acepted\n---\n# X\n");
        assert_eq!(spec.status_key(), StatusKey::Unknown);
        assert!(spec.metadata_error.is_some());
        let diagnostic = &diagnostics[0];
        assert_eq!(diagnostic.code, "meta/unknown-status");
        assert!(diagnostic
            .help
            .as_deref()
            .unwrap_or("")
            .contains("\"accepted\""));
        let span = diagnostic.location.as_ref().expect("location").span;
        assert_eq!(span.start, 4);
    }
}
