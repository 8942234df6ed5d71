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

/// docutils' `Transitions` (830).
pub(crate) fn transitions(cx: &mut Context<'_>) {
    for node in cx.all(Kind::Transition) {
        let Some(parent) = cx.doc.parent(node) else {
            continue;
        };
        let siblings = cx.doc.children(parent).to_vec();
        let Some(mut index) = siblings.iter().position(|&c| c == node) else {
            continue;
        };
        let previous = index.checked_sub(1).and_then(|i| siblings.get(i)).copied();
        let message = if !matches!(cx.doc.kind(parent), Kind::Document | Kind::Section) {
            Some("Transition must be child of <document> or <section>.")
        } else if index == 0
            || previous.is_some_and(|p| matches!(cx.doc.kind(p), Kind::Title | Kind::Subtitle))
        {
            Some("Document or section may not begin with a transition.")
        } else if previous.is_some_and(|p| cx.doc.kind(p) == Kind::Transition) {
            Some("At least one body element must separate transitions; adjacent transitions are not allowed.")
        } else {
            None
        };
        let span = cx.doc.span(node);
        if let Some(message) = message {
            let msg = cx
                .state
                .system_message(cx.doc, 3, "rst/transition", message, span, None);
            cx.doc.insert(parent, index, msg);
            index += 1;
        }
        if index + 1 != cx.doc.children(parent).len() {
            continue;
        }
        // The transition is last in its parent: move it up behind the
        // nearest ancestor that has a following sibling.
        let mut sibling: NodeId = node;
        let mut sibling_index = index;
        let mut guard = 0;
        loop {
            guard += 1;
            let Some(sibling_parent) = cx.doc.parent(sibling) else {
                break;
            };
            if sibling_index + 1 != cx.doc.children(sibling_parent).len() || guard > 10_000 {
                break;
            }
            sibling = sibling_parent;
            match cx.doc.parent(sibling) {
                None => {
                    let msg = cx.state.system_message(
                        cx.doc,
                        3,
                        "rst/transition",
                        "Document may not end with a transition.",
                        span,
                        None,
                    );
                    let position = cx
                        .doc
                        .children(parent)
                        .iter()
                        .position(|&c| c == node)
                        .unwrap_or(0);
                    cx.doc.insert(parent, position + 1, msg);
                    sibling = NodeId::clone(&node);
                    let _ = sibling;
                    break;
                }
                Some(grand) => {
                    sibling_index = cx
                        .doc
                        .children(grand)
                        .iter()
                        .position(|&c| c == sibling)
                        .unwrap_or(0);
                }
            }
        }
        if sibling == node || cx.doc.parent(sibling).is_none() {
            continue;
        }
        let Some(target_parent) = cx.doc.parent(sibling) else {
            continue;
        };
        cx.doc.detach(node);
        let position = cx
            .doc
            .children(target_parent)
            .iter()
            .position(|&c| c == sibling)
            .unwrap_or(0);
        cx.doc.insert(target_parent, position + 1, node);
    }
}

/// docutils' `Messages` (860): transform messages of level ≥ 2 that are not
/// in the tree go into a final section.
pub(crate) fn messages(cx: &mut Context<'_>) {
    let loose: Vec<NodeId> = cx
        .loose_messages
        .iter()
        .copied()
        .filter(|&m| cx.doc.parent(m).is_none())
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
