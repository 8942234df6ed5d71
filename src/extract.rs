//! Extraction: a parsed document becomes a [`Spec`].
//!
//! Runs per file, in parallel, after parsing. It decides the title (front
//! matter, else the document's title heading, else the file name) and reads
//! the metadata that is known so far: front matter fields and the OpenStack
//! directory convention (`specs/<release>/<state>/name.rst`). Each value
//! records its [`Origin`].

use crate::diag::Diagnostic;
use crate::markup::doc::{Document, Kind, NodeId};
use crate::markup::frontmatter::FrontMatter;
use crate::markup::Parsed;
use crate::model::{canonical_status, Field, Milestone, Origin, Spec, Status, StatusKey};
use crate::source::SharedSource;

/// Section titles that open a document's body rather than name it (many
/// RFCs start with "# Summary" and have no title heading at all).
const BODY_SECTION_TITLES: &[&str] = &[
    "summary",
    "abstract",
    "motivation",
    "overview",
    "introduction",
    "problem description",
    "background",
];

/// Directory names of the OpenStack layout and the status each one means.
const STATE_DIRECTORIES: &[(&str, StatusKey)] = &[
    ("approved", StatusKey::Accepted),
    ("implemented", StatusKey::Implemented),
    ("abandoned", StatusKey::Rejected),
    ("backlog", StatusKey::Deferred),
    ("superseded", StatusKey::Superseded),
];

/// Build the spec for one parsed file. `page_path` is decided by the caller,
/// which sees all files and can resolve collisions.
pub fn extract(source: SharedSource, parsed: Parsed, page_path: String) -> (Spec, Vec<Diagnostic>) {
    let Parsed {
        doc,
        front_matter,
        diagnostics: _,
    } = parsed;
    let mut diagnostics = Vec::new();
    let rel_path = source.rel_path.clone();
    let id = strip_extension(&rel_path).to_string();

    let mut spec = Spec {
        id,
        source: source.clone(),
        title: String::new(),
        title_node: None,
        status: None,
        milestone: None,
        authors: Vec::new(),
        created: None,
        updated: None,
        fields: Vec::new(),
        page_path,
        problems: 0,
        doc: Document::default(),
    };

    if let Some(front_matter) = &front_matter {
        read_front_matter(&mut spec, front_matter, &mut diagnostics);
    }
    read_directory_convention(&mut spec);

    if spec.title.is_empty() {
        if let Some((node, text)) = document_title(&doc) {
            spec.title = text;
            spec.title_node = Some(node);
        } else {
            spec.title = title_from_file_name(&rel_path);
        }
    } else if let Some((node, text)) = document_title(&doc) {
        // The front matter named the spec; a heading saying the same is not
        // repeated in the body.
        if text.trim() == spec.title.trim() {
            spec.title_node = Some(node);
        }
    }
    spec.doc = doc;
    (spec, diagnostics)
}

fn strip_extension(path: &str) -> &str {
    match path.rfind('.') {
        Some(dot) if !path[dot..].contains('/') => &path[..dot],
        _ => path,
    }
}

/// "text/0001-private-fields.md" → "0001 private fields".
pub fn title_from_file_name(rel_path: &str) -> String {
    let stem = strip_extension(rel_path.rsplit('/').next().unwrap_or(rel_path));
    let stem = if stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index") {
        // keps/sig-x/1234-name/README.md: the directory names the spec.
        rel_path.rsplit('/').nth(1).unwrap_or(stem)
    } else {
        stem
    };
    stem.replace(['-', '_'], " ").trim().to_string()
}

