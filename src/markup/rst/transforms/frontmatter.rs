//! docutils' `transforms.frontmatter`: promote a lone top-level section to
//! the document title (and a lone sub-section to the subtitle), and turn a
//! leading field list into `<docinfo>`.

use super::Context;
use crate::markup::doc::{Document, Kind, NodeId, Value};

/// docutils' `PreBibliographic` elements, which may precede the title:
/// titles, decoration, meta, system messages and every `Invisible`
/// element (comments, substitution definitions, targets, pending).
fn is_pre_bibliographic(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Comment
            | Kind::SystemMessage
            | Kind::Title
            | Kind::Subtitle
            | Kind::Meta
            | Kind::Decoration
            | Kind::SubstitutionDefinition
            | Kind::Target
            | Kind::Pending
    )
}

/// Index of the only non-pre-bibliographic child, if it is a section.
fn candidate_index(doc: &Document, node: NodeId) -> Option<(NodeId, usize)> {
    let children = doc.children(node);
    let index = children
        .iter()
        .position(|&c| !is_pre_bibliographic(doc.kind(c)))?;
    if children.len() > index + 1 {
        return None;
    }
    let section = *children.get(index)?;
    (doc.kind(section) == Kind::Section).then_some((section, index))
}

/// docutils' `update_all_atts_concatenating(replace=True)`: list attributes
/// are concatenated, others replaced.
fn merge_attributes(doc: &mut Document, into: NodeId, from: NodeId) {
    let attrs: Vec<(String, Value)> = doc
        .attrs(from)
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    for (name, value) in attrs {
        match value {
            Value::List(items) => {
                for item in items {
                    doc.attrs_mut(into).push(name.clone(), item);
                }
            }
            other => doc.attrs_mut(into).set(name, other),
        }
    }
}

/// docutils' `DocTitle` (320).
pub(crate) fn doc_title(cx: &mut Context<'_>) {
    let root = cx.doc.root();
    if promote_title(cx.doc, root) {
        promote_subtitle(cx.doc, root);
    }
    let first = cx.doc.children(root).first().copied();
    if let Some(first) = first {
        if cx.doc.kind(first) == Kind::Title && cx.doc.attrs(root).get("title").is_none() {
            let title = cx.doc.text_content(first);
            cx.doc.attrs_mut(root).set("title", title);
        }
    }
}

fn promote_title(doc: &mut Document, node: NodeId) -> bool {
    if doc
        .children(node)
        .first()
        .is_some_and(|&c| doc.kind(c) == Kind::Title)
    {
        return false;
    }
    let Some((section, index)) = candidate_index(doc, node) else {
        return false;
    };
    merge_attributes(doc, node, section);
    let before: Vec<NodeId> = doc.children(node).get(..index).unwrap_or(&[]).to_vec();
    let section_children: Vec<NodeId> = doc.children(section).to_vec();
    doc.detach(section);
    for child in before.iter().chain(section_children.iter()) {
        doc.detach(*child);
    }
    let mut order: Vec<NodeId> = Vec::new();
    order.extend(section_children.first().copied());
    order.extend(before);
    order.extend(section_children.iter().skip(1).copied());
    for child in order {
        doc.append(node, child);
    }
    true
}

fn promote_subtitle(doc: &mut Document, node: NodeId) -> bool {
    let Some((subsection, index)) = candidate_index(doc, node) else {
        return false;
    };
    let span = doc.span(subsection);
    let subtitle = doc.create(Kind::Subtitle, span);
    merge_attributes(doc, subtitle, subsection);
    let sub_children: Vec<NodeId> = doc.children(subsection).to_vec();
    if let Some(&title) = sub_children.first() {
        for child in doc.children(title).to_vec() {
            doc.append(subtitle, child);
        }
    }
    let children: Vec<NodeId> = doc.children(node).to_vec();
    for &child in &children {
        doc.detach(child);
    }
    let mut order: Vec<NodeId> = Vec::new();
    order.extend(children.first().copied());
    order.push(subtitle);
    order.extend(children.get(1..index).unwrap_or(&[]).iter().copied());
    order.extend(sub_children.iter().skip(1).copied());
    for child in order {
        doc.append(node, child);
    }
    true
}

/// English bibliographic field names → docinfo element (None = topic).
fn biblio_kind(name: &str) -> Option<Option<Kind>> {
    Some(match name {
        "author" => Some(Kind::Author),
        "authors" => Some(Kind::Authors),
        "organization" => Some(Kind::Organization),
        "address" => Some(Kind::Address),
        "contact" => Some(Kind::Contact),
        "version" => Some(Kind::Version),
        "revision" => Some(Kind::Revision),
        "status" => Some(Kind::Status),
        "date" => Some(Kind::Date),
        "copyright" => Some(Kind::Copyright),
        "dedication" | "abstract" => None,
        _ => return None,
    })
}

