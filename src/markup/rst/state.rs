//! State shared by the block parser, the inline parser and the transforms.
//!
//! docutils keeps this on its `document` object and the parser's `memo`
//! (title styles, ids, name maps, substitution definitions, the default
//! role). We keep it in one [`ParserState`] passed by `&mut` through every
//! stage of one file's parse, so the tree itself stays plain data.
//! [`InlineInput`] is how the block parser hands a piece of text to the
//! inline parser together with a map back to source offsets, so inline
//! nodes get real spans even though indentation was removed.

use std::collections::HashMap;
use std::sync::Arc;

use super::ids::make_id;
use super::RstOptions;
use crate::diag::Diagnostic;
use crate::markup::doc::{Document, Kind, NodeId, Value};
use crate::source::Span;

/// Text for the inline parser plus a map from text offsets to source offsets.
#[derive(Clone, Debug, Default)]
pub struct InlineInput {
    /// The lines joined with `\n`, indentation removed.
    pub text: String,
    /// Sorted `(text offset of a line start, source byte offset of that character)`.
    pub map: Vec<(usize, usize)>,
}

impl InlineInput {
    /// Input made of one piece of text starting at `source_offset`.
    pub fn single(text: impl Into<String>, source_offset: usize) -> InlineInput {
        InlineInput {
            text: text.into(),
            map: vec![(0, source_offset)],
        }
    }

    /// The source byte offset of `text_offset`.
    pub fn source_offset(&self, text_offset: usize) -> usize {
        let index = match self.map.binary_search_by(|probe| probe.0.cmp(&text_offset)) {
            Ok(i) => i,
            Err(0) => return self.map.first().map_or(text_offset, |m| m.1),
            Err(i) => i - 1,
        };
        match self.map.get(index) {
            Some(&(text_start, source_start)) => source_start + (text_offset - text_start),
            None => text_offset,
        }
    }

    /// The source span of the text range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let start_offset = self.source_offset(start);
        let end_offset = self.source_offset(end).max(start_offset);
        Span::new(start_offset, end_offset)
    }
}

/// A role defined by the `role` directive.
#[derive(Clone, Debug, Default)]
pub struct CustomRole {
    /// The base role's name; empty for the generic `inline` role.
    pub base: String,
    pub classes: Vec<String>,
    /// Other options (`language`, `format`, ...), as written.
    pub options: Vec<(String, String)>,
}

/// docutils' `document.ids`, `nameids` and `nametypes`.
#[derive(Clone, Debug, Default)]
pub struct Targets {
    pub ids: HashMap<String, NodeId>,
    /// Name → id of the node holding it; `None` when the name is ambiguous.
    pub nameids: HashMap<String, Option<String>>,
    /// Name → whether it was declared explicitly.
    pub nametypes: HashMap<String, bool>,
    /// Counters for auto ids per prefix (`section-`, `footnote-`, ...).
    pub id_counter: HashMap<String, usize>,
}

/// Everything the parse of one file carries besides the tree.
#[derive(Clone, Debug, Default)]
pub struct ParserState {
    pub options: RstOptions,
    /// The whole source text of the file being parsed.
    pub source: Arc<str>,
    /// Set by the `default-role` directive.
    pub default_role: Option<String>,
    pub custom_roles: HashMap<String, CustomRole>,
    /// Set by Sphinx's `highlight` directive.
    pub highlight_language: Option<String>,
    pub targets: Targets,
    /// Exact substitution name → its definition node.
    pub substitution_defs: HashMap<String, NodeId>,
    /// Fully normalised substitution name → exact name.
    pub substitution_names: HashMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Problems beyond [`MAX_DIAGNOSTICS`], reported as one summary.
    pub suppressed_diagnostics: usize,
    /// Line start offsets, built on the first system message (its `line`).
    line_starts: Option<Vec<usize>>,
}

/// Diagnostics kept per file; hostile input can produce millions.
pub const MAX_DIAGNOSTICS: usize = 1000;

const LEVEL_NAMES: [&str; 5] = ["DEBUG", "INFO", "WARNING", "ERROR", "SEVERE"];

