//! docutils' `transforms.parts` and `references.TargetNotes`: the
//! transforms behind the `contents`, `sectnum` and `target-notes`
//! directives, which the parser leaves as `<pending>` nodes (options as
//! `opt-<name>` attributes).

use std::collections::HashMap;

use super::references::deep_copy;
use super::Context;
use crate::markup::doc::{Document, Kind, NodeId, Value};

/// Section nesting followed at most this deep (user-controlled input).
const MAX_DEPTH: usize = 64;

fn pendings(cx: &mut Context<'_>, transform: &str) -> Vec<NodeId> {
    cx.all(Kind::Pending)
        .into_iter()
        .filter(|&p| cx.doc.attrs(p).str("transform") == Some(transform))
        .collect()
}

fn option<'d>(doc: &'d Document, pending: NodeId, name: &str) -> Option<&'d str> {
    match doc.attrs(pending).get(&format!("opt-{name}")) {
        Some(Value::Str(value)) => Some(value.as_str()),
        Some(_) => Some(""),
        None => None,
    }
}

/// `target-notes` (540): a footnote per external target that is referred to,
/// with a footnote reference after each reference.
pub(crate) fn target_notes(cx: &mut Context<'_>) {
    for pending in pendings(cx, "TargetNotes") {
        let classes: Vec<String> = cx.doc.attrs(pending).list("classes").to_vec();
        let mut notes: HashMap<String, NodeId> = HashMap::new();
        let mut footnotes: Vec<NodeId> = Vec::new();
        let mut refnames: HashMap<String, Vec<NodeId>> = HashMap::new();
        for reference in cx.all(Kind::Reference) {
            if let Some(name) = cx.doc.attrs(reference).str("refname") {
                refnames
                    .entry(name.to_string())
                    .or_default()
                    .push(reference);
            }
        }
        for target in cx.all(Kind::Target) {
            let Some(refuri) = cx.doc.attrs(target).str("refuri").map(str::to_string) else {
                continue;
            };
            let mut refs = Vec::new();
            for name in cx.doc.attrs(target).list("names") {
                refs.extend(refnames.get(name).into_iter().flatten().copied());
            }
            if refs.is_empty() {
                continue;
            }
            let footnote = make_target_footnote(cx, &refuri, &refs, &mut notes, &classes);
            if !footnotes.contains(&footnote) {
                footnotes.push(footnote);
            }
        }
        for reference in cx.all(Kind::Reference) {
            let anonymous = matches!(
                cx.doc.attrs(reference).get("anonymous"),
                Some(Value::Bool(true)) | Some(Value::Int(1))
            );
            if !anonymous {
                continue;
            }
            if let Some(refuri) = cx.doc.attrs(reference).str("refuri").map(str::to_string) {
                let footnote =
                    make_target_footnote(cx, &refuri, &[reference], &mut notes, &classes);
                if !footnotes.contains(&footnote) {
                    footnotes.push(footnote);
                }
            }
        }
        let Some(parent) = cx.doc.parent(pending) else {
            continue;
        };
        let position = cx
            .doc
            .children(parent)
            .iter()
            .position(|&c| c == pending)
            .unwrap_or(0);
        cx.doc.detach(pending);
        for (offset, footnote) in footnotes.into_iter().enumerate() {
            cx.doc.insert(parent, position + offset, footnote);
        }
    }
}

