//! docutils' `transforms.references`: substitutions, target propagation,
//! anonymous and indirect hyperlinks, footnote numbering, external and
//! internal targets and the final check for dangling references.

use std::collections::HashMap;

use std::rc::Rc;

use super::{Context, RefMap};
use crate::markup::doc::{Document, Kind, NodeId, Value};
use crate::markup::rst::inline::problem_budget_spent;

/// docutils' default `line_length_limit`.
const LINE_LENGTH_LIMIT: usize = 10_000;

/// Substitution nesting deeper than this is treated as circular.
const MAX_SUBSTITUTION_DEPTH: usize = 32;

/// Copy a subtree (explicit stack: no recursion on user-controlled depth).
pub(crate) fn deep_copy(doc: &mut Document, node: NodeId) -> NodeId {
    let copy_one = |doc: &mut Document, original: NodeId| {
        let source = doc.get(original).clone();
        let copy = doc.create(source.kind, source.span);
        let target = doc.get_mut(copy);
        target.attrs = source.attrs;
        target.text = source.text;
        copy
    };
    let root = copy_one(doc, node);
    let mut stack = vec![(node, root)];
    while let Some((original, copy)) = stack.pop() {
        let children: Vec<NodeId> = doc.children(original).to_vec();
        for child in children {
            let child_copy = copy_one(doc, child);
            doc.append(copy, child_copy);
            stack.push((child, child_copy));
        }
    }
    root
}

/// docutils' `Substitutions` (priority 220). References are replaced in
/// rounds (each round's replacements applied together, then the references
/// nested in the inserted copies form the next round), which is the order
/// docutils' growing work list gives.
pub(crate) fn substitutions(cx: &mut Context<'_>) {
    let mut round: Vec<NodeId> = cx.all(Kind::SubstitutionReference);
    let mut depth = 0;
    while !round.is_empty() {
        let mut next_round = Vec::new();
        let mut lengths: HashMap<NodeId, usize> = HashMap::new();
        for reference in std::mem::take(&mut round) {
            if cx.doc.parent(reference).is_none() || cx.is_replaced(reference) {
                continue;
            }
            next_round.extend(substitute(cx, reference, depth, &mut lengths));
        }
        cx.flush_replacements();
        round = next_round;
        depth += 1;
    }
}

