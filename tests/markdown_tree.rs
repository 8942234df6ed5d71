//! Markdown → document tree: one test per construct, asserting the exact
//! docutils-shaped tree (kinds, attributes, text) the parser builds.

use specsite::markup::doc::{Document, Kind, Value};
use specsite::markup::markdown::parse;

/// The tree below the root, one node per line, indented two spaces per
/// level: `kind attr="value"` for elements, a quoted string for text.
fn outline(doc: &Document) -> String {
    let mut out = String::new();
    let root = doc.root();
    for node in doc.descendants(root).skip(1) {
        let depth = doc.depth(node) - 1;
        out.push_str(&"  ".repeat(depth));
        let data = doc.get(node);
        if data.kind == Kind::Text {
            out.push_str(&format!("{:?}", data.text));
        } else {
            out.push_str(data.kind.name());
            for (name, value) in data.attrs.iter() {
                let value = match value {
                    Value::Str(s) => s.clone(),
                    Value::List(items) => items.join(" "),
                    Value::Bool(b) => u8::from(*b).to_string(),
                    Value::Int(i) => i.to_string(),
                };
                out.push_str(&format!(" {name}={value:?}"));
            }
        }
        out.push('\n');
    }
    out
}

fn tree(text: &str) -> String {
    outline(&parse(text).doc)
}

fn assert_tree(text: &str, expected: &str) {
    let actual = tree(text);
    let expected = expected
        .lines()
        .skip_while(|line| line.trim().is_empty())
        .collect::<Vec<_>>();
    let indent = expected
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let expected: String = expected
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("{}\n", &line[indent..]))
        .collect();
    assert_eq!(actual, expected, "\n--- actual ---\n{actual}");
}

#[test]
fn headings_nest_into_sections_with_github_ids() {
    assert_tree(
        "# Title\n\nIntro.\n\n## Motivation\n\nWhy.\n\n### Detail\n\n## Design\n\n# Next\n",
        r#"
        section ids="title" names="title"
          title
            "Title"
          paragraph
            "Intro."
          section ids="motivation" names="motivation"
            title
              "Motivation"
            paragraph
              "Why."
            section ids="detail" names="detail"
              title
                "Detail"
          section ids="design" names="design"
            title
              "Design"
        section ids="next" names="next"
          title
            "Next"
        "#,
    );
}

#[test]
fn duplicate_headings_get_suffixes_and_explicit_ids_win() {
    assert_tree(
        "## Example\n## Example\n## Custom {#my-id .wide}\n## `Vec<T>` & co.\n",
        r#"
        section ids="example" names="example"
          title
            "Example"
        section ids="example-1" names="example"
          title
            "Example"
        section ids="my-id" names="custom" classes="wide"
          title
            "Custom"
        section ids="vect--co" names="vec<t> & co."
          title
            literal
              "Vec<T>"
            " & co."
        "#,
    );
}

#[test]
fn raw_html_and_images_do_not_count_towards_anchors() {
    assert_tree(
        "## <a name=\"old\"></a> Intro ![logo](l.png)\n",
        r#"
        section ids="-intro-" names="intro"
          title
            raw format="html"
              "<a name=\"old\">"
            raw format="html"
              "</a>"
            " Intro "
            image uri="l.png" alt="logo"
        "#,
    );
}

#[test]
fn heading_inside_a_block_quote_is_a_rubric() {
    assert_tree(
        "> ## Quoted\n> text\n",
        r#"
        block_quote
          rubric ids="quoted" names="quoted"
            "Quoted"
          paragraph
            "text"
        "#,
    );
}

#[test]
fn inline_markup_maps_to_docutils_inline_elements() {
    assert_tree(
        "*em* **strong** `code` ~~gone~~ [link](https://a.example \"T\") ![alt *x*](i.png)\n",
        r#"
        paragraph
          emphasis
            "em"
          " "
          strong
            "strong"
          " "
          literal
            "code"
          " "
          deleted
            "gone"
          " "
          reference refuri="https://a.example" title="T"
            "link"
          " "
          image uri="i.png" alt="alt x"
        "#,
    );
}

