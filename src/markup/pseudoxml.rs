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
                    items
                        .iter()
                        .map(|item| item.replace('\\', "\\\\").replace(' ', "\\ "))
                        .collect::<Vec<_>>()
                        .join(" ")
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
/// separators all start a new output line.
fn python_splitlines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let is_break = |c: char| {
            matches!(
                c,
                '\n' | '\r'
                    | '\u{b}'
                    | '\u{c}'
                    | '\u{1c}'
                    | '\u{1d}'
                    | '\u{1e}'
                    | '\u{85}'
                    | '\u{2028}'
                    | '\u{2029}'
            )
        };
        match rest.char_indices().find(|&(_, c)| is_break(c)) {
            Some((i, c)) => {
                let line = &rest[..i];
                let mut next = i + c.len_utf8();
                if c == '\r' && rest[next..].starts_with('\n') {
                    next += 1;
                }
                rest = &rest[next..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
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