fn make_target_footnote(
    cx: &mut Context<'_>,
    refuri: &str,
    refs: &[NodeId],
    notes: &mut HashMap<String, NodeId>,
    classes: &[String],
) -> NodeId {
    let span = refs.first().map(|&r| cx.doc.span(r)).unwrap_or_default();
    let (footnote, name) = match notes.get(refuri) {
        Some(&footnote) => {
            let name = cx
                .doc
                .attrs(footnote)
                .list("names")
                .first()
                .cloned()
                .unwrap_or_default();
            (footnote, name)
        }
        None => {
            let footnote = cx.doc.create(Kind::Footnote, span);
            let id = cx.state.set_id(cx.doc, footnote, None, "");
            let name = format!("TARGET_NOTE: {id}");
            cx.doc.attrs_mut(footnote).set("auto", Value::Int(1));
            cx.doc.attrs_mut(footnote).push("names", name.clone());
            let paragraph = cx.doc.push(footnote, Kind::Paragraph, span);
            let reference = cx.doc.push(paragraph, Kind::Reference, span);
            cx.doc
                .attrs_mut(reference)
                .set("refuri", refuri.to_string());
            cx.doc.push_text(reference, refuri.to_string(), span);
            cx.state
                .note_explicit_target(cx.doc, footnote, Some(footnote));
            notes.insert(refuri.to_string(), footnote);
            (footnote, name)
        }
    };
    for &reference in refs {
        if cx.doc.kind(reference) == Kind::Target {
            continue;
        }
        let Some(parent) = cx.doc.parent(reference) else {
            continue;
        };
        let refnode = cx.doc.create(Kind::FootnoteReference, span);
        cx.doc.attrs_mut(refnode).set("auto", Value::Int(1));
        cx.doc.attrs_mut(refnode).set("refname", name.clone());
        for class in classes {
            cx.doc.attrs_mut(refnode).push("classes", class.clone());
        }
        cx.state.set_id(cx.doc, refnode, None, "");
        cx.generated_footnote_refs.push(refnode);
        let position = cx
            .doc
            .children(parent)
            .iter()
            .position(|&c| c == reference)
            .unwrap_or(0);
        let space = if classes.is_empty() {
            cx.doc.create_text(" ", span)
        } else {
            let inline = cx.doc.create(Kind::Inline, span);
            for class in classes {
                cx.doc.attrs_mut(inline).push("classes", class.clone());
            }
            cx.doc.push_text(inline, " ", span);
            inline
        };
        cx.doc.insert(parent, position + 1, space);
        cx.doc.insert(parent, position + 2, refnode);
    }
    footnote
}

