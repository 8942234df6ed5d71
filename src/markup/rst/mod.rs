//! reStructuredText parser faithful to docutils.
//!
//! Pipeline position: `markup::parse` calls [`parse`] for `.rst` files; the
//! result is a docutils-vocabulary [`Document`] plus diagnostics. The engine
//! is split like docutils: [`block`] (docutils' `states.py` line-by-line
//! state machine, with [`explicit`], [`directives`], [`tables`] and
//! [`options`]), [`inline`] (inline markup and [`roles`]), and
//! [`transforms`] (docutils' standard transforms, run for [`Stage::Full`]).
//! [`state::ParserState`] carries what they share. See
//! shared/DESIGN.md §3 and `INTERFACE.md` in this directory.

mod block;
mod codetokens;
mod directives;
mod explicit;
mod files;
pub mod ids;
pub mod inline;
mod lines;
mod options;
pub mod roles;
mod sphinx;
pub mod state;
mod tables;
pub mod transforms;

use std::sync::Arc;

use super::doc::Document;
use super::Parsed;
use crate::source::Span;

/// How far to take a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    /// The tree right after parsing (docutils' `parse()`), before transforms.
    Parse,
    /// After docutils' standard transforms (what `docutils --writer=pseudoxml` prints).
    #[default]
    Full,
}

/// Options for the RST parser.
#[derive(Clone, Debug, Default)]
pub struct RstOptions {
    pub stage: Stage,
    /// Accept Sphinx's roles and directives (SPHINX.md forms).
    pub sphinx: bool,
    /// Repository root that `include` and friends may read inside; `None`
    /// disables file access altogether.
    pub root: Option<std::path::PathBuf>,
    /// Repository-relative path of the file being parsed (for relative includes).
    pub current_file: Option<String>,
    /// Directive names rendered as `<generic_directive>` (SPHINX.md,
    /// configured per repository, e.g. the PEPs' `canonical-doc`).
    pub generic_directives: Vec<String>,
    /// Read a leading block of `Key: value` lines (PEP-style RFC 2822
    /// headers: `Spec: 12`, `BIP: 9`, …) as the header field list even when
    /// the first key is not `PEP`. Off for conformance output, which follows
    /// docutils; on in the site, where such headers are a metadata convention.
    pub any_header_block: bool,
    /// Sphinx `extlinks` roles (SPHINX.md, configured per repository).
    pub extlinks: Vec<roles::Extlink>,
}

impl RstOptions {
    /// SPHINX.md's `peps` preset (python/peps): its extlinks and generic directives.
    pub fn with_peps_preset(mut self) -> RstOptions {
        self.sphinx = true;
        self.extlinks.extend(
            [
                "cpython-issue=https://github.com/python/cpython/issues/%s|python/cpython#%s",
                "cpython-pr=https://github.com/python/cpython/pull/%s|python/cpython#%s",
                "pypi=https://pypi.org/project/%s/|%s",
            ]
            .iter()
            .filter_map(|spec| roles::Extlink::parse(spec)),
        );
        self.generic_directives.extend(
            [
                "canonical-doc",
                "canonical-pypa-spec",
                "canonical-typing-spec",
                "rejected",
                "superseded",
                "withdrawn",
            ]
            .map(String::from),
        );
        self
    }
}

/// Parse reStructuredText into a document tree.
pub fn parse(text: &str, options: &RstOptions) -> Parsed {
    let mut doc = Document::new(Span::new(0, text.len()));
    let mut state = state::ParserState::new(options.clone(), Arc::from(text));
    let store = lines::split(text);
    let source_lines: Vec<lines::Line<'_>> = store
        .iter()
        .map(|(line, offset)| lines::Line::new(line.as_ref(), *offset))
        .collect();
    {
        let mut parser = block::Parser::new(&mut doc, &mut state);
        let root = parser.doc.root();
        let is_pep = options.sphinx
            && source_lines.first().is_some_and(|first| {
                first.text.strip_prefix("PEP:").is_some_and(|rest| {
                    let rest = rest.trim();
                    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
                })
            });
        let start =
            if is_pep || (options.any_header_block && looks_like_header_block(&source_lines)) {
                parser.rfc2822_header(&source_lines, root)
            } else {
                0
            };
        parser.parse_body(source_lines.get(start..).unwrap_or(&[]), root, true);
    }
    if options.stage == Stage::Full {
        transforms::apply(&mut doc, &mut state);
    }
    // Lines with tabs are parsed tab-expanded (docutils' columns), so a
    // position inside one can run past the line's bytes in the source, and
    // past the end of the file on its last line. Keep every span inside
    // the source, so whoever slices the text with it stays in bounds.
    let nodes: Vec<_> = doc.all_nodes().collect();
    for node in nodes {
        let span = doc.span(node).clamp_to(text.len());
        doc.get_mut(node).span = span;
    }
    let mut diagnostics = std::mem::take(&mut state.diagnostics);
    for diagnostic in &mut diagnostics {
        if let Some(location) = &mut diagnostic.location {
            location.span = location.span.clamp_to(text.len());
        }
    }
    if state.suppressed_diagnostics > 0 {
        diagnostics.push(
            crate::diag::Diagnostic::warning(
                "rst/too-many-problems",
                format!(
                    "{} more problems in this file are not listed",
                    state.suppressed_diagnostics
                ),
            )
            .with_span(Span::at(0))
            .with_help("fix the problems listed first; later ones are often consequences"),
        );
    }
    Parsed {
        doc,
        front_matter: None,
        diagnostics,
    }
}

/// Whether the document opens with an RFC 2822 header block: at least two
/// `Key: value` lines (continuations indented) before the first blank line,
/// with nothing else in between. A field list (`:Key: value`) or a sentence
/// with a colon in it does not qualify.
fn looks_like_header_block(lines: &[lines::Line<'_>]) -> bool {
    let mut fields = 0;
    for (index, line) in lines.iter().enumerate() {
        let text = line.text;
        if text.trim().is_empty() {
            break;
        }
        if text.starts_with([' ', '\t']) && index > 0 {
            continue;
        }
        let Some((key, _)) = text.split_once(':') else {
            return false;
        };
        let is_key = !key.is_empty()
            && key.len() <= 40
            && key.starts_with(|c: char| c.is_ascii_alphabetic())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !is_key {
            return false;
        }
        fields += 1;
    }
    fields >= 2
}

/// Parse and print as docutils pseudo-XML (for `rst-tree` and the conformance check).
pub fn rst_tree(input: &str, stage: Stage, sphinx: bool) -> String {
    let options = RstOptions {
        stage,
        sphinx,
        ..Default::default()
    };
    let parsed = parse(input, &options);
    super::pseudoxml::print(&parsed.doc)
}