#[test]
fn autolinks_and_email_autolinks() {
    assert_tree(
        "<https://rust-lang.org> <ann@example.org>\n",
        r#"
        paragraph
          reference refuri="https://rust-lang.org"
            "https://rust-lang.org"
          " "
          reference refuri="mailto:ann@example.org"
            "ann@example.org"
        "#,
    );
}

#[test]
fn reference_style_links_resolve() {
    assert_tree(
        "See [the RFC][rfc].\n\n[rfc]: https://example.org/rfc \"Title\"\n",
        r#"
        paragraph
          "See "
          reference refuri="https://example.org/rfc" title="Title"
            "the RFC"
          "."
        "#,
    );
}

#[test]
fn broken_reference_link_stays_text_with_a_warning() {
    let text = "See [the RFC][missing] and [plain].\n";
    let parsed = parse(text);
    assert_eq!(
        outline(&parsed.doc),
        "paragraph\n  \"See [the RFC][missing] and [plain].\"\n"
    );
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    let diagnostic = &parsed.diagnostics[0];
    assert_eq!(diagnostic.code, "markdown/broken-link-reference");
    let span = diagnostic.location.as_ref().unwrap().span;
    assert_eq!(&text[span.start..span.end], "[the RFC][missing]");
    assert!(diagnostic.help.is_some());
}

#[test]
fn soft_breaks_are_newlines_and_hard_breaks_are_elements() {
    assert_tree(
        "one\ntwo  \nthree\\\nfour\n",
        r#"
        paragraph
          "one\ntwo"
          line_break
          "three"
          line_break
          "four"
        "#,
    );
}

#[test]
fn text_split_by_escapes_and_entities_is_one_node() {
    assert_tree(
        "a \\*b\\* &amp; c\n",
        r#"
        paragraph
          "a *b* & c"
        "#,
    );
}

#[test]
fn tight_lists_wrap_items_in_paragraphs_and_are_marked_simple() {
    assert_tree(
        "- a\n- b\n  * c\n",
        r#"
        bullet_list bullet="-" classes="simple"
          list_item
            paragraph
              "a"
          list_item
            paragraph
              "b"
            bullet_list bullet="*" classes="simple"
              list_item
                paragraph
                  "c"
        "#,
    );
}

#[test]
fn loose_ordered_list_keeps_start_and_suffix() {
    assert_tree(
        "3) one\n\n4) two\n",
        r#"
        enumerated_list enumtype="arabic" prefix="" suffix=")" start="3"
          list_item
            paragraph
              "one"
          list_item
            paragraph
              "two"
        "#,
    );
    assert_tree(
        "1. x\n",
        r#"
        enumerated_list enumtype="arabic" prefix="" suffix="." classes="simple"
          list_item
            paragraph
              "x"
        "#,
    );
}

#[test]
fn task_list_items_start_with_a_checkbox() {
    assert_tree(
        "- [x] done\n- [ ] todo\n",
        r#"
        bullet_list bullet="-" classes="simple"
          list_item
            paragraph
              task_checkbox checked="1"
              "done"
          list_item
            paragraph
              task_checkbox checked="0"
              "todo"
        "#,
    );
}

#[test]
fn block_quotes_and_github_alerts() {
    assert_tree(
        "> quoted\n\n> [!NOTE]\n> Heads up.\n\n> [!WARNING]\n> Careful.\n\n> [!TIP]\n> t\n\n> [!IMPORTANT]\n> i\n\n> [!CAUTION]\n> c\n",
        r#"
        block_quote
          paragraph
            "quoted"
        note
          paragraph
            "Heads up."
        warning
          paragraph
            "Careful."
        tip
          paragraph
            "t"
        important
          paragraph
            "i"
        caution
          paragraph
            "c"
        "#,
    );
}

#[test]
fn fenced_code_gets_language_and_indented_code_does_not() {
    assert_tree(
        "```rust ignore\nfn main() {}\nlet x = 1;\n```\n\n    indented\n    code\n\n```\nplain\n```\n",
        r#"
        literal_block classes="code rust" language="rust"
          "fn main() {}\nlet x = 1;\n"
        literal_block
          "indented\ncode\n"
        literal_block
          "plain\n"
        "#,
    );
}

#[test]
fn thematic_break_is_a_transition() {
    assert_tree(
        "a\n\n---\n\nb\n",
        r#"
        paragraph
          "a"
        transition
        paragraph
          "b"
        "#,
    );
}

