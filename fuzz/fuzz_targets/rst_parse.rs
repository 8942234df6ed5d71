//! Fuzz the reStructuredText engine: any input, both stages, with and
//! without the Sphinx profile, must parse without panicking, and every
//! node's span must lie inside the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use specsite::markup::rst::{parse, RstOptions, Stage};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (stage, sphinx) in [(Stage::Parse, false), (Stage::Full, true)] {
        let options = RstOptions {
            stage,
            sphinx,
            any_header_block: sphinx,
            ..Default::default()
        };
        let parsed = parse(text, &options);
        let doc = &parsed.doc;
        for node in doc.descendants(doc.root()) {
            let span = doc.span(node);
            assert!(span.start <= span.end && span.end <= text.len(), "span {span:?} outside the input");
        }
        let _ = specsite::markup::pseudoxml::print(doc);
    }
});