impl ParserState {
    pub fn new(options: RstOptions, source: Arc<str>) -> ParserState {
        ParserState {
            options,
            source,
            ..Default::default()
        }
    }

    /// The line number (1-based) of a source offset, for system messages.
    pub fn line_of(&mut self, offset: usize) -> usize {
        let source = &self.source;
        let starts = self.line_starts.get_or_insert_with(|| {
            std::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // Only the line number: no column, which would cost a scan of the line.
        starts.partition_point(|&start| start <= offset).max(1)
    }

    /// Create a detached `<system_message>` as docutils' reporter does, and
    /// record a [`Diagnostic`] for levels ≥ 2.
    pub fn system_message(
        &mut self,
        doc: &mut Document,
        level: u8,
        code: &'static str,
        message: &str,
        span: Span,
        block_text: Option<&str>,
    ) -> NodeId {
        let level = level.min(4);
        let node = doc.create(Kind::SystemMessage, span);
        let attrs = doc.attrs_mut(node);
        attrs.set("level", Value::Int(i64::from(level)));
        attrs.set("line", Value::Int(self.line_of(span.start) as i64));
        attrs.set("source", "test data");
        attrs.set("type", LEVEL_NAMES[usize::from(level)]);
        let paragraph = doc.push(node, Kind::Paragraph, span);
        doc.push_text(paragraph, message, span);
        if let Some(block) = block_text {
            let literal = doc.push(node, Kind::LiteralBlock, span);
            doc.attrs_mut(literal).set("xml:space", "preserve");
            doc.push_text(literal, block, span);
        }
        if level >= 2 && self.diagnostics.len() >= MAX_DIAGNOSTICS {
            self.suppressed_diagnostics += 1;
        } else if level >= 2 {
            let diagnostic = if level == 2 {
                Diagnostic::warning(code, message)
            } else {
                Diagnostic::error(code, message)
            };
            let diagnostic = match help_for(code) {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            };
            self.diagnostics.push(diagnostic.with_span(span));
        }
        node
    }

    /// docutils `document.set_id`: give `node` an id from its names, or an
    /// auto id `<prefix>-<n>`.
    pub fn set_id(
        &mut self,
        doc: &mut Document,
        node: NodeId,
        msgnode: Option<NodeId>,
        suggested_prefix: &str,
    ) -> String {
        let existing = doc.attrs(node).list("ids").to_vec();
        if !existing.is_empty() {
            for id in &existing {
                if let Some(&other) = self.targets.ids.get(id) {
                    if other != node {
                        let span = doc.span(node);
                        let msg = self.system_message(
                            doc,
                            4,
                            "rst/duplicate-id",
                            &format!("Duplicate ID: \"{id}\"."),
                            span,
                            None,
                        );
                        if let Some(msgnode) = msgnode {
                            doc.append(msgnode, msg);
                        }
                    }
                } else {
                    self.targets.ids.insert(id.clone(), node);
                }
            }
            return existing.first().cloned().unwrap_or_default();
        }
        let mut chosen = None;
        let mut base_id = String::new();
        for name in doc.attrs(node).list("names") {
            base_id = make_id(name);
            if !base_id.is_empty() && !self.targets.ids.contains_key(&base_id) {
                chosen = Some(base_id.clone());
                break;
            }
        }
        let id = match chosen {
            Some(id) => id,
            None => {
                let prefix = if !base_id.is_empty() {
                    format!("{base_id}-")
                } else if suggested_prefix.is_empty() {
                    format!("{}-", make_id(doc.kind(node).name()))
                } else {
                    format!("{suggested_prefix}-")
                };
                loop {
                    let counter = self.targets.id_counter.entry(prefix.clone()).or_insert(0);
                    *counter += 1;
                    let candidate = format!("{prefix}{counter}");
                    if !self.targets.ids.contains_key(&candidate) {
                        break candidate;
                    }
                }
            }
        };
        doc.attrs_mut(node).push("ids", id.clone());
        self.targets.ids.insert(id.clone(), node);
        id
    }

    pub fn note_implicit_target(
        &mut self,
        doc: &mut Document,
        node: NodeId,
        msgnode: Option<NodeId>,
    ) {
        let id = self.set_id(doc, node, msgnode, "");
        self.set_name_id_map(doc, node, &id, msgnode, false);
    }

    pub fn note_explicit_target(
        &mut self,
        doc: &mut Document,
        node: NodeId,
        msgnode: Option<NodeId>,
    ) {
        let id = self.set_id(doc, node, msgnode, "");
        self.set_name_id_map(doc, node, &id, msgnode, true);
    }

    fn set_name_id_map(
        &mut self,
        doc: &mut Document,
        node: NodeId,
        id: &str,
        msgnode: Option<NodeId>,
        explicit: bool,
    ) {
        let names = doc.attrs(node).list("names").to_vec();
        for name in names {
            if self.targets.nameids.contains_key(&name) {
                self.set_duplicate_name_id(doc, node, id, &name, msgnode, explicit);
            } else {
                self.targets
                    .nameids
                    .insert(name.clone(), Some(id.to_string()));
                self.targets.nametypes.insert(name, explicit);
            }
        }
    }

    fn set_duplicate_name_id(
        &mut self,
        doc: &mut Document,
        node: NodeId,
        id: &str,
        name: &str,
        msgnode: Option<NodeId>,
        explicit: bool,
    ) {
        let old_id = self.targets.nameids.get(name).cloned().flatten();
        let old_explicit = self.targets.nametypes.get(name).copied().unwrap_or(false);
        self.targets
            .nametypes
            .insert(name.to_string(), old_explicit || explicit);
        let span = doc.span(node);
        if explicit {
            if old_explicit {
                let mut level = 2;
                if let Some(old_node) = old_id.as_ref().and_then(|i| self.targets.ids.get(i)) {
                    let old_node = *old_node;
                    for key in ["refuri", "refname"] {
                        if let Some(value) = doc.attrs(node).str(key) {
                            if !doc.attrs(old_node).list("names").is_empty()
                                && doc.attrs(old_node).str(key) == Some(value)
                            {
                                level = 1;
                            }
                        }
                    }
                    if level > 1 {
                        dupname(doc, old_node, name);
                        self.targets.nameids.insert(name.to_string(), None);
                    }
                }
                let msg = self.system_message(
                    doc,
                    level,
                    "rst/duplicate-target",
                    &format!("Duplicate explicit target name: \"{name}\"."),
                    span,
                    None,
                );
                doc.attrs_mut(msg).push("backrefs", id);
                if let Some(msgnode) = msgnode {
                    doc.append(msgnode, msg);
                }
                dupname(doc, node, name);
            } else {
                self.targets
                    .nameids
                    .insert(name.to_string(), Some(id.to_string()));
                if let Some(old_node) = old_id.as_ref().and_then(|i| self.targets.ids.get(i)) {
                    let old_node = *old_node;
                    dupname(doc, old_node, name);
                }
            }
        } else {
            if let Some(old_node) = old_id.as_ref().and_then(|i| self.targets.ids.get(i)) {
                if !old_explicit {
                    let old_node = *old_node;
                    self.targets.nameids.insert(name.to_string(), None);
                    dupname(doc, old_node, name);
                }
            }
            dupname(doc, node, name);
        }
        if !explicit || (!old_explicit && old_id.is_some()) {
            let msg = self.system_message(
                doc,
                1,
                "rst/duplicate-implicit-target",
                &format!("Duplicate implicit target name: \"{name}\"."),
                span,
                None,
            );
            doc.attrs_mut(msg).push("backrefs", id);
            if let Some(msgnode) = msgnode {
                doc.append(msgnode, msg);
            }
        }
    }
}

/// What the author can do about a problem, by diagnostic code.
fn help_for(code: &str) -> Option<&'static str> {
    Some(match code {
        "rst/unexpected-unindent" | "rst/line-block-unindent" | "rst/table-blank-line" => {
            "add a blank line after the block, or indent the next line to continue it"
        }
        "rst/unexpected-indentation" => {
            "remove the indentation, or put a blank line before the indented block"
        }
        "rst/title-underline-short" | "rst/title-overline-short" => {
            "make the adornment at least as long as the title text"
        }
        "rst/title-mismatch" | "rst/missing-underline" | "rst/incomplete-title"
        | "rst/invalid-title" => "an overlined title needs an identical underline below it",
        "rst/title-level-inconsistent" => {
            "use the adornment styles in the same order as earlier sections (no level may be skipped)"
        }
        "rst/unexpected-title" => {
            "section titles are only allowed at the top level, not inside lists, quotes or directives"
        }
        "rst/malformed-table" => {
            "check that all rows have the same width and the column borders line up"
        }
        "rst/directive-error" => {
            "check the directive's arguments, options and content; files it reads must be regular files inside the repository"
        }
        "rst/unknown-role" => {
            "check the role name for typos, define it with `.. role::`, or enable the Sphinx profile for Sphinx roles"
        }
        "rst/unknown-target" | "rst/indirect-target" => {
            "define the target (`.. _name: URL`) or fix the reference's spelling"
        }
        "rst/undefined-substitution" | "rst/substitution-empty" => {
            "define the substitution with `.. |name| replace:: text`, or fix the reference's spelling"
        }
        "rst/substitution-too-long" | "rst/malformed-substitution" | "rst/substitution-illegal" => {
            "make substitutions refer to plain text, never (directly or indirectly) to themselves"
        }
        "rst/unbalanced-inline" | "rst/interpreted-text" => {
            "close the inline markup with the same characters, or escape the opener with a backslash"
        }
        "rst/short-underline" | "rst/short-overline" => {
            "make the adornment at least as long as the title text"
        }
        "rst/footnote-references" => "add the footnote (`.. [#] text`) or remove the reference",
        "rst/unknown-directive" => {
            "check the directive name for typos, or enable the Sphinx profile for Sphinx directives"
        }
        "rst/duplicate-target" | "rst/duplicate-substitution" => {
            "rename one of the targets so each name is used once"
        }
        "rst/literal-block-expected" => "indent the literal block after the `::` paragraph",
        "rst/too-deep" => "reduce the nesting of lists and block quotes",
        "rst/malformed-target" => "write hyperlink targets as `.. _name: URL`",
        "rst/anonymous-mismatch" => {
            "give every anonymous reference (`text`__) its own `__ URL` target, in the same order"
        }
        "rst/circular-substitution" => {
            "make the substitution end in plain text instead of referring back to itself"
        }
        "rst/citation-empty" => "write the citation's text after `.. [label]`",
        "rst/class-directive" => "give `.. class::` one or more class names as its argument",
        "rst/definition-list-literal" => {
            "end the term without `::`, or make the literal block its own paragraph"
        }
        "rst/docinfo" => "write the field as `:Name: value` with a value docutils can read",
        "rst/duplicate-id" => "rename one of the sections or targets so their ids differ",
        "rst/enumerated-start" => "start the list at 1 (or A, a, I, i), or ignore this note",
        "rst/figure-caption" => {
            "put the caption as a paragraph after a blank line, indented under the figure"
        }
        "rst/literal-block-quoting" => {
            "quote every line of the literal block with the same character"
        }
        "rst/literalinclude" => {
            "point the directive at a regular file inside the repository, by a path relative to this file"
        }
        "rst/meta" => "write meta fields as `:name: content`, one per line",
        "rst/role-error" => "check the role's content: what it names must exist",
        "rst/table-directive" | "rst/table-empty" => {
            "check the table's rows and columns: every row needs the same number of cells"
        }
        "rst/transition" => {
            "put a transition (`----`) only between two paragraphs or sections, never first, last or twice in a row"
        }
        _ => return None,
    })
}

/// Move `name` from `names` to `dupnames`.
pub fn dupname(doc: &mut Document, node: NodeId, name: &str) {
    let attrs = doc.attrs_mut(node);
    attrs.push("dupnames", name);
    let remaining: Vec<String> = attrs
        .list("names")
        .iter()
        .filter(|n| n.as_str() != name)
        .cloned()
        .collect();
    attrs.set("names", Value::List(remaining));
}