/// `sectnum` (710): number section titles with `<generated classes="sectnum">`.
pub(crate) fn sectnum(cx: &mut Context<'_>) {
    for pending in pendings(cx, "SectNum") {
        let depth = option(cx.doc, pending, "depth")
            .and_then(|d| d.trim().parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        let start = option(cx.doc, pending, "start")
            .and_then(|d| d.trim().parse::<i64>().ok())
            .unwrap_or(1);
        let prefix = option(cx.doc, pending, "prefix")
            .unwrap_or_default()
            .to_string();
        let suffix = option(cx.doc, pending, "suffix")
            .unwrap_or_default()
            .to_string();
        cx.doc.detach(pending);
        let root = cx.doc.root();
        // Explicit stack of (node, numbers prefix, depth).
        let mut stack: Vec<(NodeId, Vec<String>, usize)> = vec![(root, Vec::new(), 1)];
        while let Some((node, numbers, level)) = stack.pop() {
            let mut number = if numbers.is_empty() { start } else { 1 };
            let mut children_work = Vec::new();
            for child in cx.doc.children(node).to_vec() {
                if cx.doc.kind(child) != Kind::Section {
                    continue;
                }
                let mut own = numbers.clone();
                own.push(number.to_string());
                if let Some(&title) = cx.doc.children(child).first() {
                    let span = cx.doc.span(title);
                    let generated = cx.doc.create(Kind::Generated, span);
                    cx.doc.attrs_mut(generated).push("classes", "sectnum");
                    let text = format!("{prefix}{}{suffix}\u{a0}\u{a0}\u{a0}", own.join("."));
                    cx.doc.push_text(generated, text, span);
                    cx.doc.insert(title, 0, generated);
                    cx.doc.attrs_mut(title).set("auto", Value::Int(1));
                }
                if level < depth && level < MAX_DEPTH {
                    children_work.push((child, own, level + 1));
                }
                number += 1;
            }
            stack.extend(children_work.into_iter().rev());
        }
    }
}

/// `contents` (720): replace the pending node with a nested bullet list of
/// links to the sections, or drop the topic when there is nothing to list.
pub(crate) fn contents(cx: &mut Context<'_>) {
    for pending in pendings(cx, "Contents") {
        let Some(topic) = cx.doc.parent(pending) else {
            continue;
        };
        let local = option(cx.doc, pending, "local").is_some();
        let depth = option(cx.doc, pending, "depth")
            .and_then(|d| d.trim().parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        let backlinks = option(cx.doc, pending, "backlinks")
            .unwrap_or("entry")
            .trim()
            .to_lowercase();
        let mut start = cx.doc.root();
        if local {
            let mut node = cx.doc.parent(topic);
            while let Some(candidate) = node {
                if matches!(cx.doc.kind(candidate), Kind::Section | Kind::Document) {
                    start = candidate;
                    break;
                }
                node = cx.doc.parent(candidate);
            }
        }
        let toc_id = cx
            .doc
            .attrs(topic)
            .list("ids")
            .first()
            .cloned()
            .unwrap_or_default();
        let list = build_contents(cx, start, depth, &backlinks, &toc_id);
        match list {
            Some(list) => cx.doc.replace(pending, list),
            None => cx.doc.detach(topic),
        }
    }
}

fn build_contents(
    cx: &mut Context<'_>,
    start: NodeId,
    depth: usize,
    backlinks: &str,
    toc_id: &str,
) -> Option<NodeId> {
    // Build top-down with an explicit stack; each frame fills one list.
    let top = build_level(cx, start, backlinks, toc_id)?;
    let mut stack: Vec<(NodeId, NodeId, usize)> = Vec::new(); // (section, list item, level)
    for (section, item) in top.1 {
        stack.push((section, item, 1));
    }
    while let Some((section, item, level)) = stack.pop() {
        if level >= depth || level >= MAX_DEPTH {
            continue;
        }
        if let Some((list, children)) = build_level(cx, section, backlinks, toc_id) {
            cx.doc.append(item, list);
            for (child_section, child_item) in children {
                stack.push((child_section, child_item, level + 1));
            }
        }
    }
    Some(top.0)
}

/// One bullet list for the sections directly under `node`.
#[allow(clippy::type_complexity)]
fn build_level(
    cx: &mut Context<'_>,
    node: NodeId,
    backlinks: &str,
    toc_id: &str,
) -> Option<(NodeId, Vec<(NodeId, NodeId)>)> {
    let sections: Vec<NodeId> = cx
        .doc
        .children(node)
        .iter()
        .copied()
        .filter(|&c| cx.doc.kind(c) == Kind::Section)
        .collect();
    if sections.is_empty() {
        return None;
    }
    let span = cx.doc.span(node);
    let list = cx.doc.create(Kind::BulletList, span);
    let mut items = Vec::new();
    let mut auto = false;
    for section in sections {
        let Some(&title) = cx.doc.children(section).first() else {
            continue;
        };
        auto = cx.doc.attrs(title).get("auto").is_some();
        let section_id = cx
            .doc
            .attrs(section)
            .list("ids")
            .first()
            .cloned()
            .unwrap_or_default();
        let reference = cx.doc.create(Kind::Reference, span);
        cx.doc.attrs_mut(reference).set("refid", section_id);
        for child in filtered_title_copy(cx, title) {
            cx.doc.append(reference, child);
        }
        let ref_id = cx.state.set_id(cx.doc, reference, None, "toc-entry");
        let paragraph = cx.doc.create(Kind::Paragraph, span);
        cx.doc.append(paragraph, reference);
        let item = cx.doc.push(list, Kind::ListItem, span);
        cx.doc.append(item, paragraph);
        let title_has_reference = cx
            .doc
            .descendants(title)
            .any(|n| n != title && cx.doc.kind(n) == Kind::Reference);
        if !title_has_reference {
            match backlinks {
                "entry" => cx.doc.attrs_mut(title).set("refid", ref_id),
                "top" => cx.doc.attrs_mut(title).set("refid", toc_id.to_string()),
                _ => {}
            }
        }
        items.push((section, item));
    }
    if auto {
        cx.doc.attrs_mut(list).push("classes", "auto-toc");
    }
    Some((list, items))
}

/// docutils' `ContentsFilter`: a copy of the title's children without
/// footnote/citation references; references, targets and problematic
/// nodes are replaced by their children, images by their `alt` text.
fn filtered_title_copy(cx: &mut Context<'_>, title: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut work: Vec<NodeId> = cx.doc.children(title).iter().rev().copied().collect();
    while let Some(node) = work.pop() {
        match cx.doc.kind(node) {
            Kind::FootnoteReference | Kind::CitationReference => {}
            Kind::Image => {
                if let Some(alt) = cx.doc.attrs(node).str("alt").map(str::to_string) {
                    let span = cx.doc.span(node);
                    out.push(cx.doc.create_text(alt, span));
                }
            }
            Kind::Reference | Kind::Target | Kind::Problematic => {
                work.extend(cx.doc.children(node).iter().rev().copied());
            }
            _ => out.push(deep_copy(cx.doc, node)),
        }
    }
    out
}
