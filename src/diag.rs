//! Diagnostics as data.
//!
//! Every stage returns its value together with a `Vec<Diagnostic>`; nothing
//! prints while the pipeline runs. The build collects all of them and only
//! the front end decides how to show them: annotated source snippets in a
//! terminal, JSON for tools, GitHub annotations, or the `serve` overlay.
//! A diagnostic names its file by repository-relative path and its place by
//! byte span; line and column are resolved against the loaded sources when
//! it is reported.

use crate::source::{LineCol, Span};

/// How bad a problem is. Errors fail the build (exit code 1); warnings fail
/// it only under `--strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A place in a file: repository-relative path and byte span.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub span: Span,
}

/// One problem found in the content, the configuration or the build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code such as `config/unknown-key` or `rst/unknown-directive`.
    pub code: String,
    /// What is wrong, as one sentence.
    pub message: String,
    /// Where, when known. Parsers leave `file` empty and the loader fills it in.
    pub location: Option<Location>,
    /// A short label shown under the marked source text.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code: code.into(),
            message: message.into(),
            location: None,
            label: None,
            help: None,
        }
    }

    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }

    pub fn note(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }

    /// Attach a span in a file not yet named (parsers work on text only).
    pub fn with_span(mut self, span: Span) -> Self {
        let file = self
            .location
            .take()
            .map(|location| location.file)
            .unwrap_or_default();
        self.location = Some(Location { file, span });
        self
    }

    pub fn at(mut self, file: impl Into<String>, span: Span) -> Self {
        self.location = Some(Location {
            file: file.into(),
            span,
        });
        self
    }

    /// Name the file of a diagnostic whose span was set by a parser.
    pub fn in_file(mut self, file: &str) -> Self {
        match &mut self.location {
            Some(location) if location.file.is_empty() => location.file = file.to_string(),
            Some(_) => {}
            None => {
                self.location = Some(Location {
                    file: file.to_string(),
                    span: Span::default(),
                })
            }
        }
        self
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A diagnostic with its line and column resolved, ready to report.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ResolvedLocation {
    pub file: String,
    pub start: LineCol,
    pub end: LineCol,
}

/// Counts by severity, for exit codes and summaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Tally {
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let mut tally = Tally::default();
        for diagnostic in diagnostics {
            match diagnostic.severity {
                Severity::Error => tally.errors += 1,
                Severity::Warning => tally.warnings += 1,
                Severity::Note => tally.notes += 1,
            }
        }
        tally
    }
}