/// Replace one substitution reference; returns the references nested in
/// the inserted copy.
/// `lengths` caches each clean definition's text length for the round (it
/// only changes when a reference inside it is replaced, which clears it).
fn substitute(
    cx: &mut Context<'_>,
    reference: NodeId,
    depth: usize,
    lengths: &mut HashMap<NodeId, usize>,
) -> Vec<NodeId> {
    let refname = cx
        .doc
        .attrs(reference)
        .str("refname")
        .unwrap_or_default()
        .to_string();
    let key = if cx.state.substitution_defs.contains_key(&refname) {
        Some(refname.clone())
    } else {
        cx.state
            .substitution_names
            .get(&refname.to_lowercase())
            .cloned()
    };
    let definition = key
        .as_ref()
        .and_then(|k| cx.state.substitution_defs.get(k))
        .copied();
    let Some(definition) = definition else {
        if problem_budget_spent(cx.state) {
            let span = cx.doc.span(reference);
            let text = cx.rawsource(reference);
            let replacement = cx.doc.create_text(text, span);
            cx.replace_later(reference, vec![replacement]);
            return Vec::new();
        }
        let span = cx.doc.span(reference);
        let msg = cx.report(
            3,
            "rst/undefined-substitution",
            &format!("Undefined substitution referenced: \"{refname}\"."),
            span,
        );
        cx.replace_with_problematic(reference, msg, false);
        return Vec::new();
    };
    if depth >= MAX_SUBSTITUTION_DEPTH {
        let span = cx.doc.span(reference);
        let msg = cx.report(
            3,
            "rst/circular-substitution",
            &format!("Circular substitution definition referenced: \"{refname}\"."),
            span,
        );
        cx.replace_with_problematic(reference, msg, false);
        return Vec::new();
    }
    let Some(parent) = cx.doc.parent(reference) else {
        return Vec::new();
    };
    let attrs = cx.doc.attrs(definition);
    let ltrim = attrs.get("ltrim").is_some() || attrs.get("trim").is_some();
    let rtrim = attrs.get("rtrim").is_some() || attrs.get("trim").is_some();
    if ltrim || rtrim {
        let position = cx
            .doc
            .children(parent)
            .iter()
            .position(|&c| c == reference)
            .unwrap_or(0);
        if ltrim && position > 0 {
            if let Some(&previous) = cx.doc.children(parent).get(position - 1) {
                if cx.doc.kind(previous) == Kind::Text {
                    let text = cx.doc.get(previous).text.trim_end().to_string();
                    cx.doc.get_mut(previous).text = text;
                }
            }
        }
        if rtrim {
            if let Some(&next) = cx.doc.children(parent).get(position + 1) {
                if cx.doc.kind(next) == Kind::Text {
                    let text = cx.doc.get(next).text.trim_start().to_string();
                    cx.doc.get_mut(next).text = text;
                }
            }
        }
    }
    // A reference inside the definition already handled in this round must
    // be replaced before copying (docutils copies the updated definition).
    let length = match lengths.get(&definition) {
        Some(&length) => length,
        None => {
            let stale = cx
                .doc
                .descendants(definition)
                .any(|n| cx.is_replaced(n) && cx.doc.parent(n).is_some());
            if stale {
                cx.flush_replacements();
                lengths.clear();
            }
            let length = cx.doc.text_content(definition).chars().count();
            lengths.insert(definition, length);
            length
        }
    };
    // docutils refuses to expand definitions longer than its line length
    // limit, which also stops exponential nesting ("billion laughs").
    if length > LINE_LENGTH_LIMIT {
        let span = cx.doc.span(reference);
        let name = key.unwrap_or_default();
        let msg = cx.report(
            3,
            "rst/substitution-too-long",
            &format!("Substitution definition \"{name}\" exceeds the line-length-limit."),
            span,
        );
        cx.replace_with_problematic(reference, msg, false);
        return Vec::new();
    }
    let copy = deep_copy(cx.doc, definition);
    let nested: Vec<NodeId> = cx
        .doc
        .descendants(copy)
        .filter(|&n| cx.doc.kind(n) == Kind::SubstitutionReference)
        .collect();
    let children: Vec<NodeId> = std::mem::take(&mut cx.doc.get_mut(copy).children);
    for &child in &children {
        cx.doc.get_mut(child).parent = None;
    }
    cx.replace_later(reference, children);
    nested
}

/// docutils' `PropagateTargets` (260): a block-level target hands its ids
/// and names to the next element.
pub(crate) fn propagate_targets(cx: &mut Context<'_>) {
    for target in cx.all(Kind::Target) {
        let attrs = cx.doc.attrs(target);
        if attrs.get("refid").is_some()
            || attrs.get("refuri").is_some()
            || attrs.get("refname").is_some()
        {
            continue;
        }
        let Some(parent) = cx.doc.parent(target) else {
            continue;
        };
        if is_text_element(cx.doc.kind(parent)) {
            continue;
        }
        let Some(mut next) = next_node(cx.doc, target) else {
            continue;
        };
        // System messages may be removed later (FilterMessages): skip them.
        let mut guard = 0;
        while cx.doc.kind(next) == Kind::SystemMessage && guard < 100_000 {
            guard += 1;
            match next_sibling_or_ancestor_sibling(cx.doc, next) {
                Some(after) => next = after,
                None => break,
            }
        }
        if cx.doc.kind(next) == Kind::SystemMessage {
            continue;
        }
        let next_kind = cx.doc.kind(next);
        let invisible = matches!(
            next_kind,
            Kind::Comment | Kind::SubstitutionDefinition | Kind::Target | Kind::Pending
        );
        let targetable = matches!(next_kind, Kind::Target | Kind::Footnote | Kind::Citation);
        if !((!invisible && !targetable) || next_kind == Kind::Target) {
            continue;
        }
        let ids: Vec<String> = cx.doc.attrs(target).list("ids").to_vec();
        let names: Vec<String> = cx.doc.attrs(target).list("names").to_vec();
        if ids.is_empty() {
            continue;
        }
        for id in &ids {
            cx.doc.attrs_mut(next).push("ids", id.clone());
            cx.state.targets.ids.insert(id.clone(), next);
        }
        for name in &names {
            cx.doc.attrs_mut(next).push("names", name.clone());
        }
        let attrs = cx.doc.attrs_mut(target);
        if let Some(first) = ids.first() {
            attrs.set("refid", first.clone());
        }
        attrs.remove("ids");
        attrs.remove("names");
    }
}

