//! Metadata source: the bibliographic field list at the top of an RST
//! document (`:Status: Accepted`, `:Author:`, `:Date:`, `:Milestone:`).
//!
//! Read from the tree when the RST parser has turned it into `docinfo`
//! (docutils' full stage), and otherwise from the raw text: the field list
//! is the first thing after the title, so a short scan of the top of the
//! file finds it whatever the parser's state.

use super::{FileContext, Found, FoundStatus, Located};
use crate::markup::doc::{Document, Kind, NodeId};
use crate::model::Field;
use crate::source::{Format, Span};

/// Lines scanned for a field list at the top of a file.
const MAX_SCAN_LINES: usize = 80;

/// One `:Name: value` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RstField {
    pub name: String,
    pub value: String,
    pub span: Span,
}

pub fn read(context: &FileContext<'_>) -> Found {
    if context.source.format != Format::Rst {
        return Found::default();
    }
    let fields = docinfo_fields(context.doc)
        .filter(|fields| !fields.is_empty())
        .unwrap_or_else(|| top_field_list(&context.source.text));
    let mut found = Found::default();
    for field in fields {
        let located = Located {
            origin: context.origin_at(field.span.start, "field list"),
            text: field.value.clone(),
            span: Some(field.span),
        };
        match field.name.to_ascii_lowercase().as_str() {
            "status" | "state" => {
                found.status = Some(FoundStatus {
                    value: located,
                    key: None,
                })
            }
            "author" | "authors" | "assignee" => {
                found.authors = Some((super::split_authors(&field.value), located.origin))
            }
            "milestone" | "target milestone" | "release" | "target" => {
                found.milestone = Some(located)
            }
            "date" | "created" => found.created = Some(located),
            "updated" | "last updated" | "last-updated" | "revision date" => {
                found.updated = Some(located)
            }
            "title" => found.title = Some(located),
            _ => found.fields.push(Field {
                name: field.name,
                value: field.value,
                origin: located.origin,
            }),
        }
    }
    found
}

/// Fields of the document's `docinfo`, if the parser made one.
pub fn docinfo_fields(doc: &Document) -> Option<Vec<RstField>> {
    let root = doc.root();
    let docinfo = doc
        .children(root)
        .iter()
        .copied()
        .find(|&child| doc.kind(child) == Kind::Docinfo)?;
    let mut fields = Vec::new();
    for &child in doc.children(docinfo) {
        let (name, value) = match doc.kind(child) {
            Kind::Field => {
                let name = first_of_kind(doc, child, Kind::FieldName)
                    .map(|n| doc.text_content(n))
                    .unwrap_or_default();
                let value = first_of_kind(doc, child, Kind::FieldBody)
                    .map(|n| doc.text_content(n))
                    .unwrap_or_default();
                (name, value)
            }
            Kind::Authors => {
                let names: Vec<String> = doc
                    .children(child)
                    .iter()
                    .map(|&a| doc.text_content(a).trim().to_string())
                    .collect();
                ("authors".to_string(), names.join(", "))
            }
            kind => (kind.name().to_string(), doc.text_content(child)),
        };
        fields.push(RstField {
            name: name.trim().to_string(),
            value: value.split_whitespace().collect::<Vec<_>>().join(" "),
            span: doc.span(child),
        });
    }
    Some(fields)
}

fn first_of_kind(doc: &Document, parent: NodeId, kind: Kind) -> Option<NodeId> {
    doc.children(parent)
        .iter()
        .copied()
        .find(|&c| doc.kind(c) == kind)
}

/// An adornment line: one punctuation character repeated (`=====`).
pub fn is_adornment(line: &str) -> bool {
    let line = line.trim_end();
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    line.len() >= 3 && first.is_ascii_punctuation() && chars.all(|c| c == first)
}

