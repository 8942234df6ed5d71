//! Source lines for the block parser.
//!
//! docutils works on a list of lines with tabs expanded (tab width 8),
//! `\v`/`\f` turned into spaces and trailing whitespace removed. We do the
//! same but keep each line as a borrowed slice where possible (only lines
//! with tabs or odd whitespace are copied) together with the source byte
//! offset of its first character, so every node built from lines gets a span.
//! Indented blocks are made by slicing leading spaces off, which keeps the
//! offsets right without copying text.

use std::borrow::Cow;

use crate::source::Span;

/// One line of input: text (indentation possibly removed) and where it
/// starts. `indent` (leading spaces) is computed once and kept up to date
/// when indentation is sliced off, so deeply nested blocks do not rescan
/// long runs of spaces at every level.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub text: &'a str,
    pub offset: usize,
    indent: usize,
}

impl<'a> Line<'a> {
    pub fn new(text: &'a str, offset: usize) -> Line<'a> {
        let indent = text.bytes().take_while(|&b| b == b' ').count();
        Line {
            text,
            offset,
            indent,
        }
    }

    /// Leading spaces.
    pub fn indent(&self) -> usize {
        self.indent
    }

    pub fn is_blank(&self) -> bool {
        match self.text.as_bytes().get(self.indent) {
            None => true,
            Some(b) if b.is_ascii() => false,
            Some(_) => self.text[self.indent..].trim().is_empty(),
        }
    }

    pub fn is_indented(&self) -> bool {
        self.indent > 0
    }

    /// Remove up to `cols` leading spaces.
    pub fn strip_cols(self, cols: usize) -> Line<'a> {
        let count = cols.min(self.indent);
        Line {
            text: self.text.get(count..).unwrap_or(""),
            offset: self.offset + count,
            indent: self.indent - count,
        }
    }

    /// Remove the first `bytes` bytes (rounded up to a character boundary).
    pub fn skip_bytes(self, bytes: usize) -> Line<'a> {
        let mut cut = bytes.min(self.text.len());
        while !self.text.is_char_boundary(cut) {
            cut += 1;
        }
        if cut <= self.indent {
            return self.strip_cols(cut);
        }
        Line::new(self.text.get(cut..).unwrap_or(""), self.offset + cut)
    }

    pub fn span(&self) -> Span {
        Span::new(self.offset, self.offset + self.text.len())
    }
}

/// The span covering `lines` (empty at `fallback` when there are none).
pub fn span_of(lines: &[Line<'_>], fallback: usize) -> Span {
    match (lines.first(), lines.last()) {
        (Some(first), Some(last)) => Span::new(first.offset, last.offset + last.text.len()),
        _ => Span::at(fallback),
    }
}

/// Split `text` into docutils' normalised lines, with the offset of each.
pub fn split(text: &str) -> Vec<(Cow<'_, str>, usize)> {
    let mut out = Vec::with_capacity(text.len() / 40 + 1);
    let has_cr = text.contains('\r');
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let (end, next) = if has_cr {
            match rest.find(['\n', '\r']) {
                Some(i) if rest[i..].starts_with("\r\n") => (start + i, start + i + 2),
                Some(i) => (start + i, start + i + 1),
                None => (text.len(), text.len()),
            }
        } else {
            match rest.find('\n') {
                Some(i) => (start + i, start + i + 1),
                None => (text.len(), text.len()),
            }
        };
        out.push((normalise(&text[start..end]), start));
        start = next;
    }
    out
}

fn normalise(raw: &str) -> Cow<'_, str> {
    if raw.bytes().any(|b| b == b'\t' || b == 0x0b || b == 0x0c) {
        let mut out = String::with_capacity(raw.len() + 8);
        let mut col = 0;
        for c in raw.chars() {
            match c {
                '\t' => {
                    let next = (col / 8 + 1) * 8;
                    while col < next {
                        out.push(' ');
                        col += 1;
                    }
                }
                '\u{b}' | '\u{c}' => {
                    out.push(' ');
                    col += 1;
                }
                _ => {
                    out.push(c);
                    col += 1;
                }
            }
        }
        let trimmed_len = out.trim_end().len();
        out.truncate(trimmed_len);
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python_splitlines_with_offsets() {
        let lines = split("a\tb  \r\nc\n\nd\n");
        let texts: Vec<&str> = lines.iter().map(|(t, _)| t.as_ref()).collect();
        assert_eq!(texts, ["a       b", "c", "", "d"]);
        let offsets: Vec<usize> = lines.iter().map(|(_, o)| *o).collect();
        assert_eq!(offsets, [0, 7, 9, 10]);
    }

    #[test]
    fn strip_cols_keeps_offsets() {
        let line = Line::new("   x", 10);
        let stripped = line.strip_cols(2);
        assert_eq!(stripped.text, " x");
        assert_eq!(stripped.offset, 12);
    }
}