/// Element kinds docutils derives from `TextElement` (paragraph-like).
pub(crate) fn is_text_element(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Paragraph
            | Kind::Title
            | Kind::Subtitle
            | Kind::Rubric
            | Kind::Term
            | Kind::Classifier
            | Kind::Label
            | Kind::Caption
            | Kind::Attribution
            | Kind::Line
            | Kind::LiteralBlock
            | Kind::DoctestBlock
            | Kind::MathBlock
            | Kind::Comment
            | Kind::SubstitutionDefinition
            | Kind::Target
            | Kind::Raw
            | Kind::Author
            | Kind::Organization
            | Kind::Contact
            | Kind::Version
            | Kind::Revision
            | Kind::Status
            | Kind::Date
            | Kind::Copyright
            | Kind::Address
            | Kind::OptionString
            | Kind::OptionArgument
            | Kind::FieldName
            | Kind::Emphasis
            | Kind::Strong
            | Kind::Literal
            | Kind::Reference
            | Kind::Inline
            | Kind::Problematic
            | Kind::Subscript
            | Kind::Superscript
            | Kind::TitleReference
            | Kind::Abbreviation
            | Kind::Acronym
            | Kind::Generated
    )
}

/// docutils' `next_node(ascend=True)`: first child, else next sibling,
/// else the next sibling of the nearest ancestor that has one.
fn next_node(doc: &Document, node: NodeId) -> Option<NodeId> {
    if let Some(&first) = doc.children(node).first() {
        return Some(first);
    }
    next_sibling_or_ancestor_sibling(doc, node)
}

/// docutils' `next_node(ascend=True, descend=False)`.
fn next_sibling_or_ancestor_sibling(doc: &Document, node: NodeId) -> Option<NodeId> {
    let mut current = node;
    loop {
        let parent = doc.parent(current)?;
        let siblings = doc.children(parent);
        let position = siblings.iter().position(|&c| c == current)?;
        if let Some(&next) = siblings.get(position + 1) {
            return Some(next);
        }
        current = parent;
    }
}

/// docutils' `AnonymousHyperlinks` (440).
pub(crate) fn anonymous_hyperlinks(cx: &mut Context<'_>) {
    let references: Vec<NodeId> = cx
        .all(Kind::Reference)
        .into_iter()
        .filter(|&n| is_anonymous(cx.doc, n))
        .collect();
    let targets: Vec<NodeId> = cx
        .all(Kind::Target)
        .into_iter()
        .filter(|&n| is_anonymous(cx.doc, n))
        .collect();
    if references.len() != targets.len() {
        let message = format!(
            "Anonymous hyperlink mismatch: {} references but {} targets.\nSee \"backrefs\" attribute for IDs.",
            references.len(),
            targets.len()
        );
        let span = cx.doc.span(cx.doc.root());
        let msg = cx.report(3, "rst/anonymous-mismatch", &message, span);
        cx.state.set_id(cx.doc, msg, None, "");
        for reference in references {
            cx.replace_with_problematic(reference, msg, false);
        }
        return;
    }
    for (reference, target) in references.into_iter().zip(targets) {
        let mut target = target;
        for _ in 0..64 {
            if let Some(refuri) = cx.doc.attrs(target).str("refuri").map(str::to_string) {
                cx.doc.attrs_mut(reference).set("refuri", refuri);
                cx.resolved.insert(reference);
                break;
            }
            match cx.doc.attrs(target).list("ids").first().cloned() {
                Some(id) => {
                    cx.doc.attrs_mut(reference).set("refid", id);
                    break;
                }
                None => {
                    let refid = cx.doc.attrs(target).str("refid").map(str::to_string);
                    match refid.and_then(|id| cx.state.targets.ids.get(&id).copied()) {
                        Some(next) => target = next,
                        None => break,
                    }
                }
            }
        }
    }
}

/// The `anonymous` flag, whichever way it was stored (bool or 1).
fn is_anonymous(doc: &Document, node: NodeId) -> bool {
    match doc.attrs(node).get("anonymous") {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::Int(value)) => *value != 0,
        Some(Value::Str(value)) => value != "0",
        _ => false,
    }
}

