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

use std::collections::HashSet;

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
    };
    misc::class_attribute(&mut cx); // 210
    references::substitutions(&mut cx); // 220
    references::propagate_targets(&mut cx); // 260
    frontmatter::doc_title(&mut cx); // 320
    frontmatter::doc_info(&mut cx); // 340
    references::anonymous_hyperlinks(&mut cx); // 440
    references::indirect_hyperlinks(&mut cx); // 460
    parts::target_notes(&mut cx); // 540
    references::footnotes(&mut cx); // 620
    references::external_targets(&mut cx); // 640
    references::internal_targets(&mut cx); // 660
    parts::sectnum(&mut cx); // 710
    parts::contents(&mut cx); // 720
    misc::transitions(&mut cx); // 830
    references::dangling_references(&mut cx); // 850
    misc::messages(&mut cx); // 860
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
}

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
        self.doc.replace(node, problematic);
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
