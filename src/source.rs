//! Source files and positions.
//!
//! Every stage after loading refers to text by byte [`Span`]s into a
//! [`SourceFile`]; line and column numbers are computed only when a human
//! (or CI) needs them, through a [`LineIndex`]. Keeping spans as plain byte
//! ranges makes them cheap to carry on every node of every document.

use std::path::PathBuf;
use std::sync::Arc;

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// An empty span at `offset`, for things that have a position but no extent.
    pub const fn at(offset: usize) -> Span {
        Span {
            start: offset,
            end: offset,
        }
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// This span moved by `delta` bytes (used when a sub-parser works on a slice).
    pub fn offset_by(self, delta: usize) -> Span {
        Span {
            start: self.start + delta,
            end: self.end + delta,
        }
    }

    /// Clamp the span so it lies inside a text of `len` bytes.
    pub fn clamp_to(self, len: usize) -> Span {
        let start = self.start.min(len);
        Span {
            start,
            end: self.end.clamp(start, len),
        }
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

/// Byte offsets of line starts, for turning offsets into [`LineCol`].
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    /// The line and column of byte `offset` in `text` (which must be the text
    /// this index was built from). Offsets past the end map to the last position.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let mut end = offset;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text[start..end].chars().count() + 1;
        LineCol {
            line: line + 1,
            col,
        }
    }

    /// Byte offset where 1-based `line` starts, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|i| self.line_starts.get(i))
            .copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// What kind of markup a source file holds, decided from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Markdown,
    Rst,
}

/// What a file is to the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileRole {
    /// A proposal: gets a page and a place in the indexes.
    Spec,
    /// The template specs are written from: read (for conformance checks), not published.
    Template,
    /// A Sphinx index page (`index.rst`) that lists specs: read for metadata, not a spec.
    Index,
}

/// One file read from the repository, immutable once loaded.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the repository root, with `/` separators.
    pub rel_path: String,
    /// Absolute path on disk (for error messages about I/O only; never shown in output).
    pub abs_path: PathBuf,
    pub format: Format,
    pub role: FileRole,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(
        rel_path: String,
        abs_path: PathBuf,
        format: Format,
        role: FileRole,
        text: String,
    ) -> SourceFile {
        let lines = LineIndex::new(&text);
        SourceFile {
            rel_path,
            abs_path,
            format,
            role,
            text,
            lines,
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }
}

/// Shared handle to a loaded file; documents and diagnostics point back to it.
pub type SharedSource = Arc<SourceFile>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let text = "ab\nçd\n\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, col: 1 });
        assert_eq!(index.line_col(text, 3), LineCol { line: 2, col: 1 });
        // 'ç' is two bytes: the 'd' after it is column 2.
        assert_eq!(index.line_col(text, 5), LineCol { line: 2, col: 2 });
        assert_eq!(index.line_col(text, 7), LineCol { line: 3, col: 1 });
        assert_eq!(index.line_col(text, 8), LineCol { line: 4, col: 1 });
        assert_eq!(index.line_col(text, 999), LineCol { line: 4, col: 2 });
    }

    #[test]
    fn offset_inside_a_multibyte_character_does_not_panic() {
        let text = "é";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 1), LineCol { line: 1, col: 1 });
    }

    #[test]
    fn span_cover_and_clamp() {
        assert_eq!(Span::new(3, 5).cover(Span::new(1, 4)), Span::new(1, 5));
        assert_eq!(Span::new(3, 50).clamp_to(10), Span::new(3, 10));
        assert_eq!(Span::new(30, 50).clamp_to(10), Span::new(10, 10));
    }
}