/// docutils' `document.refnames`: name → nodes referring to it by name.
fn refnames(cx: &mut Context<'_>) -> Rc<RefMap> {
    if let Some((names, _)) = &cx.ref_cache {
        return Rc::clone(names);
    }
    Rc::new(build_refnames(cx))
}

fn build_refnames(cx: &mut Context<'_>) -> RefMap {
    let mut map: RefMap = HashMap::new();
    if !cx.exists(Kind::Reference) && !cx.exists(Kind::Target) {
        return map;
    }
    let root = cx.doc.root();
    for node in cx.doc.descendants(root) {
        let kind = cx.doc.kind(node);
        let attrs = cx.doc.attrs(node);
        let Some(refname) = attrs.str("refname") else {
            continue;
        };
        let counts = match kind {
            Kind::Reference => true,
            Kind::Target => !attrs.list("names").is_empty(),
            _ => false,
        };
        if counts {
            map.entry(refname.to_string()).or_default().push(node);
        }
    }
    map
}

/// docutils' `document.refids`: id → nodes pointing at it with `refid`.
fn refids(cx: &mut Context<'_>) -> Rc<RefMap> {
    if let Some((_, ids)) = &cx.ref_cache {
        return Rc::clone(ids);
    }
    Rc::new(build_refids(cx))
}

fn build_refids(cx: &mut Context<'_>) -> RefMap {
    let mut map: RefMap = HashMap::new();
    if !cx.exists(Kind::Reference) && !cx.exists(Kind::Target) {
        return map;
    }
    let root = cx.doc.root();
    for node in cx.doc.descendants(root) {
        if !matches!(cx.doc.kind(node), Kind::Reference | Kind::Target) {
            continue;
        }
        if let Some(refid) = cx.doc.attrs(node).str("refid") {
            map.entry(refid.to_string()).or_default().push(node);
        }
    }
    map
}

/// docutils' `IndirectHyperlinks` (460).
pub(crate) fn indirect_hyperlinks(cx: &mut Context<'_>) {
    // Resolved references are skipped through `cx.resolved`, so the maps
    // can be built once for the whole transform.
    let names = build_refnames(cx);
    let ids = build_refids(cx);
    cx.ref_cache = Some((Rc::new(names), Rc::new(ids)));
    let indirect: Vec<NodeId> = cx
        .all(Kind::Target)
        .into_iter()
        .filter(|&n| cx.doc.attrs(n).get("refname").is_some())
        .collect();
    for target in indirect {
        if !cx.resolved.contains(&target) {
            let mut in_progress = std::collections::HashSet::new();
            resolve_indirect_target(cx, target, &mut in_progress);
        }
        resolve_indirect_references(cx, target, 0);
    }
    cx.ref_cache = None;
}

/// Chains of indirect targets longer than this are reported as circular
/// (the resolution recurses once per link).
const MAX_INDIRECT_CHAIN: usize = 1000;

/// docutils' `resolve_indirect_target`; `in_progress` plays the part of
/// docutils' `multiply_indirect` marks (a target met again while its own
/// resolution is under way forms a circle).
fn resolve_indirect_target(
    cx: &mut Context<'_>,
    target: NodeId,
    in_progress: &mut std::collections::HashSet<NodeId>,
) {
    let refname = cx.doc.attrs(target).str("refname").map(str::to_string);
    let reftarget_id = match &refname {
        None => cx.doc.attrs(target).str("refid").map(str::to_string),
        Some(name) => match cx.state.targets.nameids.get(name).cloned().flatten() {
            Some(id) => Some(id),
            None => {
                nonexistent_indirect_target(cx, target);
                return;
            }
        },
    };
    let Some(reftarget_id) = reftarget_id else {
        return;
    };
    let Some(reftarget) = cx.state.targets.ids.get(&reftarget_id).copied() else {
        nonexistent_indirect_target(cx, target);
        return;
    };
    if cx.doc.kind(reftarget) == Kind::Target
        && !cx.resolved.contains(&reftarget)
        && cx.doc.attrs(reftarget).get("refname").is_some()
    {
        if in_progress.contains(&target) || in_progress.len() >= MAX_INDIRECT_CHAIN {
            indirect_target_error(cx, target, "forming a circular reference");
            return;
        }
        in_progress.insert(target);
        resolve_indirect_target(cx, reftarget, in_progress);
        in_progress.remove(&target);
    }
    let reftarget_attrs = cx.doc.attrs(reftarget).clone();
    if let Some(refuri) = reftarget_attrs.str("refuri") {
        let attrs = cx.doc.attrs_mut(target);
        attrs.set("refuri", refuri.to_string());
        attrs.remove("refid");
    } else if let Some(refid) = reftarget_attrs.str("refid") {
        cx.doc.attrs_mut(target).set("refid", refid.to_string());
    } else if !reftarget_attrs.list("ids").is_empty() {
        cx.doc.attrs_mut(target).set("refid", reftarget_id);
    } else {
        nonexistent_indirect_target(cx, target);
        return;
    }
    if refname.is_some() {
        cx.doc.attrs_mut(target).remove("refname");
    }
    cx.resolved.insert(target);
}