/// The node and text of the document's own title, if it has one: docutils'
/// promoted `title`, or the title of the one top-level section that opens
/// the document (the rule docutils uses for title promotion).
pub fn document_title(doc: &Document) -> Option<(NodeId, String)> {
    let root = doc.root();
    let mut sections = Vec::new();
    let mut content_before_section = false;
    for &child in doc.children(root) {
        match doc.kind(child) {
            Kind::Title => return Some((child, doc.text_content(child).trim().to_string())),
            Kind::Section => sections.push(child),
            Kind::Comment
            | Kind::Target
            | Kind::SubstitutionDefinition
            | Kind::Raw
            | Kind::Docinfo
            | Kind::Decoration
            | Kind::Meta
            | Kind::Pending
            | Kind::SystemMessage => {}
            Kind::FieldList if sections.is_empty() => {}
            _ if sections.is_empty() => content_before_section = true,
            _ => {}
        }
    }
    if content_before_section || sections.len() != 1 {
        return None;
    }
    let title = doc
        .children(sections[0])
        .first()
        .copied()
        .filter(|&t| doc.kind(t) == Kind::Title)?;
    let text = doc.text_content(title).trim().to_string();
    if text.is_empty() || BODY_SECTION_TITLES.contains(&text.to_lowercase().as_str()) {
        return None;
    }
    Some((title, text))
}

