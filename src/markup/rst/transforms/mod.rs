//! docutils' standard transforms: the step from the parsed tree
//! (`Stage::Parse`) to the tree docutils' writers see (`Stage::Full`).
//!
//! The block and inline parsers leave references unresolved (`refname`),
//! footnotes unnumbered, substitutions unreplaced and directives such as
//! `contents` as `<pending>` nodes, exactly as docutils' parser does. This
//! module applies the transforms docutils' standalone reader runs, in
//! docutils' priority order, so the result matches `docutils
//! --writer=pseudoxml` (and therefore what readers see in HTML).
//!
//! Each transform is a function over the whole tree; docutils' document
//! bookkeeping (`refnames`, `footnote_refs`, ...) is recomputed from the
//! tree in document order when a transform needs it, so the parser does
//! not have to register anything beyond ids and names (`ParserState`).

mod frontmatter;
mod misc;
mod parts;
mod references;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::state::ParserState;
use crate::markup::doc::{Document, Kind, NodeId};
use crate::source::Span;

/// Apply the standard transforms (docutils' order and priorities).
pub fn apply(doc: &mut Document, state: &mut ParserState) {
    let parsed_nodes = doc.len();
    let mut cx = Context {
        parsed_nodes,
        doc,
        state,
        resolved: HashSet::new(),
        loose_messages: Vec::new(),
        generated_footnote_refs: Vec::new(),
        kinds_seen: [false; KIND_SLOTS],
        scanned: 0,
        replacements: Vec::new(),
        replaced: HashSet::new(),
        ref_cache: None,
    };
    let transforms: [fn(&mut Context<'_>); 16] = [
        misc::class_attribute,            // 210
        references::substitutions,        // 220
        references::propagate_targets,    // 260
        frontmatter::doc_title,           // 320
        frontmatter::doc_info,            // 340
        references::anonymous_hyperlinks, // 440
        references::indirect_hyperlinks,  // 460
        parts::target_notes,              // 540
        references::footnotes,            // 620
        references::external_targets,     // 640
        references::internal_targets,     // 660
        parts::sectnum,                   // 710
        parts::contents,                  // 720
        misc::transitions,                // 830
        references::dangling_references,  // 850
        misc::messages,                   // 860
    ];
    for transform in transforms {
        transform(&mut cx);
        cx.flush_replacements();
    }
}

/// What the transforms share: the tree, the parser state, docutils'
/// `resolved` flags and the messages created by transforms.
pub(crate) struct Context<'a> {
    /// Nodes created by the parser (arena indices below this); docutils
    /// registers footnote references when parsing, so references the parser
    /// created and then dropped still take part in footnote numbering.
    pub parsed_nodes: usize,
    pub doc: &'a mut Document,
    pub state: &'a mut ParserState,
    /// Nodes docutils marks `resolved = 1`.
    pub resolved: HashSet<NodeId>,
    /// Messages reported by transforms; those still detached at the end
    /// go into the "Docutils System Messages" section.
    pub loose_messages: Vec<NodeId>,
    /// Footnote references created by transforms (`target-notes`), which
    /// docutils registers after the parsed ones.
    pub generated_footnote_refs: Vec<NodeId>,
    /// Which element kinds exist in the arena (scanned up to `scanned`), so
    /// transforms for absent kinds skip their tree walk.
    kinds_seen: [bool; KIND_SLOTS],
    scanned: usize,
    /// Replacements not yet applied: replacing one by one would be
    /// quadratic in a paragraph with thousands of broken references.
    replacements: Vec<(NodeId, Vec<NodeId>)>,
    /// Nodes already scheduled for replacement.
    replaced: HashSet<NodeId>,
    /// `refnames` / `refids` maps frozen for the duration of one transform
    /// that would otherwise rebuild them per target.
    pub ref_cache: Option<(Rc<RefMap>, Rc<RefMap>)>,
}

/// Name or id → the nodes referring to it.
pub(crate) type RefMap = HashMap<String, Vec<NodeId>>;

/// More than the number of [`Kind`] variants.
const KIND_SLOTS: usize = 256;