fn nonexistent_indirect_target(cx: &mut Context<'_>, target: NodeId) {
    let refname = cx
        .doc
        .attrs(target)
        .str("refname")
        .unwrap_or_default()
        .to_string();
    if cx.state.targets.nameids.contains_key(&refname) {
        indirect_target_error(
            cx,
            target,
            "which is a duplicate, and cannot be used as a unique reference",
        );
    } else {
        indirect_target_error(cx, target, "which does not exist");
    }
}

fn indirect_target_error(cx: &mut Context<'_>, target: NodeId, explanation: &str) {
    let attrs = cx.doc.attrs(target).clone();
    let mut naming = String::new();
    if let Some(name) = attrs.list("names").first() {
        naming = format!("\"{name}\" ");
    }
    let names_map = refnames(cx);
    let ids_map = refids(cx);
    let mut reflist: Vec<NodeId> = Vec::new();
    for name in attrs.list("names") {
        reflist.extend(names_map.get(name).into_iter().flatten().copied());
    }
    for id in attrs.list("ids") {
        reflist.extend(ids_map.get(id).into_iter().flatten().copied());
    }
    if let Some(id) = attrs.list("ids").first() {
        naming.push_str(&format!("(id=\"{id}\")"));
    }
    let refname = attrs.str("refname").unwrap_or_default();
    let message =
        format!("Indirect hyperlink target {naming}refers to target \"{refname}\", {explanation}.");
    let span = cx.doc.span(target);
    let msg = cx.report(3, "rst/indirect-target", &message, span);
    cx.state.set_id(cx.doc, msg, None, "");
    let mut seen = std::collections::HashSet::new();
    for reference in reflist {
        if seen.insert(reference)
            && cx.doc.parent(reference).is_some()
            && !cx.is_replaced(reference)
            && reference != target
        {
            cx.replace_with_problematic(reference, msg, false);
        }
    }
    cx.resolved.insert(target);
}

fn resolve_indirect_references(cx: &mut Context<'_>, target: NodeId, depth: usize) {
    if depth > 32 {
        return;
    }
    let attrs = cx.doc.attrs(target).clone();
    let (attname, value) = if let Some(refid) = attrs.str("refid") {
        ("refid", refid.to_string())
    } else if let Some(refuri) = attrs.str("refuri") {
        ("refuri", refuri.to_string())
    } else {
        return;
    };
    let names_map = refnames(cx);
    let mut chained = Vec::new();
    for name in attrs.list("names") {
        for &reference in names_map.get(name).into_iter().flatten() {
            if cx.resolved.contains(&reference) {
                continue;
            }
            let reference_attrs = cx.doc.attrs_mut(reference);
            reference_attrs.remove("refname");
            reference_attrs.set(attname, value.clone());
            cx.resolved.insert(reference);
            if cx.doc.kind(reference) == Kind::Target {
                chained.push(reference);
            }
        }
    }
    let ids_map = refids(cx);
    for id in attrs.list("ids") {
        for &reference in ids_map.get(id).into_iter().flatten() {
            if cx.resolved.contains(&reference) {
                continue;
            }
            let reference_attrs = cx.doc.attrs_mut(reference);
            reference_attrs.remove("refid");
            reference_attrs.set(attname, value.clone());
            cx.resolved.insert(reference);
            if cx.doc.kind(reference) == Kind::Target {
                chained.push(reference);
            }
        }
    }
    for next in chained {
        resolve_indirect_references(cx, next, depth + 1);
    }
}

