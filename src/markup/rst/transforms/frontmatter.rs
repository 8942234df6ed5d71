//! docutils' `transforms.frontmatter`: promote a lone top-level section to
//! the document title (and a lone sub-section to the subtitle), and turn a
//! leading field list into `<docinfo>`.

use super::Context;
use crate::markup::doc::{Document, Kind, NodeId, Value};

/// docutils' `PreBibliographic` elements, which may precede the title.
fn is_pre_bibliographic(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Comment
            | Kind::SystemMessage
            | Kind::Title
            | Kind::Subtitle
            | Kind::Meta
            | Kind::Decoration
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

/// docutils' `DocInfo` (340): not implemented yet beyond leaving the field
/// list in place.
pub(crate) fn doc_info(cx: &mut Context<'_>) {
    let _ = cx;
}
