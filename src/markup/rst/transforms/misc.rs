//! docutils' `transforms.misc` and `transforms.universal` pieces: the
//! `class` directive's pending attribute, transition placement checks and
//! the final "Docutils System Messages" section.

use super::Context;
use crate::markup::doc::{Kind, NodeId};

/// docutils' `ClassAttribute` (210): the `class` directive's `<pending>`
/// gives its classes to the next element (skipping invisible ones).
pub(crate) fn class_attribute(cx: &mut Context<'_>) {
    for pending in cx.all(Kind::Pending) {
        if cx.doc.attrs(pending).str("transform") != Some("ClassAttribute") {
            continue;
        }
        let classes: Vec<String> = cx
            .doc
            .attrs(pending)
            .str("class")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let Some(parent) = cx.doc.parent(pending) else {
            continue;
        };
        let mut child = pending;
        let mut parent = parent;
        let mut applied = false;
        'outer: for _ in 0..10_000 {
            let siblings = cx.doc.children(parent).to_vec();
            let position = siblings.iter().position(|&c| c == child).unwrap_or(0);
            for &sibling in siblings.get(position + 1..).unwrap_or(&[]) {
                let kind = cx.doc.kind(sibling);
                if matches!(
                    kind,
                    Kind::Comment
                        | Kind::SubstitutionDefinition
                        | Kind::Pending
                        | Kind::SystemMessage
                        | Kind::Target
                ) && kind != Kind::Target
                {
                    continue;
                }
                if kind == Kind::Target && cx.doc.children(sibling).is_empty() {
                    continue;
                }
                for class in &classes {
                    cx.doc.attrs_mut(sibling).push("classes", class.clone());
                }
                applied = true;
                break 'outer;
            }
            if matches!(cx.doc.kind(parent), Kind::Document | Kind::Section) {
                break;
            }
            let Some(grand) = cx.doc.parent(parent) else {
                break;
            };
            child = parent;
            parent = grand;
        }
        if !applied {
            let span = cx.doc.span(pending);
            let msg = cx.state.system_message(
                cx.doc,
                3,
                "rst/class-directive",
                "No suitable element following \"class\" directive",
                span,
                None,
            );
            cx.doc.replace(pending, msg);
            continue;
        }
        cx.doc.detach(pending);
    }
}

/// docutils' `Transitions` (830): misplaced transitions are reported
/// (the warning stays out of the tree unless the transition ends its parent
/// and a body element would be valid in its place), and a transition that
/// ends a section moves up behind it.
pub(crate) fn transitions(cx: &mut Context<'_>) {
    for node in cx.all(Kind::Transition) {
        let Some(parent) = cx.doc.parent(node) else {
            continue;
        };
        let siblings = cx.doc.children(parent).to_vec();
        let Some(index) = siblings.iter().position(|&c| c == node) else {
            continue;
        };
        let previous = index.checked_sub(1).and_then(|i| siblings.get(i)).copied();
        let parent_kind = cx.doc.kind(parent);
        let message = if !matches!(parent_kind, Kind::Document | Kind::Section) {
            Some("Transition must be child of <document> or <section>.")
        } else if index == 0 || previous.is_some_and(|p| is_header(cx.doc.kind(p))) {
            Some("Document or section may not begin with a transition.")
        } else if previous.is_some_and(|p| cx.doc.kind(p) == Kind::Transition) {
            Some("At least one body element must separate transitions; adjacent transitions are not allowed.")
        } else {
            None
        };
        let span = cx.doc.span(node);
        let is_last = index + 1 == siblings.len();
        let mut after = node;
        if let Some(message) = message {
            let msg = cx.report(2, "rst/transition", message, span);
            if is_last && body_valid_in_place(cx, &siblings, index) {
                cx.doc.insert(parent, index + 1, msg);
                after = msg;
            }
        }
        let position_of = |cx: &Context<'_>, parent: NodeId, child: NodeId| {
            cx.doc.children(parent).iter().position(|&c| c == child)
        };
        if position_of(cx, parent, after).map(|p| p + 1) != Some(cx.doc.children(parent).len()) {
            continue;
        }
        // Find the nearest ancestor that has a following sibling.
        let mut sibling = parent;
        let mut destination = None;
        for _ in 0..10_000 {
            let Some(grand) = cx.doc.parent(sibling) else {
                break;
            };
            let position = position_of(cx, grand, sibling).unwrap_or(0);
            if position + 1 < cx.doc.children(grand).len() {
                destination = Some((grand, position + 1));
                break;
            }
            sibling = grand;
        }
        match destination {
            Some((grand, position)) if !matches!(parent_kind, Kind::Document) => {
                cx.doc.detach(node);
                cx.doc.insert(grand, position, node);
            }
            _ => {
                let msg = cx.report(
                    2,
                    "rst/transition",
                    "Document may not end with a transition.",
                    span,
                );
                let position = position_of(cx, parent, after).unwrap_or(0);
                cx.doc.insert(parent, position + 1, msg);
            }
        }
    }
}

fn is_header(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Title | Kind::Subtitle | Kind::Meta | Kind::Decoration | Kind::Docinfo
    )
}

/// Would the parent's content stay valid with a body element in place of
/// the transition at `index`? (Other transitions must not start the
/// content or be adjacent.)
fn body_valid_in_place(cx: &Context<'_>, siblings: &[NodeId], index: usize) -> bool {
    let mut previous_was_transition = false;
    let mut seen_body = false;
    for (position, &child) in siblings.iter().enumerate() {
        let kind = cx.doc.kind(child);
        if is_header(kind) && !seen_body {
            continue;
        }
        let is_transition = kind == Kind::Transition && position != index;
        if is_transition && (!seen_body || previous_was_transition) {
            return false;
        }
        seen_body = true;
        previous_was_transition = is_transition;
    }
    true
}

/// docutils' `Messages` (860): transform messages of level ≥ 2 that are not
/// in the tree go into a final section.
pub(crate) fn messages(cx: &mut Context<'_>) {
    // docutils collects every reported message; those never placed in the
    // tree (parse-time or transform-time) end up here, in report order.
    let loose: Vec<NodeId> = cx
        .doc
        .all_nodes()
        .filter(|&m| cx.doc.kind(m) == Kind::SystemMessage && cx.doc.parent(m).is_none())
        .filter(|&m| match cx.doc.attrs(m).get("level") {
            Some(crate::markup::doc::Value::Int(level)) => *level >= 2,
            _ => false,
        })
        .collect();
    if loose.is_empty() {
        return;
    }
    let root = cx.doc.root();
    let span = cx.doc.span(root);
    let section = cx.doc.push(root, Kind::Section, span);
    cx.doc.attrs_mut(section).push("classes", "system-messages");
    let title = cx.doc.push(section, Kind::Title, span);
    cx.doc.push_text(title, "Docutils System Messages", span);
    for msg in loose {
        cx.doc.append(section, msg);
    }
}
