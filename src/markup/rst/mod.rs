//! reStructuredText parser faithful to docutils.
//!
//! (Stub: filled in by the RST work; see shared/DESIGN.md §3.)

use super::doc::{Document, Kind};
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
}

/// Parse reStructuredText into a document tree.
pub fn parse(text: &str, options: &RstOptions) -> Parsed {
    let _ = options;
    let mut doc = Document::new(Span::new(0, text.len()));
    let root = doc.root();
    let block = doc.push(root, Kind::LiteralBlock, Span::new(0, text.len()));
    doc.push_text(block, text, Span::new(0, text.len()));
    Parsed {
        doc,
        front_matter: None,
        diagnostics: Vec::new(),
    }
}

/// Parse and print as docutils pseudo-XML (for `specsite rst-tree`).
pub fn rst_tree(input: &str, stage: Stage, sphinx: bool) -> String {
    let options = RstOptions {
        stage,
        sphinx,
        ..Default::default()
    };
    super::pseudoxml::print(&parse(input, &options).doc)
}
