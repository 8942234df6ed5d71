//! Markup: source text in, [`doc::Document`] out.
//!
//! The one stage that knows about formats. Markdown and reStructuredText
//! both parse into the same docutils-vocabulary tree, so every later stage
//! (extraction, linking, rendering) is format-blind. Parsing is a pure
//! function of the text and the options; it never touches the network and
//! reads other files only through the RST engine's checked file access.

pub mod doc;
pub mod frontmatter;
pub mod markdown;
pub mod pseudoxml;
pub mod rst;
pub mod slug;

use crate::diag::Diagnostic;
use crate::source::{Format, SourceFile};
use doc::Document;
use frontmatter::FrontMatter;

/// What to do with raw HTML written in content (Markdown HTML, RST `raw`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RawHtmlPolicy {
    /// Keep it, minus scripts, event handlers and dangerous URLs (GitHub's rules).
    #[default]
    Sanitize,
    /// Show it as text.
    Escape,
    /// Pass it through untouched: only for repositories whose every author is trusted.
    Allow,
}

/// Options that change how text is parsed.
#[derive(Clone, Debug, Default)]
pub struct MarkupOptions {
    pub rst: rst::RstOptions,
}

/// One parsed file.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub doc: Document,
    /// Markdown's YAML/TOML front matter, if the file starts with one.
    pub front_matter: Option<FrontMatter>,
    /// Problems found while parsing, with spans into the file (file name not yet set).
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one source file according to its format.
pub fn parse(source: &SourceFile, options: &MarkupOptions) -> Parsed {
    let mut parsed = match source.format {
        Format::Markdown => markdown::parse(&source.text),
        Format::Rst => {
            let mut rst_options = options.rst.clone();
            rst_options.current_file = Some(source.rel_path.clone());
            rst::parse(&source.text, &rst_options)
        }
    };
    parsed.diagnostics = std::mem::take(&mut parsed.diagnostics)
        .into_iter()
        .map(|diagnostic| diagnostic.in_file(&source.rel_path))
        .collect();
    parsed
}