impl Context<'_> {
    /// A detached system message reported by a transform.
    pub fn report(&mut self, level: u8, code: &'static str, message: &str, span: Span) -> NodeId {
        let msg = self
            .state
            .system_message(self.doc, level, code, message, span, None);
        self.loose_messages.push(msg);
        msg
    }

    /// The source text of an inline node (docutils' `rawsource`); elements
    /// built by directives (an image's link) have none.
    pub fn rawsource(&self, node: NodeId) -> String {
        let inline = self
            .doc
            .parent(node)
            .is_some_and(|p| references::is_text_element(self.doc.kind(p)));
        if !inline && self.doc.kind(node) != Kind::Target {
            return String::new();
        }
        let span = self.doc.span(node);
        self.state
            .source
            .get(span.start..span.end)
            .unwrap_or_default()
            .trim_end()
            .to_string()
    }

    /// Replace `node` by a `<problematic>` linked to `msg` (docutils'
    /// pattern for references that cannot be resolved).
    pub fn replace_with_problematic(&mut self, node: NodeId, msg: NodeId, reuse_id: bool) {
        let msg_id = match self.doc.attrs(msg).list("ids").first() {
            Some(id) => id.clone(),
            None => self.state.set_id(self.doc, msg, None, ""),
        };
        let raw = self.rawsource(node);
        let span = self.doc.span(node);
        let problematic = self.doc.create(Kind::Problematic, span);
        self.doc.attrs_mut(problematic).set("refid", msg_id);
        self.doc.push_text(problematic, raw, span);
        let existing = if reuse_id {
            self.doc.attrs(node).list("ids").first().cloned()
        } else {
            None
        };
        let problematic_id = match existing {
            Some(id) => id,
            None => self.state.set_id(self.doc, problematic, None, ""),
        };
        self.doc.attrs_mut(msg).push("backrefs", problematic_id);
        // docutils' `replace_self` hands the basic attributes on.
        for name in ["ids", "classes", "names", "dupnames"] {
            let values: Vec<String> = self.doc.attrs(node).list(name).to_vec();
            for value in values {
                if !self.doc.attrs(problematic).list(name).contains(&value) {
                    self.doc.attrs_mut(problematic).push(name, value);
                }
            }
        }
        self.replace_later(node, vec![problematic]);
    }

    /// Schedule `node` to be replaced by `new` (detached nodes) at the next
    /// [`Context::flush_replacements`].
    pub fn replace_later(&mut self, node: NodeId, new: Vec<NodeId>) {
        if self.replaced.insert(node) {
            self.replacements.push((node, new));
        }
    }

    /// Has `node` been scheduled for replacement (or replaced)?
    pub fn is_replaced(&self, node: NodeId) -> bool {
        self.replaced.contains(&node)
    }

    /// Apply the scheduled replacements, rebuilding each affected parent's
    /// children once.
    pub fn flush_replacements(&mut self) {
        if self.replacements.is_empty() {
            return;
        }
        let mut by_old: HashMap<NodeId, Vec<NodeId>> = HashMap::new();
        let mut parents: Vec<NodeId> = Vec::new();
        let mut seen_parents: HashSet<NodeId> = HashSet::new();
        for (old, new) in std::mem::take(&mut self.replacements) {
            if let Some(parent) = self.doc.parent(old) {
                if seen_parents.insert(parent) {
                    parents.push(parent);
                }
            }
            by_old.insert(old, new);
        }
        for parent in parents {
            let children = std::mem::take(&mut self.doc.get_mut(parent).children);
            let mut rebuilt = Vec::with_capacity(children.len());
            for child in children {
                match by_old.remove(&child) {
                    Some(new) => {
                        self.doc.get_mut(child).parent = None;
                        for node in new {
                            self.doc.detach(node);
                            self.doc.get_mut(node).parent = Some(parent);
                            rebuilt.push(node);
                        }
                    }
                    None => rebuilt.push(child),
                }
            }
            self.doc.get_mut(parent).children = rebuilt;
        }
    }

    /// Nodes of `kind` the parser created, attached or not, in creation order.
    pub fn registered(&self, kind: Kind) -> Vec<NodeId> {
        self.doc
            .all_nodes()
            .take(self.parsed_nodes)
            .filter(|&n| self.doc.kind(n) == kind)
            .collect()
    }

    /// Does any node of `kind` exist (attached or not)?
    pub fn exists(&mut self, kind: Kind) -> bool {
        let total = self.doc.len();
        if self.scanned < total {
            for node in self.doc.all_nodes().skip(self.scanned) {
                if let Some(slot) = self.kinds_seen.get_mut(self.doc.kind(node) as usize) {
                    *slot = true;
                }
            }
            self.scanned = total;
        }
        self.kinds_seen.get(kind as usize).copied().unwrap_or(true)
    }

    /// All attached nodes of `kind`, in document order.
    pub fn all(&mut self, kind: Kind) -> Vec<NodeId> {
        if !self.exists(kind) {
            return Vec::new();
        }
        let root = self.doc.root();
        self.doc
            .descendants(root)
            .filter(|&n| self.doc.kind(n) == kind)
            .collect()
    }
}