/// docutils' `ExternalTargets` (640).
pub(crate) fn external_targets(cx: &mut Context<'_>) {
    let names_map = refnames(cx);
    for target in cx.all(Kind::Target) {
        let attrs = cx.doc.attrs(target).clone();
        let Some(refuri) = attrs.str("refuri") else {
            continue;
        };
        for name in attrs.list("names") {
            for &reference in names_map.get(name).into_iter().flatten() {
                if cx.resolved.contains(&reference) {
                    continue;
                }
                let reference_attrs = cx.doc.attrs_mut(reference);
                reference_attrs.remove("refname");
                reference_attrs.set("refuri", refuri.to_string());
                cx.resolved.insert(reference);
            }
        }
    }
}

/// docutils' `InternalTargets` (660).
pub(crate) fn internal_targets(cx: &mut Context<'_>) {
    let names_map = refnames(cx);
    for target in cx.all(Kind::Target) {
        let attrs = cx.doc.attrs(target).clone();
        if attrs.get("refuri").is_some() || attrs.get("refid").is_some() {
            continue;
        }
        for name in attrs.list("names") {
            let refid = cx.state.targets.nameids.get(name).cloned().flatten();
            for &reference in names_map.get(name).into_iter().flatten() {
                if cx.resolved.contains(&reference) {
                    continue;
                }
                if let Some(refid) = &refid {
                    let reference_attrs = cx.doc.attrs_mut(reference);
                    reference_attrs.remove("refname");
                    reference_attrs.set("refid", refid.clone());
                }
                cx.resolved.insert(reference);
            }
        }
    }
}

const SYMBOLS: [&str; 10] = [
    "*", "\u{2020}", "\u{2021}", "\u{a7}", "\u{b6}", "#", "\u{2660}", "\u{2665}", "\u{2666}",
    "\u{2663}",
];