#[test]
fn html_blocks_and_inline_html_are_raw_nodes() {
    assert_tree(
        "<div class=\"x\">\n<b>hi</b>\n</div>\n\nText <kbd>Ctrl</kbd>.\n",
        r#"
        raw format="html"
          "<div class=\"x\">\n<b>hi</b>\n</div>\n"
        paragraph
          "Text "
          raw format="html"
            "<kbd>"
          "Ctrl"
          raw format="html"
            "</kbd>"
          "."
        "#,
    );
}

#[test]
fn tables_become_tgroups_with_aligned_entries() {
    assert_tree(
        "| a | b | c |\n|:--|:-:|--:|\n| 1 | *2* | 3 |\n| 4 | 5 | 6 |\n",
        r#"
        table
          tgroup cols="3"
            colspec
            colspec
            colspec
            thead
              row
                entry align="left"
                  "a"
                entry align="center"
                  "b"
                entry align="right"
                  "c"
            tbody
              row
                entry align="left"
                  "1"
                entry align="center"
                  emphasis
                    "2"
                entry align="right"
                  "3"
              row
                entry align="left"
                  "4"
                entry align="center"
                  "5"
                entry align="right"
                  "6"
        "#,
    );
}

#[test]
fn footnotes_are_numbered_by_first_reference_and_linked_both_ways() {
    assert_tree(
        "Text[^b] and[^a] again[^b].\n\n[^a]: First.\n[^b]: Second.\n",
        r#"
        paragraph
          "Text"
          footnote_reference auto="1" ids="fnref-b" refid="fn-b"
            "1"
          " and"
          footnote_reference auto="1" ids="fnref-a" refid="fn-a"
            "2"
          " again"
          footnote_reference auto="1" ids="fnref-b-2" refid="fn-b"
            "1"
          "."
        footnote auto="1" ids="fn-a" names="a" backrefs="fnref-a"
          label
            "2"
          paragraph
            "First."
        footnote auto="1" ids="fn-b" names="b" backrefs="fnref-b fnref-b-2"
          label
            "1"
          paragraph
            "Second."
        "#,
    );
}

#[test]
fn undefined_footnote_is_text_with_a_warning() {
    let text = "See[^nope] here.\n\n`[^code]` is fine.\n";
    let parsed = parse(text);
    let warnings: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.code == "markdown/undefined-footnote")
        .collect();
    assert_eq!(warnings.len(), 1, "{:?}", parsed.diagnostics);
    let span = warnings[0].location.as_ref().unwrap().span;
    assert_eq!(&text[span.start..span.end], "[^nope]");
    assert!(warnings[0].help.is_some());
    assert!(outline(&parsed.doc).contains("\"See[^nope] here.\""));
}

#[test]
fn definition_lists_pair_terms_with_definitions() {
    assert_tree(
        "Apple\n: A fruit.\n\nRust\n: A language.\n",
        r#"
        definition_list
          definition_list_item
            term
              "Apple"
            definition
              paragraph
                "A fruit."
          definition_list_item
            term
              "Rust"
            definition
              paragraph
                "A language."
        "#,
    );
}

#[test]
fn math_inline_and_display() {
    assert_tree(
        "Euler: $e^{i\\pi}+1=0$.\n\n$$\n\\int x\n$$\n",
        r#"
        paragraph
          "Euler: "
          math
            "e^{i\\pi}+1=0"
          "."
        math_block
          "\n\\int x\n"
        "#,
    );
}

#[test]
fn smart_punctuation_is_off() {
    assert_tree(
        "\"quotes\" -- and...\n",
        r#"
        paragraph
          "\"quotes\" -- and..."
        "#,
    );
}