fn scalar_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn string_list(value: &serde_json::Value) -> Vec<String> {
    match value {
        serde_json::Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        other => scalar_text(other)
            .map(|s| {
                s.split(',')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn read_front_matter(
    spec: &mut Spec,
    front_matter: &FrontMatter,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let rel_path = spec.source.rel_path.clone();
    let origin_of = |key: &str| Origin {
        path: rel_path.clone(),
        line: front_matter
            .key_span(key)
            .map(|span| spec.source.line_col(span.start).line),
        source: "front matter",
    };
    for (key, value) in &front_matter.values {
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "title" => {
                if let Some(title) = scalar_text(value).filter(|t| !t.is_empty()) {
                    spec.title = title;
                }
            }
            "status" | "state" => {
                let Some(raw) = scalar_text(value) else {
                    continue;
                };
                let origin = origin_of(key);
                let key_status = match canonical_status(&raw) {
                    Some(status) => status,
                    None => {
                        let span = front_matter.key_span(key).unwrap_or_default();
                        let known = [
                            "draft",
                            "in review",
                            "accepted",
                            "implemented",
                            "deferred",
                            "rejected",
                            "withdrawn",
                            "superseded",
                        ];
                        let mut diagnostic = Diagnostic::warning(
                            "meta/unknown-status",
                            format!("unknown status {raw:?}; the spec is listed under \"Unknown\""),
                        )
                        .at(rel_path.clone(), span);
                        diagnostic = match crate::suggest::nearest(&raw, known) {
                            Some(near) => diagnostic.with_help(format!("did you mean {near:?}?")),
                            None => {
                                diagnostic.with_help(format!("use one of: {}", known.join(", ")))
                            }
                        };
                        diagnostics.push(diagnostic);
                        StatusKey::Unknown
                    }
                };
                spec.status = Some(Status {
                    key: key_status,
                    raw,
                    origin,
                });
            }
            "milestone" | "release" | "target" | "latest-milestone" => {
                if let Some(raw) = scalar_text(value).filter(|t| !t.is_empty()) {
                    spec.milestone = Some(Milestone {
                        label: raw.clone(),
                        raw,
                        origin: origin_of(key),
                    });
                }
            }
            "authors" | "author" => spec.authors = string_list(value),
            "created" | "date" => spec.created = scalar_text(value),
            "updated" | "last-updated" | "last_updated" => spec.updated = scalar_text(value),
            _ => {
                let text = match value {
                    serde_json::Value::Array(_) => Some(string_list(value).join(", ")),
                    other => scalar_text(other),
                };
                if let Some(text) = text.filter(|t| !t.is_empty()) {
                    spec.fields.push(Field {
                        name: key.clone(),
                        value: text,
                        origin: origin_of(key),
                    });
                }
            }
        }
    }
}

/// `specs/<release>/<state>/…`: the state directory gives the status and
/// the release directory the milestone, unless the file said otherwise.
fn read_directory_convention(spec: &mut Spec) {
    let parts: Vec<&str> = spec.source.rel_path.split('/').collect();
    let Some(specs_index) = parts.iter().position(|p| *p == "specs") else {
        return;
    };
    let rest = &parts[specs_index + 1..];
    let dir_prefix = |n: usize| parts[..specs_index + 1 + n].join("/");
    let state_at = |index: usize| {
        rest.get(index)
            .and_then(|dir| STATE_DIRECTORIES.iter().find(|(name, _)| name == dir))
            .map(|(name, key)| (*name, *key))
    };
    // specs/<release>/<state>/x.rst  or  specs/<state>/x.rst
    let (release, state, state_depth) = if rest.len() >= 3 {
        match state_at(1) {
            Some(state) => (Some(rest[0]), Some(state), 2),
            None => (None, state_at(0), 1),
        }
    } else {
        (None, state_at(0), 1)
    };
    if spec.status.is_none() {
        if let Some((name, key)) = state {
            spec.status = Some(Status {
                key,
                raw: name.to_string(),
                origin: Origin {
                    path: dir_prefix(state_depth),
                    line: None,
                    source: "directory",
                },
            });
        }
    }
    if spec.milestone.is_none() {
        if let Some(release) = release {
            spec.milestone = Some(Milestone {
                label: release_label(release),
                raw: release.to_string(),
                origin: Origin {
                    path: dir_prefix(1),
                    line: None,
                    source: "directory",
                },
            });
        }
    }
}

/// "kilo" → "Kilo"; "2024.2" stays.
fn release_label(release: &str) -> String {
    let mut chars = release.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileRole, Format, SourceFile, Span};
    use std::sync::Arc;

    fn spec_of(rel_path: &str, doc: Document) -> Spec {
        let source = Arc::new(SourceFile::new(
            rel_path.into(),
            rel_path.into(),
            Format::Rst,
            FileRole::Spec,
            String::new(),
        ));
        let parsed = Parsed {
            doc,
            ..Parsed::default()
        };
        extract(source, parsed, "x.html".into()).0
    }

    fn doc_with_sections(titles: &[&str], lead_paragraph: bool) -> Document {
        let mut doc = Document::default();
        let root = doc.root();
        if lead_paragraph {
            let p = doc.push(root, Kind::Paragraph, Span::default());
            doc.push_text(p, "- Feature Name: x", Span::default());
        }
        for title in titles {
            let section = doc.push(root, Kind::Section, Span::default());
            let t = doc.push(section, Kind::Title, Span::default());
            doc.push_text(t, *title, Span::default());
        }
        doc
    }

    #[test]
    fn title_from_a_single_opening_section() {
        let spec = spec_of(
            "proposals/a.md",
            doc_with_sections(&["Zero-copy reads"], false),
        );
        assert_eq!(spec.title, "Zero-copy reads");
        assert!(spec.title_node.is_some());
    }

    #[test]
    fn rfc_without_a_title_heading_takes_the_file_name() {
        let spec = spec_of(
            "text/0001-private-fields.md",
            doc_with_sections(&["Summary", "Motivation"], true),
        );
        assert_eq!(spec.title, "0001 private fields");
        assert!(spec.title_node.is_none());
        let spec = spec_of("text/0002-x.md", doc_with_sections(&["Summary"], false));
        assert_eq!(spec.title, "0002 x");
    }

    #[test]
    fn openstack_directories_give_status_and_milestone() {
        let spec = spec_of("specs/kilo/implemented/flavor.rst", Document::default());
        let status = spec.status.expect("status");
        assert_eq!(status.key, StatusKey::Implemented);
        assert_eq!(status.origin.path, "specs/kilo/implemented");
        assert_eq!(spec.milestone.expect("milestone").label, "Kilo");
        let spec = spec_of("specs/backlog/idea.rst", Document::default());
        assert_eq!(spec.status.expect("status").key, StatusKey::Deferred);
        assert!(spec.milestone.is_none());
    }
}