/// docutils' `Footnotes` (620): number auto-numbered and symbol footnotes,
/// label their references, and link footnotes/citations with their refs.
pub(crate) fn footnotes(cx: &mut Context<'_>) {
    let footnote_nodes = cx.all(Kind::Footnote);
    let reference_nodes = cx.all(Kind::FootnoteReference);
    // Footnotes the transforms added (target notes) come after the parsed ones.
    let (parsed, generated): (Vec<NodeId>, Vec<NodeId>) = footnote_nodes
        .into_iter()
        .partition(|n| n.index() < cx.parsed_nodes);
    let footnote_nodes: Vec<NodeId> = parsed.into_iter().chain(generated).collect();
    let auto_of = |doc: &Document, n: NodeId| -> Option<String> {
        match doc.attrs(n).get("auto") {
            Some(Value::Int(_)) => Some("1".to_string()),
            Some(Value::Str(s)) => Some(s.clone()),
            Some(Value::Bool(true)) => Some("1".to_string()),
            _ => None,
        }
    };
    let autofootnotes: Vec<NodeId> = footnote_nodes
        .iter()
        .copied()
        .filter(|&n| auto_of(cx.doc, n).as_deref() == Some("1"))
        .collect();
    let symbol_footnotes: Vec<NodeId> = footnote_nodes
        .iter()
        .copied()
        .filter(|&n| auto_of(cx.doc, n).as_deref() == Some("*"))
        .collect();
    let manual_footnotes: Vec<NodeId> = footnote_nodes
        .iter()
        .copied()
        .filter(|&n| auto_of(cx.doc, n).is_none())
        .collect();
    let mut registered_refs = cx.registered(Kind::FootnoteReference);
    registered_refs.extend(cx.generated_footnote_refs.iter().copied());
    let autofootnote_refs: Vec<NodeId> = registered_refs
        .iter()
        .copied()
        .filter(|&n| auto_of(cx.doc, n).as_deref() == Some("1"))
        .collect();
    let symbol_refs: Vec<NodeId> = registered_refs
        .iter()
        .copied()
        .filter(|&n| auto_of(cx.doc, n).as_deref() == Some("*"))
        .collect();
    let mut footnote_refs: HashMap<String, Vec<NodeId>> = HashMap::new();
    for &reference in &reference_nodes {
        if let Some(refname) = cx.doc.attrs(reference).str("refname") {
            footnote_refs
                .entry(refname.to_string())
                .or_default()
                .push(reference);
        }
    }

    // number_footnotes
    let mut number = 1usize;
    let mut auto_labels: Vec<String> = Vec::new();
    for &footnote in &autofootnotes {
        let label = loop {
            let label = number.to_string();
            number += 1;
            if !cx.state.targets.nameids.contains_key(&label) {
                break label;
            }
        };
        let span = cx.doc.span(footnote);
        let label_node = cx.doc.create(Kind::Label, span);
        cx.doc.push_text(label_node, label.clone(), span);
        cx.doc.insert(footnote, 0, label_node);
        let names: Vec<String> = cx.doc.attrs(footnote).list("names").to_vec();
        for name in &names {
            for &reference in footnote_refs.get(name).into_iter().flatten() {
                cx.doc.push_text(reference, label.clone(), span);
                cx.doc.attrs_mut(reference).remove("refname");
                if let Some(id) = cx.doc.attrs(footnote).list("ids").first().cloned() {
                    cx.doc.attrs_mut(reference).set("refid", id);
                }
                if let Some(ref_id) = cx.doc.attrs(reference).list("ids").first().cloned() {
                    cx.doc.attrs_mut(footnote).push("backrefs", ref_id);
                }
                cx.resolved.insert(reference);
            }
        }
        let has_dupnames = !cx.doc.attrs(footnote).list("dupnames").is_empty();
        if names.is_empty() && !has_dupnames {
            cx.doc.attrs_mut(footnote).push("names", label.clone());
            let holder = footnote;
            cx.state
                .note_explicit_target(cx.doc, footnote, Some(holder));
            auto_labels.push(label);
        }
    }

    // number_footnote_references
    let mut next_label = 0usize;
    for (position, &reference) in autofootnote_refs.iter().enumerate() {
        if cx.resolved.contains(&reference) || cx.doc.attrs(reference).get("refid").is_some() {
            continue;
        }
        let Some(label) = auto_labels.get(next_label).cloned() else {
            let message = format!(
                "Too many autonumbered footnote references: only {} corresponding footnotes available.",
                auto_labels.len()
            );
            let span = cx.doc.span(reference);
            let msg = cx.report(3, "rst/footnote-references", &message, span);
            cx.state.set_id(cx.doc, msg, None, "");
            for &extra in autofootnote_refs.get(position..).unwrap_or(&[]) {
                if cx.resolved.contains(&extra) || cx.doc.attrs(extra).get("refname").is_some() {
                    continue;
                }
                cx.replace_with_problematic(extra, msg, false);
            }
            break;
        };
        let span = cx.doc.span(reference);
        cx.doc.push_text(reference, label.clone(), span);
        let id = cx.state.targets.nameids.get(&label).cloned().flatten();
        if let Some(id) = id {
            cx.doc.attrs_mut(reference).set("refid", id.clone());
            if let Some(footnote) = cx.state.targets.ids.get(&id).copied() {
                if let Some(ref_id) = cx.doc.attrs(reference).list("ids").first().cloned() {
                    cx.doc.attrs_mut(footnote).push("backrefs", ref_id);
                }
            }
        }
        cx.resolved.insert(reference);
        next_label += 1;
    }

    // symbolize_footnotes
    let mut labels: Vec<String> = Vec::new();
    for (index, &footnote) in symbol_footnotes.iter().enumerate() {
        let symbol = SYMBOLS.get(index % SYMBOLS.len()).copied().unwrap_or("*");
        let label = symbol.repeat(index / SYMBOLS.len() + 1);
        labels.push(label.clone());
        let span = cx.doc.span(footnote);
        let label_node = cx.doc.create(Kind::Label, span);
        cx.doc.push_text(label_node, label, span);
        cx.doc.insert(footnote, 0, label_node);
        cx.state.set_id(cx.doc, footnote, None, "");
    }
    for (index, &reference) in symbol_refs.iter().enumerate() {
        let Some(label) = labels.get(index).cloned() else {
            let message = format!(
                "Too many symbol footnote references: only {} corresponding footnotes available.",
                labels.len()
            );
            let span = cx.doc.span(reference);
            let msg = cx.report(3, "rst/footnote-references", &message, span);
            cx.state.set_id(cx.doc, msg, None, "");
            for &extra in symbol_refs.get(index..).unwrap_or(&[]) {
                if cx.resolved.contains(&extra) || cx.doc.attrs(extra).get("refid").is_some() {
                    continue;
                }
                cx.replace_with_problematic(extra, msg, false);
            }
            break;
        };
        let span = cx.doc.span(reference);
        cx.doc.push_text(reference, label, span);
        if let Some(&footnote) = symbol_footnotes.get(index) {
            if let Some(id) = cx.doc.attrs(footnote).list("ids").first().cloned() {
                cx.doc.attrs_mut(reference).set("refid", id);
            }
            if let Some(ref_id) = cx.doc.attrs(reference).list("ids").first().cloned() {
                cx.doc.attrs_mut(footnote).push("backrefs", ref_id);
            }
        }
    }

    // resolve_footnotes_and_citations
    for &footnote in &manual_footnotes {
        let names: Vec<String> = cx.doc.attrs(footnote).list("names").to_vec();
        for name in names {
            let refs = footnote_refs.get(&name).cloned().unwrap_or_default();
            resolve_note_references(cx, footnote, &refs);
        }
    }
    let mut citation_refs: HashMap<String, Vec<NodeId>> = HashMap::new();
    for reference in cx.all(Kind::CitationReference) {
        if let Some(refname) = cx.doc.attrs(reference).str("refname") {
            citation_refs
                .entry(refname.to_string())
                .or_default()
                .push(reference);
        }
    }
    for citation in cx.all(Kind::Citation) {
        let names: Vec<String> = cx.doc.attrs(citation).list("names").to_vec();
        for name in names {
            let refs = citation_refs.get(&name).cloned().unwrap_or_default();
            resolve_note_references(cx, citation, &refs);
        }
    }
}

