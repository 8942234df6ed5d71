//! Metadata source: a PEP-style RFC 2822 header block (`PEP: 8`,
//! `Title:`, `Author:`, `Status: Final`, `Created:`, `Python-Version:`,
//! `Requires:`, …) at the very top of an `.rst` or `.txt` file.
//!
//! Read from the raw text rather than the tree: the block is plain
//! `Key: value` lines with indented continuation lines (RFC 2822 folding)
//! ending at the first blank line, and reading it here works the same
//! whatever the RST parser makes of it.

use super::{FileContext, Found, FoundStatus, Located};
use crate::model::Field;
use crate::source::{Format, Span};

/// Keys one of which must appear for the block to count as a PEP header
/// (so a document that happens to open with "Note: …" is not one).
const IDENTIFYING_KEYS: &[&str] = &["pep", "spec", "title", "status", "author"];

/// Header blocks longer than this are not headers.
const MAX_HEADER_LINES: usize = 200;

/// One header field: name, unfolded value, and where the line starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderField {
    pub name: String,
    pub value: String,
    pub span: Span,
}

/// The header block at the top of `text`, if there is one.
pub fn header_block(text: &str) -> Option<Vec<HeaderField>> {
    let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    let mut fields: Vec<HeaderField> = Vec::new();
    let mut offset = start;
    for line in text
        .get(start..)?
        .split_inclusive('\n')
        .take(MAX_HEADER_LINES)
    {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            break;
        }
        if content.starts_with([' ', '\t']) {
            // Folded continuation of the previous field.
            let last = fields.last_mut()?;
            last.value.push(' ');
            last.value.push_str(content.trim());
            last.span.end = line_start + content.len();
            continue;
        }
        let (name, value) = content.split_once(':')?;
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid_name || !(value.is_empty() || value.starts_with([' ', '\t'])) {
            return None;
        }
        fields.push(HeaderField {
            name: name.to_string(),
            value: value.trim().to_string(),
            span: Span::new(line_start, line_start + content.len()),
        });
    }
    let identified = fields
        .iter()
        .any(|f| IDENTIFYING_KEYS.contains(&f.name.to_ascii_lowercase().as_str()));
    (fields.len() >= 2 && identified).then_some(fields)
}

pub fn read(context: &FileContext<'_>) -> Found {
    let mut found = Found::default();
    if context.source.format != Format::Rst {
        return found;
    }
    let Some(fields) = header_block(&context.source.text) else {
        return found;
    };
    for field in fields {
        let located = Located {
            origin: context.origin_at(field.span.start, "header"),
            text: field.value.clone(),
            span: Some(field.span),
        };
        let lower = field.name.to_ascii_lowercase();
        match lower.as_str() {
            "title" => found.title = Some(located),
            "status" => {
                found.status = Some(FoundStatus {
                    value: located,
                    key: None,
                })
            }
            "author" | "authors" => {
                found.authors = Some((super::split_authors(&field.value), located.origin))
            }
            "created" => found.created = Some(located),
            "last-modified" | "updated" => found.updated = Some(located),
            // `Python-Version:`, `Lumen-Version:`: the release it targets.
            _ if lower.ends_with("-version") && found.milestone.is_none() => {
                found.milestone = Some(located)
            }
            _ => found.fields.push(Field {
                name: field.name,
                value: field.value,
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

    const PEP: &str = "Spec: 12\nTitle: Listing Pagination\nAuthor: Jun Sato <js@x.org>,\n        Amir Khalil <ak@x.org>\nStatus: Final\nType: Standards Track\nCreated: 14-Aug-2023\nLumen-Version: 2.1\nRequires: 5\n\n\nAbstract\n========\n";

    #[test]
    fn folded_header_lines_are_unfolded() {
        let fields = header_block(PEP).expect("header");
        assert_eq!(fields.len(), 8);
        assert_eq!(
            fields[2].value,
            "Jun Sato <js@x.org>, Amir Khalil <ak@x.org>"
        );
        assert_eq!(
            &PEP[fields[3].span.start..fields[3].span.end],
            "Status: Final"
        );
    }

    #[test]
    fn pep_header_gives_status_milestone_authors_and_fields() {
        let spec = spec_from("peps/spec-0012.rst", Format::Rst, PEP, Document::default());
        assert_eq!(spec.title, "Listing Pagination");
        let status = spec.status.expect("status");
        assert_eq!(
            (status.key, status.raw.as_str()),
            (StatusKey::Implemented, "Final")
        );
        assert_eq!(status.origin.line, Some(5));
        assert_eq!(spec.milestone.expect("milestone").label, "2.1");
        assert_eq!(spec.authors, ["Jun Sato", "Amir Khalil"]);
        assert_eq!(spec.created.as_deref(), Some("14-Aug-2023"));
        assert!(spec
            .fields
            .iter()
            .any(|f| f.name == "Requires" && f.value == "5"));
    }

    #[test]
    fn ordinary_documents_have_no_header() {
        assert!(header_block("Title\n=====\n\nText: here\n").is_none());
        assert!(header_block("Note: this is prose\n").is_none());
        assert!(header_block("Note: a\nOther: b\n").is_none());
        assert!(header_block("").is_none());
        assert!(header_block("  indented: first\n").is_none());
    }
}