#[test]
fn spans_are_offsets_into_the_whole_file_after_front_matter() {
    let text = "---\nstatus: accepted\n---\n# Hello *world*\n\nBody text.\n";
    let parsed = parse(text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let front = parsed.front_matter.expect("front matter");
    assert_eq!(front.values["status"], "accepted");
    let doc = &parsed.doc;
    let paragraph = doc.find(doc.root(), Kind::Paragraph).unwrap();
    let span = doc.span(paragraph);
    // Block spans include their line ending, as pulldown-cmark reports them.
    assert_eq!(&text[span.start..span.end], "Body text.\n");
    let emphasis = doc.find(doc.root(), Kind::Emphasis).unwrap();
    let span = doc.span(emphasis);
    assert_eq!(&text[span.start..span.end], "*world*");
    let section = doc.find(doc.root(), Kind::Section).unwrap();
    assert_eq!(doc.span(section).end, text.len());
    assert_eq!(doc.span(section).start, text.find('#').unwrap());
}

#[test]
fn invalid_front_matter_is_reported_and_body_still_parsed() {
    let text = "---\ntitle: [oops\n---\n# Heading\n";
    let parsed = parse(text);
    assert!(parsed.front_matter.is_none());
    assert!(parsed
        .diagnostics
        .iter()
        .any(|d| d.code == "frontmatter/invalid"));
    assert_eq!(
        tree(text),
        "section ids=\"heading\" names=\"heading\"\n  title\n    \"Heading\"\n"
    );
}

#[test]
fn absurd_nesting_is_flattened_with_a_diagnostic() {
    let text = format!("{}deep\n", "> ".repeat(5000));
    let parsed = parse(&text);
    assert!(parsed
        .diagnostics
        .iter()
        .any(|d| d.code == "markdown/too-deep"));
    let doc = &parsed.doc;
    let deepest = doc
        .descendants(doc.root())
        .map(|node| doc.depth(node))
        .max()
        .unwrap();
    assert!(
        deepest <= specsite::markup::markdown::MAX_DEPTH + 3,
        "{deepest}"
    );
    assert!(doc.text_content(doc.root()).contains("deep"));
}

#[test]
fn many_display_math_paragraphs_all_become_math_blocks() {
    let text = "$$x$$\n\n".repeat(5000);
    let doc = parse(&text).doc;
    let root = doc.root();
    assert_eq!(doc.children(root).len(), 5000);
    assert!(doc
        .children(root)
        .iter()
        .all(|&child| doc.kind(child) == Kind::MathBlock));
}

#[test]
fn repeated_diagnostics_are_capped_with_a_summary_note() {
    let text = (0..500).map(|n| format!("[^n{n}] ")).collect::<String>();
    let parsed = parse(&text);
    let undefined: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.code == "markdown/undefined-footnote")
        .collect();
    assert_eq!(
        undefined.len(),
        specsite::markup::markdown::MAX_DIAGNOSTICS_PER_CODE
    );
    // Spans found left to right in one long text run.
    let last = undefined.last().unwrap().location.as_ref().unwrap().span;
    assert_eq!(&text[last.start..last.end], "[^n99]");
    let note = parsed
        .diagnostics
        .iter()
        .find(|d| d.code == "markdown/too-many-diagnostics")
        .expect("summary note");
    assert!(note.message.starts_with("400 more"), "{}", note.message);
}

#[test]
fn heading_in_a_list_item_is_a_rubric_and_shares_the_anchor_set() {
    assert_tree(
        "# Notes\n\n- ## Notes\n  text\n",
        r#"
        section ids="notes" names="notes"
          title
            "Notes"
          bullet_list bullet="-" classes="simple"
            list_item
              rubric ids="notes-1" names="notes"
                "Notes"
              paragraph
                "text"
        "#,
    );
}

#[test]
fn crlf_input_keeps_spans_on_the_original_bytes() {
    let text = "+++\r\nstatus = \"draft\"\r\n+++\r\n# Title\r\n\r\nLine one\r\nline two\r\n";
    let parsed = parse(text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.front_matter.unwrap().values["status"], "draft");
    let doc = &parsed.doc;
    let paragraph = doc.find(doc.root(), Kind::Paragraph).unwrap();
    let span = doc.span(paragraph);
    assert!(text[span.start..span.end].starts_with("Line one\r\nline two"));
    assert_eq!(doc.text_content(paragraph), "Line one\nline two");
}

#[test]
fn html_block_inside_a_list_item_stays_raw() {
    assert_tree(
        "- item\n\n  <details>\n  <summary>More</summary>\n  </details>\n",
        r#"
        bullet_list bullet="-"
          list_item
            paragraph
              "item"
            raw format="html"
              "<details>\n<summary>More</summary>\n</details>\n"
        "#,
    );
}