fn resolve_note_references(cx: &mut Context<'_>, note: NodeId, references: &[NodeId]) {
    let Some(id) = cx.doc.attrs(note).list("ids").first().cloned() else {
        return;
    };
    for &reference in references {
        if cx.resolved.contains(&reference) {
            continue;
        }
        cx.doc.attrs_mut(reference).remove("refname");
        cx.doc.attrs_mut(reference).set("refid", id.clone());
        if let Some(ref_id) = cx.doc.attrs(reference).list("ids").first().cloned() {
            cx.doc.attrs_mut(note).push("backrefs", ref_id);
        }
        cx.resolved.insert(reference);
    }
}

/// docutils' `DanglingReferences` (850): references whose name matches no
/// target become problematic.
pub(crate) fn dangling_references(cx: &mut Context<'_>) {
    let root = cx.doc.root();
    let candidates: Vec<NodeId> = cx
        .doc
        .descendants(root)
        .filter(|&n| {
            matches!(
                cx.doc.kind(n),
                Kind::Reference | Kind::FootnoteReference | Kind::CitationReference
            )
        })
        .collect();
    for node in candidates {
        if cx.resolved.contains(&node) || cx.doc.parent(node).is_none() || cx.is_replaced(node) {
            continue;
        }
        let Some(refname) = cx.doc.attrs(node).str("refname").map(str::to_string) else {
            continue;
        };
        match cx.state.targets.nameids.get(&refname).cloned().flatten() {
            Some(id) => {
                let attrs = cx.doc.attrs_mut(node);
                attrs.remove("refname");
                attrs.set("refid", id);
                cx.resolved.insert(node);
            }
            None if problem_budget_spent(cx.state) => {
                // Past the problem budget: keep the reference's text only.
                let span = cx.doc.span(node);
                let text = cx.doc.text_content(node);
                let replacement = cx.doc.create_text(text, span);
                cx.replace_later(node, vec![replacement]);
            }
            None => {
                let message = if cx.state.targets.nameids.contains_key(&refname) {
                    format!("Duplicate target name, cannot be used as a unique reference: \"{refname}\".")
                } else {
                    format!("Unknown target name: \"{refname}\".")
                };
                let span = cx.doc.span(node);
                let msg = cx.report(3, "rst/unknown-target", &message, span);
                cx.state.set_id(cx.doc, msg, None, "");
                cx.replace_with_problematic(node, msg, true);
            }
        }
    }
}
