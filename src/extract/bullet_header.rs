//! Metadata source: a bullet-list header under the title, as Swift
//! Evolution (`* Status: **Implemented (Swift 5.9)**`, `* Authors: …`) and
//! Rust RFCs (`- Start Date: 2015-02-24`, `- RFC PR: …`) write it.
//!
//! Read from the raw Markdown: the header is the first list in the file,
//! `Key: value` bullets right after the title. The version in parentheses
//! of a status ("Implemented (Swift 5.9)") is the milestone.

use super::{FileContext, Found, FoundStatus, Located};
use crate::model::{milestone_order, Field, MilestoneOrder};
use crate::source::{Format, Span};

/// Lines scanned for the header.
const MAX_SCAN_LINES: usize = 60;

/// Keys that make a bullet list a metadata header.
const HEADER_KEYS: &[&str] = &[
    "status",
    "proposal",
    "author",
    "authors",
    "start date",
    "feature name",
    "rfc pr",
];

/// One `* Key: value` bullet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bullet {
    pub key: String,
    pub value: String,
    pub span: Span,
}

/// The bullet header of a Markdown text, if it has one.
pub fn header_bullets(text: &str) -> Vec<Bullet> {
    let mut bullets: Vec<Bullet> = Vec::new();
    for (offset, line) in super::lines(text).take(MAX_SCAN_LINES) {
        let trimmed = line.trim();
        let bullet = trimmed
            .strip_prefix("* ")
            .or_else(|| trimmed.strip_prefix("- "))
            .and_then(|item| item.split_once(':'))
            .filter(|(key, _)| {
                !key.is_empty()
                    && key.len() <= 40
                    && key
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
            });
        match bullet {
            Some((key, value)) => bullets.push(Bullet {
                key: key.trim().to_string(),
                value: value.trim().to_string(),
                span: Span::new(offset, offset + line.len()),
            }),
            None if !bullets.is_empty() => break,
            // Before the header: the title, blank lines, a front-matter-free top.
            None if trimmed.is_empty() || trimmed.starts_with('#') => {}
            None => break,
        }
    }
    let is_header = bullets
        .iter()
        .any(|b| HEADER_KEYS.contains(&b.key.to_lowercase().as_str()));
    if is_header {
        bullets
    } else {
        Vec::new()
    }
}

/// `[LSE-0003](0003-x.md)` → `LSE-0003`; `**Rejected**` → `Rejected`.
fn plain(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find("](") {
            Some(close) => {
                out.push_str(&after[..close]);
                let link = &after[close + 2..];
                rest = link.find(')').map_or("", |end| &link[end + 1..]);
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace('`', "").trim().to_string()
}

/// "Implemented (Swift 5.9)" → "Swift 5.9"; dates and other notes → `None`.
pub fn version_in_status(status: &str) -> Option<String> {
    let open = status.find('(')?;
    let inner = status[open + 1..].split(')').next()?.trim();
    matches!(milestone_order(inner, &[]), MilestoneOrder::Version { .. }).then(|| inner.to_string())
}

pub fn read(context: &FileContext<'_>) -> Found {
    let mut found = Found::default();
    if context.source.format != Format::Markdown {
        return found;
    }
    for bullet in header_bullets(&context.source.text) {
        let value = plain(&bullet.value);
        let located = Located {
            origin: context.origin_at(bullet.span.start, "header"),
            text: value.clone(),
            span: Some(bullet.span),
        };
        match bullet.key.to_lowercase().as_str() {
            "status" => {
                if let Some(version) = version_in_status(&value) {
                    found.milestone = Some(Located {
                        text: version,
                        ..located.clone()
                    });
                }
                found.status = Some(FoundStatus {
                    value: located,
                    key: None,
                });
            }
            "author" | "authors" => {
                found.authors = Some((super::split_authors(&value), located.origin))
            }
            "start date" | "created" => found.created = Some(located),
            "milestone" | "target milestone" | "version" => found.milestone = Some(located),
            _ => found.fields.push(Field {
                name: bullet.key,
                value,
                origin: located.origin,
            }),
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tests::spec_from;
    use crate::markup::doc::Document;
    use crate::model::StatusKey;

    const SWIFT: &str = "# Conditional writes\n\n* Proposal: [LSE-0003](0003-conditional-writes.md)\n* Authors: [Tomas Brandt](https://x/t), [Jun Sato](https://x/j)\n* Status: **Implemented (Lumen 2.1)**\n\n## Introduction\n\n* Note: not header\n";

    #[test]
    fn swift_header_gives_status_milestone_and_authors() {
        let spec = spec_from(
            "evolution/0003-x.md",
            Format::Markdown,
            SWIFT,
            Document::default(),
        );
        let status = spec.status.expect("status");
        assert_eq!(status.key, StatusKey::Implemented);
        assert_eq!(status.raw, "Implemented (Lumen 2.1)");
        assert_eq!(status.origin.line, Some(5));
        assert_eq!(spec.milestone.expect("milestone").label, "Lumen 2.1");
        assert_eq!(spec.authors, ["Tomas Brandt", "Jun Sato"]);
        assert!(spec
            .fields
            .iter()
            .any(|f| f.name == "Proposal" && f.value == "LSE-0003"));
        assert!(!spec.fields.iter().any(|f| f.name == "Note"));
    }

    #[test]
    fn status_notes_that_are_not_versions_are_no_milestone() {
        assert_eq!(
            version_in_status("Active review (March 1...March 14)"),
            None
        );
        assert_eq!(
            version_in_status("Implemented (Swift 5.9)").as_deref(),
            Some("Swift 5.9")
        );
        assert_eq!(version_in_status("Rejected"), None);
    }

    #[test]
    fn rust_rfc_header_gives_the_start_date_and_no_status() {
        let text = "- Feature Name: `request_tracing`\n- Start Date: 2025-02-24\n- RFC PR: [lumen/lumen-specs#42](https://x)\n\n## Summary\n";
        let spec = spec_from(
            "text/0042-request-tracing.md",
            Format::Markdown,
            text,
            Document::default(),
        );
        assert!(spec.status.is_none());
        assert_eq!(spec.created.as_deref(), Some("2025-02-24"));
        assert!(spec
            .fields
            .iter()
            .any(|f| f.name == "Feature Name" && f.value == "request_tracing"));
    }

    #[test]
    fn a_list_after_prose_is_not_a_header() {
        assert!(header_bullets("Intro text.\n\n* Status: x\n").is_empty());
        assert!(header_bullets("# T\n\n* apples\n* pears\n").is_empty());
    }
}