/// The field list that opens the document (after its title), from raw text.
pub fn top_field_list(text: &str) -> Vec<RstField> {
    let lines: Vec<(usize, &str)> = super::lines(text).take(MAX_SCAN_LINES).collect();
    let mut fields: Vec<RstField> = Vec::new();
    let mut index = 0;
    // Skip the title block, blank lines and comments.
    while let Some(&(_, line)) = lines.get(index) {
        let next_is_adornment = lines.get(index + 1).is_some_and(|(_, l)| is_adornment(l));
        if line.trim().is_empty() || is_adornment(line) || next_is_adornment {
            index += 1;
        } else if line.starts_with("..") && !line.starts_with("..  ") {
            index += 1;
            while lines
                .get(index)
                .is_some_and(|(_, l)| l.starts_with([' ', '\t']) || l.trim().is_empty())
            {
                index += 1;
            }
        } else {
            break;
        }
    }
    while let Some(&(offset, line)) = lines.get(index) {
        if let Some((name, value)) = field_line(line) {
            fields.push(RstField {
                name: name.to_string(),
                value: value.trim().to_string(),
                span: Span::new(offset, offset + line.len()),
            });
        } else if line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            let Some(last) = fields.last_mut() else {
                break;
            };
            if !last.value.is_empty() {
                last.value.push(' ');
            }
            last.value.push_str(line.trim());
        } else {
            break;
        }
        index += 1;
    }
    fields
}

/// `:Name: value` → (name, value).
fn field_line(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix(':')?;
    let end = rest
        .find(": ")
        .or_else(|| rest.strip_suffix(':').map(str::len))?;
    let name = rest.get(..end)?;
    if name.is_empty() || name.starts_with(' ') {
        return None;
    }
    Some((name, rest.get(end + 1..).unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tests::spec_from;
    use crate::model::StatusKey;

    #[test]
    fn raw_field_list_after_the_title() {
        let text = "=========\nA feature\n=========\n\n:Author: Ann <a@x>, Bo\n:Status: Accepted\n:Milestone: Liberty-2\n:Date: 2015-03-01\n:Component: api\n   and cli\n\nBody.\n";
        let fields = top_field_list(text);
        assert_eq!(fields.len(), 5);
        assert_eq!(fields[4].value, "api and cli");
        let spec = spec_from("notes/a.rst", Format::Rst, text, Document::default());
        let status = spec.status.expect("status");
        assert_eq!(status.key, StatusKey::Accepted);
        assert_eq!(status.origin.line, Some(6));
        assert_eq!(spec.milestone.expect("milestone").label, "Liberty-2");
        assert_eq!(spec.authors, ["Ann", "Bo"]);
        assert_eq!(spec.created.as_deref(), Some("2015-03-01"));
    }

    #[test]
    fn a_field_list_later_in_the_body_is_not_metadata() {
        let text = "Title\n=====\n\nSome prose.\n\n:Status: Accepted\n";
        assert!(top_field_list(text).is_empty());
    }

    #[test]
    fn docinfo_tree_is_read_when_present() {
        let mut doc = Document::default();
        let root = doc.root();
        let docinfo = doc.push(root, Kind::Docinfo, Span::new(0, 10));
        let status = doc.push(docinfo, Kind::Status, Span::new(0, 5));
        doc.push_text(status, "Implemented", Span::new(0, 5));
        let field = doc.push(docinfo, Kind::Field, Span::new(6, 10));
        let name = doc.push(field, Kind::FieldName, Span::new(6, 8));
        doc.push_text(name, "Milestone", Span::new(6, 8));
        let body = doc.push(field, Kind::FieldBody, Span::new(8, 10));
        let p = doc.push(body, Kind::Paragraph, Span::new(8, 10));
        doc.push_text(p, "2024.1", Span::new(8, 10));
        let spec = spec_from("a.rst", Format::Rst, "0123456789\n", doc);
        assert_eq!(spec.status.expect("status").key, StatusKey::Implemented);
        assert_eq!(spec.milestone.expect("milestone").label, "2024.1");
    }
}