/// docutils' `DocInfo` (340): a field list first in the document (after
/// the title and comments) becomes `<docinfo>`; known fields become
/// bibliographic elements, `dedication`/`abstract` become topics.
pub(crate) fn doc_info(cx: &mut Context<'_>) {
    let root = cx.doc.root();
    let children = cx.doc.children(root).to_vec();
    let Some(index) = children
        .iter()
        .position(|&c| !is_pre_bibliographic(cx.doc.kind(c)))
    else {
        return;
    };
    let Some(&candidate) = children.get(index) else {
        return;
    };
    if cx.doc.kind(candidate) != Kind::FieldList {
        return;
    }
    let biblio_index = children
        .iter()
        .position(|&c| {
            !matches!(
                cx.doc.kind(c),
                Kind::Title | Kind::Subtitle | Kind::Decoration | Kind::Meta
            )
        })
        .unwrap_or(children.len());
    let span = cx.doc.span(candidate);
    let docinfo = cx.doc.create(Kind::Docinfo, span);
    let mut topics: Vec<(String, NodeId)> = Vec::new();
    for field in cx.doc.children(candidate).to_vec() {
        if !extract_field(cx, field, docinfo, &mut topics) {
            let body = cx.doc.children(field).get(1).copied();
            if let Some(body) = body {
                let body_children = cx.doc.children(body).to_vec();
                if let [paragraph] = body_children.as_slice() {
                    if cx.doc.kind(*paragraph) == Kind::Paragraph {
                        clean_rcs_keywords(cx.doc, *paragraph);
                    }
                }
            }
            let name = field_name(cx.doc, field);
            let class = crate::markup::rst::ids::make_id(
                &crate::markup::rst::ids::fully_normalize_name(&name),
            );
            if !class.is_empty() {
                cx.doc.attrs_mut(field).push("classes", class);
            }
            cx.doc.append(docinfo, field);
        }
    }
    cx.doc.detach(candidate);
    let mut nodes = Vec::new();
    if !cx.doc.children(docinfo).is_empty() {
        nodes.push(docinfo);
    }
    for wanted in ["dedication", "abstract"] {
        if let Some((_, topic)) = topics.iter().find(|(name, _)| name == wanted) {
            nodes.push(*topic);
        }
    }
    for (offset, node) in nodes.into_iter().enumerate() {
        cx.doc.insert(root, biblio_index + offset, node);
    }
}

/// docutils reads `field[0][0].astext()`: only the first child of the
/// field name counts (so inline markup cuts the name short).
fn field_name(doc: &Document, field: NodeId) -> String {
    doc.children(field)
        .first()
        .and_then(|&name| doc.children(name).first())
        .map(|&first| doc.text_content(first))
        .unwrap_or_default()
}

/// Try to turn one field into a bibliographic element; false = keep the field.
fn extract_field(
    cx: &mut Context<'_>,
    field: NodeId,
    docinfo: NodeId,
    topics: &mut Vec<(String, NodeId)>,
) -> bool {
    let name = field_name(cx.doc, field);
    let normed = crate::markup::rst::ids::fully_normalize_name(&name);
    let children = cx.doc.children(field).to_vec();
    let Some(kind) = biblio_kind(&normed) else {
        return false;
    };
    if children.len() != 2 {
        return false;
    }
    let Some(&body) = children.get(1) else {
        return false;
    };
    let span = cx.doc.span(field);
    let body_children = cx.doc.children(body).to_vec();
    if body_children.is_empty() {
        let msg = cx.report(
            2,
            "rst/docinfo",
            &format!("Cannot extract empty bibliographic field \"{name}\"."),
            span,
        );
        cx.doc.append(body, msg);
        return false;
    }
    match kind {
        Some(Kind::Authors) => {
            let authors = extract_authors(cx, &body_children);
            match authors {
                Some(authors) if !authors.is_empty() => {
                    let node = cx.doc.push(docinfo, Kind::Authors, span);
                    for author in authors {
                        let author_node = cx.doc.push(node, Kind::Author, span);
                        for child in author {
                            cx.doc.append(author_node, child);
                        }
                    }
                    true
                }
                _ => {
                    let message = format!(
                        "Cannot extract \"{name}\" from bibliographic field:\nBibliographic field \"{name}\" must contain either\n a single paragraph (with author names separated by one of \";,\"),\n multiple paragraphs (one per author),\n or a bullet list with one paragraph (one author) per item."
                    );
                    let msg = cx.report(2, "rst/docinfo", &message, span);
                    cx.doc.append(body, msg);
                    false
                }
            }
        }
        Some(kind) => {
            let single_paragraph =
                matches!(body_children.as_slice(), [p] if cx.doc.kind(*p) == Kind::Paragraph);
            if !single_paragraph {
                let msg = cx.report(
                    2,
                    "rst/docinfo",
                    &format!("Cannot extract compound bibliographic field \"{name}\"."),
                    span,
                );
                cx.doc.append(body, msg);
                return false;
            }
            let Some(&paragraph) = body_children.first() else {
                return false;
            };
            clean_rcs_keywords(cx.doc, paragraph);
            let node = cx.doc.push(docinfo, kind, span);
            for child in cx.doc.children(paragraph).to_vec() {
                cx.doc.append(node, child);
            }
            true
        }
        None => {
            if topics.iter().any(|(n, _)| *n == normed) {
                let msg = cx.report(
                    2,
                    "rst/docinfo",
                    &format!("There can only be one \"{name}\" field."),
                    span,
                );
                cx.doc.append(body, msg);
                return false;
            }
            let topic = cx.doc.create(Kind::Topic, span);
            cx.doc.attrs_mut(topic).push("classes", normed.clone());
            let title = cx.doc.push(topic, Kind::Title, span);
            let label = if normed == "abstract" {
                "Abstract"
            } else {
                "Dedication"
            };
            cx.doc.push_text(title, label, span);
            for child in body_children {
                cx.doc.append(topic, child);
            }
            topics.push((normed, topic));
            true
        }
    }
}

