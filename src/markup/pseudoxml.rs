//! docutils pseudo-XML: the text form docutils prints a tree in.
//!
//! Used by `specsite rst-tree` and the conformance check in
//! shared/rst-conformance, which compares our tree with docutils' own
//! `document.pformat()`. The layout is docutils': one start tag per line,
//! children indented by four spaces, no end tags, text printed line by line.
//! The walk uses an explicit stack so very deep trees cannot overflow.

use super::doc::{Document, Kind, NodeId, Value};

/// Print the tree as docutils' `pformat()` would.
pub fn print(doc: &Document) -> String {
    let mut out = String::new();
    let mut stack: Vec<(NodeId, usize)> = vec![(doc.root(), 0)];
    while let Some((id, level)) = stack.pop() {
        let node = doc.get(id);
        if node.kind == Kind::Text {
            for line in python_splitlines(&node.text) {
                push_indent(&mut out, level);
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        push_indent(&mut out, level);
        out.push('<');
        out.push_str(node.kind.name());
        if node.kind == Kind::Document && node.attrs.get("source").is_none() {
            out.push_str(" source=\"-\"");
        }
        let mut attrs: Vec<(&str, &Value)> = node.attrs.iter().collect();
        attrs.sort_by(|a, b| a.0.cmp(b.0));
        for (name, value) in attrs {
            let rendered = match value {
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
                Value::List(items) => {
                    if items.is_empty() {
                        continue;
                    }
                    let mut joined = String::new();
                    for (k, item) in items.iter().enumerate() {
                        if k > 0 {
                            joined.push(' ');
                        }
                        for c in item.chars() {
                            match c {
                                '\\' => joined.push_str("\\\\"),
                                ' ' => joined.push_str("\\ "),
                                _ => joined.push(c),
                            }
                        }
                    }
                    joined
                }
            };
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            out.push_str(&rendered);
            out.push('"');
        }
        out.push_str(">\n");
        for &child in node.children.iter().rev() {
            stack.push((child, level + 1));
        }
    }
    out
}

/// Python's `str.splitlines()`: docutils prints text with it, so these
/// separators all start a new output line. Scans bytes; the separators
/// outside ASCII (U+0085, U+2028, U+2029) start with 0xC2 or 0xE2.
fn python_splitlines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let (is_break, width) = match bytes[i] {
                b'\n' | b'\r' | 0x0b | 0x0c | 0x1c..=0x1e => (true, 1),
                0xC2 if bytes.get(i + 1) == Some(&0x85) => (true, 2),
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8) | Some(0xA9)) =>
                {
                    (true, 3)
                }
                _ => (false, 1),
            };
            if is_break {
                let line = &rest[..i];
                let mut next = i + width;
                if bytes[i] == b'\r' && bytes.get(next) == Some(&b'\n') {
                    next += 1;
                }
                rest = &rest[next..];
                return Some(line);
            }
            i += 1;
        }
        let line = rest;
        rest = "";
        Some(line)
    })
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn splits_text_like_python() {
        let lines: Vec<&str> = python_splitlines("a\u{2028}b\r\nc\n\nd\n").collect();
        assert_eq!(lines, ["a", "b", "c", "", "d"]);
    }

    #[test]
    fn prints_docutils_layout() {
        let mut doc = Document::new(Span::default());
        let root = doc.root();
        let para = doc.push(root, Kind::Paragraph, Span::default());
        doc.attrs_mut(para).push("classes", "a b");
        doc.attrs_mut(para).push("classes", "c");
        doc.attrs_mut(para).set("anonymous", true);
        doc.push_text(para, "one\ntwo", Span::default());
        assert_eq!(
            print(&doc),
            "<document source=\"-\">\n    <paragraph anonymous=\"1\" classes=\"a\\ b c\">\n        one\n        two\n"
        );
    }
}
