//! Properties of both parsers over generated inputs (proptest): parsing
//! never panics, every node's span lies inside its source, and the words of
//! a plain document (paragraphs, sections, lists) all survive into the
//! tree's text. The fuzz targets explore the same ground without bounds;
//! these run a few hundred cases each so `cargo test` stays quick.

use proptest::prelude::*;
use specsite::markup::doc::{Document, Kind};
use specsite::markup::rst::{self, RstOptions, Stage};
use specsite::markup::{markdown, Parsed};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    }
}

fn rst_full(text: &str) -> Parsed {
    let options = RstOptions {
        stage: Stage::Full,
        ..Default::default()
    };
    rst::parse(text, &options)
}

/// Every node's span is a well-formed range inside the text.
fn assert_spans_inside(doc: &Document, text: &str) -> Result<(), TestCaseError> {
    for node in doc.descendants(doc.root()) {
        let span = doc.span(node);
        prop_assert!(
            span.start <= span.end && span.end <= text.len(),
            "span {:?} of {} outside a {}-byte input",
            span,
            doc.kind(node).name(),
            text.len()
        );
    }
    Ok(())
}

/// Every word of `words` occurs as a whole word in one of the document's
/// text nodes (text nodes of different blocks are not joined, so words are
/// collected per node).
fn assert_words_survive(doc: &Document, words: &[String]) -> Result<(), TestCaseError> {
    let text_nodes: Vec<&str> = doc
        .descendants(doc.root())
        .filter(|&node| doc.kind(node) == Kind::Text)
        .map(|node| doc.get(node).text.as_str())
        .collect();
    let tree_text = text_nodes.join(" | ");
    let tree_words: std::collections::HashSet<&str> = text_nodes
        .iter()
        .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    for word in words {
        prop_assert!(
            tree_words.contains(word.as_str()),
            "word {word:?} is missing from the tree text {tree_text:?}"
        );
    }
    Ok(())
}

/// Text made mostly of markup characters, so that openers, closers,
/// indentation and adornments meet each other often.
fn markup_soup() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-*_`#>:=|.+\\[\\]()<>!\\\\ \n\ta-c0-9]{0,300}",
        any::<String>(),
    ]
}

fn word() -> impl Strategy<Value = String> {
    "[a-z]{1,10}"
}

fn line_of_words() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(word(), 1..8)
}

/// One block of a plain document: a paragraph, a list, or a section title.
#[derive(Clone, Debug)]
enum Block {
    Paragraph(Vec<Vec<String>>),
    List(Vec<Vec<String>>),
    Title(Vec<String>),
}

fn block() -> impl Strategy<Value = Block> {
    prop_oneof![
        prop::collection::vec(line_of_words(), 1..4).prop_map(Block::Paragraph),
        prop::collection::vec(line_of_words(), 1..5).prop_map(Block::List),
        line_of_words().prop_map(Block::Title),
    ]
}

fn plain_document() -> impl Strategy<Value = Vec<Block>> {
    prop::collection::vec(block(), 1..8)
}

fn all_words(blocks: &[Block]) -> Vec<String> {
    let mut words = Vec::new();
    for block in blocks {
        match block {
            Block::Paragraph(lines) | Block::List(lines) => {
                words.extend(lines.iter().flatten().cloned());
            }
            Block::Title(title) => words.extend(title.iter().cloned()),
        }
    }
    words
}

/// Write `blocks` as text: `bullet` starts list items, `title` writes a
/// heading; paragraphs and blank lines are the same in both syntaxes.
fn as_text(blocks: &[Block], bullet: &str, title: impl Fn(&str, &mut String)) -> String {
    let mut text = String::new();
    for block in blocks {
        match block {
            Block::Paragraph(lines) => {
                for line in lines {
                    text.push_str(&line.join(" "));
                    text.push('\n');
                }
            }
            Block::List(items) => {
                for item in items {
                    text.push_str(bullet);
                    text.push_str(&item.join(" "));
                    text.push('\n');
                }
            }
            Block::Title(words) => title(&words.join(" "), &mut text),
        }
        text.push('\n');
    }
    text
}

fn as_markdown(blocks: &[Block]) -> String {
    as_text(blocks, "- ", |title, text| {
        text.push_str("## ");
        text.push_str(title);
        text.push('\n');
    })
}

fn as_rst(blocks: &[Block]) -> String {
    as_text(blocks, "* ", |title, text| {
        text.push_str(title);
        text.push('\n');
        text.push_str(&"=".repeat(title.chars().count()));
        text.push('\n');
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn markdown_never_panics_and_spans_stay_inside(text in markup_soup()) {
        let parsed = markdown::parse(&text);
        assert_spans_inside(&parsed.doc, &text)?;
    }

    #[test]
    fn rst_never_panics_and_spans_stay_inside(text in markup_soup()) {
        for stage in [Stage::Parse, Stage::Full] {
            let options = RstOptions { stage, ..Default::default() };
            let parsed = rst::parse(&text, &options);
            assert_spans_inside(&parsed.doc, &text)?;
        }
    }

    #[test]
    fn markdown_keeps_every_word_of_a_plain_document(blocks in plain_document()) {
        let text = as_markdown(&blocks);
        let parsed = markdown::parse(&text);
        assert_spans_inside(&parsed.doc, &text)?;
        assert_words_survive(&parsed.doc, &all_words(&blocks))?;
    }

    #[test]
    fn rst_keeps_every_word_of_a_plain_document(blocks in plain_document()) {
        let text = as_rst(&blocks);
        let parsed = rst_full(&text);
        assert_spans_inside(&parsed.doc, &text)?;
        assert_words_survive(&parsed.doc, &all_words(&blocks))?;
    }
}
