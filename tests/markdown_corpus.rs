//! Every Markdown file of a real RFC repository parses without panicking,
//! with every span inside the file and an id on every titled heading.
//! Uses `../shared/corpora/rust-rfcs` next to the checkout when present and
//! passes silently when it is not (CI runs without the shared corpora).

use std::path::{Path, PathBuf};

use specsite::markup::doc::Kind;
use specsite::markup::markdown::parse;

/// Every `.md` file below `root` (explicit stack; symlinks not followed).
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if file_type.is_dir() {
                pending.push(path);
            } else if file_type.is_file() && path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found
}

fn corpus_dir() -> PathBuf {
    let beside_checkout =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/rust-rfcs/text");
    if beside_checkout.is_dir() {
        beside_checkout
    } else {
        PathBuf::from("/work/shared/corpora/rust-rfcs/text")
    }
}

#[test]
fn rust_rfcs_parse_with_spans_in_bounds_and_heading_ids() {
    let root = corpus_dir();
    if !root.is_dir() {
        return;
    }
    let mut files = 0;
    let mut sections = 0;
    for path in markdown_files(&root) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        files += 1;
        let parsed = parse(&text);
        let doc = &parsed.doc;
        let mut ids = std::collections::HashSet::new();
        for node in doc.descendants(doc.root()) {
            for id in doc.attrs(node).list("ids") {
                assert!(
                    ids.insert(id.clone()),
                    "{}: id {id:?} used twice",
                    path.display()
                );
            }
            let span = doc.span(node);
            assert!(
                span.start <= span.end && span.end <= text.len(),
                "{}: span {span:?} of {} outside 0..{}",
                path.display(),
                doc.kind(node).name(),
                text.len()
            );
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{}: span {span:?} splits a character",
                path.display()
            );
            let kind = doc.kind(node);
            let title = match kind {
                Kind::Section => doc.find(node, Kind::Title),
                Kind::Rubric => Some(node),
                _ => None,
            };
            if let Some(title) = title {
                sections += 1;
                if !doc.text_content(title).trim().is_empty() {
                    let ids = doc.attrs(node).list("ids");
                    assert!(
                        ids.first().is_some_and(|id| !id.is_empty()),
                        "{}: heading {:?} has no id",
                        path.display(),
                        doc.text_content(title)
                    );
                }
            }
        }
        for diagnostic in &parsed.diagnostics {
            if let Some(location) = &diagnostic.location {
                assert!(
                    location.span.end <= text.len(),
                    "{}: diagnostic span out of bounds",
                    path.display()
                );
            }
        }
    }
    assert!(files >= 640, "only {files} RFCs found");
    assert!(
        sections > files,
        "only {sections} headings in {files} files"
    );
}
