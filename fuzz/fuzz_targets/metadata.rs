//! Fuzz metadata extraction: a file of arbitrary text (YAML/TOML front
//! matter, RST field lists, PEP-style header blocks, status sections, bullet
//! headers) goes through the real parse and every metadata source; nothing
//! may panic and every diagnostic must point inside the file. The same text
//! is also read as a Sphinx index page, whose toctree labels give statuses.
//!
//! The first input byte chooses the format and the Sphinx profile, so the
//! corpus can hold both without guessing from content.

#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use specsite::extract::{extract_with, index_pages};
use specsite::markup::rst::{RstOptions, Stage};
use specsite::markup::{parse, MarkupOptions};
use specsite::preset::MetadataConfig;
use specsite::source::{FileRole, Format, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (format, rel_path) = if selector & 1 == 0 {
        (Format::Markdown, "specs/0001-fuzz.md")
    } else {
        (Format::Rst, "specs/0001-fuzz.rst")
    };
    let source = Arc::new(SourceFile::new(
        rel_path.to_string(),
        PathBuf::from(rel_path),
        format,
        FileRole::Spec,
        text.to_string(),
    ));
    let options = MarkupOptions {
        rst: RstOptions {
            stage: Stage::Full,
            sphinx: selector & 2 != 0,
            any_header_block: true,
            ..Default::default()
        },
    };
    let parsed = parse(&source, &options);
    let (spec, diagnostics) = extract_with(
        source.clone(),
        parsed,
        "specs/0001-fuzz.html".to_string(),
        None,
        &MetadataConfig::default(),
    );
    for diagnostic in &diagnostics {
        if let Some(location) = &diagnostic.location {
            assert!(
                location.span.start <= location.span.end && location.span.end <= text.len(),
                "diagnostic span {:?} outside the input: {diagnostic:?}",
                location.span
            );
        }
    }
    let doc = &spec.doc;
    for node in doc.descendants(doc.root()) {
        let span = doc.span(node);
        assert!(span.end <= text.len(), "span {span:?} outside the input");
    }

    let index = SourceFile::new(
        "specs/index.rst".to_string(),
        PathBuf::from("specs/index.rst"),
        Format::Rst,
        FileRole::Index,
        text.to_string(),
    );
    let _ = index_pages::read(&[&index], [rel_path, "specs/approved/x.rst"].into_iter());
});
