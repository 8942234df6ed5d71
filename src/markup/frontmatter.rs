//! YAML (`---`) and TOML (`+++`) front matter at the top of Markdown files.
//!
//! (Stub: filled in by the Markdown work.)

use crate::source::Span;

/// Which syntax the front matter was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontMatterFormat {
    Yaml,
    Toml,
}

/// Parsed front matter, with where each top-level key was written.
#[derive(Clone, Debug)]
pub struct FrontMatter {
    pub format: FrontMatterFormat,
    /// The whole block, delimiters included.
    pub span: Span,
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Span of each top-level key's line, for "status came from file:line".
    pub key_spans: Vec<(String, Span)>,
}

impl FrontMatter {
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.key_spans
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, span)| *span)
    }
}
