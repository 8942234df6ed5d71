//! Fuzz Markdown to document tree to HTML: no panics, spans inside the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use specsite::render::html::{render, HtmlOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = specsite::markup::markdown::parse(text);
    let doc = &parsed.doc;
    for node in doc.descendants(doc.root()) {
        let span = doc.span(node);
        assert!(span.start <= span.end && span.end <= text.len(), "span {span:?} outside the input");
    }
    let _ = render(doc, &HtmlOptions::default());
});