/// The authors of an `:authors:` field: one paragraph split at `;` or `,`,
/// several paragraphs, or a bullet list of one-paragraph items.
fn extract_authors(cx: &mut Context<'_>, body_children: &[NodeId]) -> Option<Vec<Vec<NodeId>>> {
    let span = body_children
        .first()
        .map(|&n| cx.doc.span(n))
        .unwrap_or_default();
    if let [only] = body_children {
        match cx.doc.kind(*only) {
            Kind::Paragraph => {
                let text = cx.doc.text_content(*only);
                if text.is_empty() {
                    return None;
                }
                let separator = [';', ','].into_iter().find(|&sep| text.contains(sep));
                let names: Vec<String> = match separator {
                    Some(sep) => text.split(sep).map(|n| n.trim().to_string()).collect(),
                    None => vec![text.trim().to_string()],
                };
                return Some(
                    names
                        .into_iter()
                        .filter(|n| !n.is_empty())
                        .map(|n| vec![cx.doc.create_text(n, span)])
                        .collect(),
                );
            }
            Kind::BulletList => {
                let mut authors = Vec::new();
                for item in cx.doc.children(*only).to_vec() {
                    if cx.doc.kind(item) == Kind::Comment {
                        continue;
                    }
                    let parts = cx.doc.children(item).to_vec();
                    match parts.as_slice() {
                        [p] if cx.doc.kind(*p) == Kind::Paragraph => {
                            authors.push(cx.doc.children(*p).to_vec())
                        }
                        _ => return None,
                    }
                }
                return (!authors.is_empty()).then_some(authors);
            }
            _ => return None,
        }
    }
    let mut authors = Vec::new();
    for &item in body_children {
        match cx.doc.kind(item) {
            Kind::Comment => {}
            Kind::Paragraph => authors.push(cx.doc.children(item).to_vec()),
            _ => return None,
        }
    }
    Some(authors)
}

/// docutils' `clean_rcs_keywords`: `$Date: 2001-08-16 ... $` → the date,
/// `$RCSfile: x,v $` → `x`, `$Keyword: value $` → `value`.
fn clean_rcs_keywords(doc: &mut Document, paragraph: NodeId) {
    let children = doc.children(paragraph).to_vec();
    let [text_node] = children.as_slice() else {
        return;
    };
    if doc.kind(*text_node) != Kind::Text {
        return;
    }
    let text = doc.get(*text_node).text.clone();
    let Some(inner) = text.strip_prefix('$').and_then(|t| t.strip_suffix(" $")) else {
        return;
    };
    let Some((keyword, value)) = inner.split_once(": ") else {
        return;
    };
    if keyword.is_empty() || !keyword.chars().all(|c| c.is_ascii_alphabetic()) {
        return;
    }
    let cleaned = if keyword.eq_ignore_ascii_case("date") {
        let date: String = value.chars().take(10).collect();
        let bytes = date.as_bytes();
        let shaped = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-' || *b == b'/'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shaped {
            return;
        }
        format!("{}-{}-{}", &date[0..4], &date[5..7], &date[8..10])
    } else if keyword.eq_ignore_ascii_case("rcsfile") {
        value.strip_suffix(",v").unwrap_or(value).to_string()
    } else {
        value.to_string()
    };
    doc.get_mut(*text_node).text = cleaned;
}
