//! The HTML serializer on hand-built document trees: targeted asserts on
//! the markup each construct must produce.

use specsite::markup::doc::{Document, Kind, NodeId};
use specsite::markup::RawHtmlPolicy;
use specsite::render::html::{render, HtmlOptions, LinkResolver, RenderedHtml, TocEntry};
use specsite::source::Span;

fn span() -> Span {
    Span::default()
}

fn el(doc: &mut Document, parent: NodeId, kind: Kind) -> NodeId {
    doc.push(parent, kind, span())
}

fn text(doc: &mut Document, parent: NodeId, kind: Kind, content: &str) -> NodeId {
    let node = doc.push(parent, kind, span());
    doc.push_text(node, content, span());
    node
}

fn html(doc: &Document) -> String {
    render(doc, &HtmlOptions::default()).body
}

fn render_with(doc: &Document, raw_html: RawHtmlPolicy) -> RenderedHtml {
    let options = HtmlOptions {
        raw_html,
        ..HtmlOptions::default()
    };
    render(doc, &options)
}

#[test]
fn paragraphs_and_inline_markup() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    doc.push_text(p, "a ", span());
    text(&mut doc, p, Kind::Emphasis, "em");
    text(&mut doc, p, Kind::Strong, "strong");
    text(&mut doc, p, Kind::Literal, "code");
    text(&mut doc, p, Kind::TitleReference, "Book");
    text(&mut doc, p, Kind::Superscript, "2");
    text(&mut doc, p, Kind::Subscript, "i");
    text(&mut doc, p, Kind::Deleted, "gone");
    let abbr = text(&mut doc, p, Kind::Abbreviation, "API");
    doc.attrs_mut(abbr)
        .set("explanation", "Application Programming Interface");
    assert_eq!(
        html(&doc),
        "<p>a <em>em</em><strong>strong</strong><code>code</code><cite>Book</cite>\
         <sup>2</sup><sub>i</sub><del>gone</del>\
         <abbr title=\"Application Programming Interface\">API</abbr></p>"
    );
}

#[test]
fn text_is_escaped_and_script_never_appears() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = text(
        &mut doc,
        root,
        Kind::Paragraph,
        "<script>alert(\"x\")</script> & more",
    );
    doc.attrs_mut(p).push("classes", "x\" onclick=\"evil");
    let out = html(&doc);
    assert!(!out.contains("<script"), "{out}");
    assert!(out.contains("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; more"));
    assert!(
        out.contains("class=\"x&quot; onclick=&quot;evil\""),
        "{out}"
    );
}

#[test]
fn dangerous_link_schemes_are_dropped() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    for uri in ["javascript:alert(1)", "data:text/html,x", " VBScript:x"] {
        let link = text(&mut doc, p, Kind::Reference, "click");
        doc.attrs_mut(link).set("refuri", uri);
    }
    let image = el(&mut doc, root, Kind::Image);
    doc.attrs_mut(image)
        .set("uri", "data:image/png;base64,AAAA");
    doc.attrs_mut(image).set("alt", "pic");
    let good = text(&mut doc, p, Kind::Reference, "ok");
    doc.attrs_mut(good).set("refuri", "https://example.org/");
    let out = html(&doc);
    assert!(!out.contains("javascript"), "{out}");
    assert!(!out.contains("data:"), "{out}");
    assert!(!out.to_lowercase().contains("vbscript"), "{out}");
    assert!(out.contains("<img alt=\"pic\""), "{out}");
    assert!(
        out.contains("<a class=\"reference external\" href=\"https://example.org/\">ok</a>"),
        "{out}"
    );
}

/// A document with sections nested three deep and a subsection title that
/// holds inline markup.
fn sectioned() -> (Document, NodeId) {
    let mut doc = Document::default();
    let root = doc.root();
    let title = text(&mut doc, root, Kind::Title, "Page title");
    let intro = el(&mut doc, root, Kind::Section);
    doc.attrs_mut(intro).push("ids", "intro");
    doc.attrs_mut(intro).push("ids", "old-intro");
    text(&mut doc, intro, Kind::Title, "Intro");
    let detail = el(&mut doc, intro, Kind::Section);
    doc.attrs_mut(detail).push("ids", "detail");
    let detail_title = el(&mut doc, detail, Kind::Title);
    doc.push_text(detail_title, "The ", span());
    text(&mut doc, detail_title, Kind::Literal, "<T>");
    let deeper = el(&mut doc, detail, Kind::Section);
    doc.attrs_mut(deeper).push("ids", "deeper");
    text(&mut doc, deeper, Kind::Title, "Deeper");
    text(&mut doc, deeper, Kind::Paragraph, "body");
    (doc, title)
}

#[test]
fn sections_get_headings_by_depth_with_anchors_and_toc() {
    let (doc, title) = sectioned();
    let options = HtmlOptions {
        omit: Some(title),
        ..HtmlOptions::default()
    };
    let out = render(&doc, &options);
    assert!(
        !out.body.contains("Page title"),
        "omitted title: {}",
        out.body
    );
    assert!(out.body.starts_with(
        "<span id=\"old-intro\"></span><section id=\"intro\"><h2>Intro\
         <a class=\"anchor\" href=\"#intro\" aria-label=\"Link to this section\">#</a></h2>"
    ));
    assert!(out
        .body
        .contains("<h3>The <code>&lt;T&gt;</code><a class=\"anchor\" href=\"#detail\""));
    assert!(out.body.contains("<section id=\"deeper\"><h4>Deeper"));
    assert!(out
        .body
        .ends_with("<p>body</p></section></section></section>"));
    assert_eq!(
        out.toc,
        vec![
            TocEntry {
                level: 1,
                id: "intro".into(),
                title: "Intro".into()
            },
            TocEntry {
                level: 2,
                id: "detail".into(),
                title: "The <T>".into()
            },
            TocEntry {
                level: 3,
                id: "deeper".into(),
                title: "Deeper".into()
            },
        ]
    );
    // Without omission the document title is the page's <h1>.
    let out = html(&doc);
    assert!(
        out.starts_with("<h1 class=\"title\">Page title</h1>"),
        "{out}"
    );
}

#[test]
fn omitted_section_title_lifts_its_subsections() {
    // Markdown: `# Title` is a top-level section whose title is the page title.
    let mut doc = Document::default();
    let root = doc.root();
    let top = el(&mut doc, root, Kind::Section);
    doc.attrs_mut(top).push("ids", "title");
    let title = text(&mut doc, top, Kind::Title, "Title");
    let sub = el(&mut doc, top, Kind::Section);
    doc.attrs_mut(sub).push("ids", "motivation");
    text(&mut doc, sub, Kind::Title, "Motivation");
    let options = HtmlOptions {
        omit: Some(title),
        ..HtmlOptions::default()
    };
    let out = render(&doc, &options);
    assert!(out.body.contains("<h2>Motivation"), "{}", out.body);
    assert_eq!(out.toc.len(), 1);
    assert_eq!(out.toc[0].level, 1);
}

#[test]
fn headings_cap_at_h6() {
    let mut doc = Document::default();
    let mut parent = doc.root();
    for depth in 0..8 {
        let section = el(&mut doc, parent, Kind::Section);
        doc.attrs_mut(section).push("ids", format!("s{depth}"));
        text(&mut doc, section, Kind::Title, &format!("S{depth}"));
        parent = section;
    }
    let out = html(&doc);
    assert!(out.contains("<h6>S4"), "{out}");
    assert!(out.contains("<h6>S7"), "{out}");
    assert!(!out.contains("<h7"), "{out}");
}

#[test]
fn tables_with_spans_head_and_stub_column() {
    let mut doc = Document::default();
    let root = doc.root();
    let table = el(&mut doc, root, Kind::Table);
    text(&mut doc, table, Kind::Title, "Caption");
    let tgroup = el(&mut doc, table, Kind::Tgroup);
    let stub = el(&mut doc, tgroup, Kind::Colspec);
    doc.attrs_mut(stub).set("stub", true);
    el(&mut doc, tgroup, Kind::Colspec);
    el(&mut doc, tgroup, Kind::Colspec);
    let thead = el(&mut doc, tgroup, Kind::Thead);
    let row = el(&mut doc, thead, Kind::Row);
    text(&mut doc, row, Kind::Entry, "Name");
    let wide = text(&mut doc, row, Kind::Entry, "Values");
    doc.attrs_mut(wide).set("morecols", 1i64);
    let tbody = el(&mut doc, tgroup, Kind::Tbody);
    let row = el(&mut doc, tbody, Kind::Row);
    let tall = text(&mut doc, row, Kind::Entry, "a");
    doc.attrs_mut(tall).set("morerows", 1i64);
    let cell = el(&mut doc, row, Kind::Entry);
    text(&mut doc, cell, Kind::Paragraph, "1");
    let right = text(&mut doc, row, Kind::Entry, "2");
    doc.attrs_mut(right).set("align", "right");
    let row = el(&mut doc, tbody, Kind::Row);
    text(&mut doc, row, Kind::Entry, "3");
    text(&mut doc, row, Kind::Entry, "4");
    assert_eq!(
        html(&doc),
        "<table><caption>Caption</caption>\
         <thead><tr><th class=\"head\">Name</th><th class=\"head\" colspan=\"2\">Values</th></tr></thead>\
         <tbody><tr><th class=\"stub\" rowspan=\"2\">a</th><td>1</td><td align=\"right\">2</td></tr>\
         <tr><th class=\"stub\">3</th><td>4</td></tr></tbody></table>"
    );
}

#[test]
fn footnotes_link_both_ways_and_group_into_one_list() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    doc.push_text(p, "Claim", span());
    for (refid, id) in [("fn-1", "ref-1"), ("fn-1", "ref-2"), ("fn-2", "ref-3")] {
        let reference = el(&mut doc, p, Kind::FootnoteReference);
        doc.attrs_mut(reference).set("refid", refid);
        doc.attrs_mut(reference).push("ids", id);
        doc.push_text(reference, if refid == "fn-1" { "1" } else { "2" }, span());
    }
    let one = el(&mut doc, root, Kind::Footnote);
    doc.attrs_mut(one).push("ids", "fn-1");
    doc.attrs_mut(one).push("backrefs", "ref-1");
    doc.attrs_mut(one).push("backrefs", "ref-2");
    text(&mut doc, one, Kind::Label, "1");
    text(&mut doc, one, Kind::Paragraph, "First note.");
    let two = el(&mut doc, root, Kind::Footnote);
    doc.attrs_mut(two).push("ids", "fn-2");
    doc.attrs_mut(two).push("backrefs", "ref-3");
    text(&mut doc, two, Kind::Label, "2");
    text(&mut doc, two, Kind::Paragraph, "Second note.");
    let out = html(&doc);
    assert!(out.contains(
        "<a id=\"ref-1\" class=\"footnote-reference brackets\" href=\"#fn-1\" role=\"doc-noteref\">\
         <span class=\"fn-bracket\">[</span>1<span class=\"fn-bracket\">]</span></a>"
    ), "{out}");
    assert_eq!(
        out.matches("<aside class=\"footnote-list brackets\">")
            .count(),
        1
    );
    assert!(out.contains(
        "<aside id=\"fn-1\" class=\"footnote brackets\" role=\"doc-footnote\">\
         <span class=\"label\"><span class=\"fn-bracket\">[</span>1<span class=\"fn-bracket\">]</span></span>\
         <span class=\"backrefs\">(<a role=\"doc-backlink\" href=\"#ref-1\">1</a>,<a role=\"doc-backlink\" href=\"#ref-2\">2</a>)</span>\
         <p>First note.</p></aside>"
    ), "{out}");
    assert!(out.contains(
        "<span class=\"label\"><span class=\"fn-bracket\">[</span><a role=\"doc-backlink\" href=\"#ref-3\">2</a>"
    ), "{out}");
    assert!(
        out.ends_with("<p>Second note.</p></aside></aside>"),
        "{out}"
    );
}

#[test]
fn citations_render_as_a_list_with_back_links() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    let reference = text(&mut doc, p, Kind::CitationReference, "CIT2002");
    doc.attrs_mut(reference).set("refid", "cit2002");
    doc.attrs_mut(reference).push("ids", "c-ref");
    let citation = el(&mut doc, root, Kind::Citation);
    doc.attrs_mut(citation).push("ids", "cit2002");
    doc.attrs_mut(citation).push("backrefs", "c-ref");
    text(&mut doc, citation, Kind::Label, "CIT2002");
    text(&mut doc, citation, Kind::Paragraph, "A book.");
    let out = html(&doc);
    assert!(out.contains("class=\"citation-reference\" href=\"#cit2002\" role=\"doc-biblioref\""));
    assert!(out.contains(
        "<div role=\"list\" class=\"citation-list\"><div id=\"cit2002\" class=\"citation\" role=\"doc-biblioentry\">"
    ), "{out}");
    assert!(out.contains("href=\"#c-ref\">CIT2002</a>"), "{out}");
}

#[test]
fn admonitions_have_classes_and_labels() {
    let mut doc = Document::default();
    let root = doc.root();
    for kind in [
        Kind::Note,
        Kind::Warning,
        Kind::Tip,
        Kind::Caution,
        Kind::Important,
    ] {
        let node = el(&mut doc, root, kind);
        text(&mut doc, node, Kind::Paragraph, "body");
    }
    let danger = el(&mut doc, root, Kind::Danger);
    text(&mut doc, danger, Kind::Paragraph, "boom");
    let custom = el(&mut doc, root, Kind::Admonition);
    doc.attrs_mut(custom).push("classes", "admonition-my-title");
    text(&mut doc, custom, Kind::Title, "My title");
    text(&mut doc, custom, Kind::Paragraph, "text");
    let see = el(&mut doc, root, Kind::Seealso);
    text(&mut doc, see, Kind::Paragraph, "other");
    let out = html(&doc);
    for (class, label) in [
        ("note", "Note"),
        ("warning", "Warning"),
        ("tip", "Tip"),
        ("caution", "Caution"),
        ("important", "Important"),
        ("danger", "!DANGER!"),
        ("seealso", "See also"),
    ] {
        let expected = format!(
            "<aside class=\"admonition {class}\" role=\"note\"><p class=\"admonition-title\">{label}</p>"
        );
        assert!(out.contains(&expected), "missing {expected} in {out}");
    }
    assert!(out.contains(
        "<aside class=\"admonition admonition-my-title\" role=\"note\"><p class=\"admonition-title\">My title</p><p>text</p></aside>"
    ), "{out}");
}

#[test]
fn figures_have_captions_and_legends() {
    let mut doc = Document::default();
    let root = doc.root();
    let figure = el(&mut doc, root, Kind::Figure);
    doc.attrs_mut(figure).set("align", "center");
    let image = el(&mut doc, figure, Kind::Image);
    doc.attrs_mut(image).set("uri", "arch.png");
    doc.attrs_mut(image).set("alt", "Architecture");
    doc.attrs_mut(image).set("width", "400px");
    doc.attrs_mut(image).set("scale", 50i64);
    text(&mut doc, figure, Kind::Caption, "The architecture.");
    let legend = el(&mut doc, figure, Kind::Legend);
    text(&mut doc, legend, Kind::Paragraph, "Boxes are services.");
    assert_eq!(
        html(&doc),
        "<figure class=\"align-center\"><img src=\"arch.png\" alt=\"Architecture\" width=\"200\" loading=\"lazy\">\
         <figcaption><p>The architecture.</p><div class=\"legend\"><p>Boxes are services.</p></div></figcaption></figure>"
    );
}

#[test]
fn images_link_to_their_target_and_take_alignment() {
    let mut doc = Document::default();
    let root = doc.root();
    let image = el(&mut doc, root, Kind::Image);
    doc.attrs_mut(image).set("uri", "logo.svg");
    doc.attrs_mut(image).set("align", "left");
    doc.attrs_mut(image).set("target", "https://example.org/");
    doc.attrs_mut(image).set("height", "3em");
    assert_eq!(
        html(&doc),
        "<a class=\"reference external image-reference\" href=\"https://example.org/\">\
         <img class=\"align-left\" src=\"logo.svg\" alt=\"logo.svg\" height=\"48\" loading=\"lazy\"></a>"
    );
}

#[test]
fn code_blocks_are_highlighted_with_classes() {
    let mut doc = Document::default();
    let root = doc.root();
    let code = text(
        &mut doc,
        root,
        Kind::LiteralBlock,
        "fn main() { let x = \"<b>\"; }\n",
    );
    doc.attrs_mut(code).set("language", "rust");
    let plain = text(&mut doc, root, Kind::LiteralBlock, "a < b\n");
    doc.attrs_mut(plain).set("language", "no-such-language");
    text(&mut doc, root, Kind::LiteralBlock, "literal <i>\n");
    let out = html(&doc);
    assert!(
        out.starts_with("<pre class=\"code rust hl-code\"><code><span class=\"hl-"),
        "{out}"
    );
    assert!(
        out.contains("hl-keyword") || out.contains("hl-storage"),
        "{out}"
    );
    assert!(!out.contains("<b>"), "{out}");
    assert!(
        out.contains("<pre class=\"code no-such-language\"><code>a &lt; b\n</code></pre>"),
        "{out}"
    );
    assert!(
        out.ends_with("<pre class=\"literal-block\">literal &lt;i&gt;\n</pre>"),
        "{out}"
    );

    let options = HtmlOptions {
        highlight: false,
        ..HtmlOptions::default()
    };
    let unhighlighted = render(&doc, &options).body;
    assert!(!unhighlighted.contains("hl-"), "{unhighlighted}");
    assert!(unhighlighted.starts_with("<pre class=\"code rust\"><code>fn main()"));
}

#[test]
fn math_renders_as_mathml_or_falls_back_to_source() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    text(&mut doc, p, Kind::Math, "a^2 + b^2 = c^2");
    text(&mut doc, p, Kind::Math, "\\frac{1}{");
    text(
        &mut doc,
        root,
        Kind::MathBlock,
        "\\int_0^1 x\\,dx\n\n\\sum_i i",
    );
    let out = html(&doc);
    assert!(out.starts_with("<p><math"), "{out}");
    assert!(out.contains("<msup>"), "{out}");
    assert!(
        out.contains("<code class=\"math\">\\frac{1}{</code>"),
        "{out}"
    );
    assert!(out.contains("<div class=\"math-block\"><math"), "{out}");
    assert_eq!(out.matches("display=\"block\"").count(), 2, "{out}");
}

#[test]
fn raw_html_follows_the_policy() {
    let mut doc = Document::default();
    let root = doc.root();
    let code = text(&mut doc, root, Kind::LiteralBlock, "let x = 1;\n");
    doc.attrs_mut(code).set("language", "rust");
    let p = el(&mut doc, root, Kind::Paragraph);
    let raw = text(&mut doc, p, Kind::Raw, "<b onclick=\"evil()\">bold</b>");
    doc.attrs_mut(raw).set("format", "html");
    let block = text(
        &mut doc,
        root,
        Kind::Raw,
        "<script>alert(1)</script><a href=\"javascript:x()\">x</a>",
    );
    doc.attrs_mut(block).set("format", "html");
    let latex = text(&mut doc, root, Kind::Raw, "\\newpage");
    doc.attrs_mut(latex).set("format", "latex");

    let sanitized = render_with(&doc, RawHtmlPolicy::Sanitize);
    assert!(sanitized.has_raw_html);
    let body = &sanitized.body;
    assert!(body.contains("<b>bold</b>"), "{body}");
    assert!(!body.contains("onclick"), "{body}");
    assert!(!body.contains("<script"), "{body}");
    assert!(!body.contains("javascript"), "{body}");
    assert!(!body.contains("newpage"), "{body}");
    assert!(
        body.contains("<span class=\"hl-"),
        "highlighting survives: {body}"
    );

    let escaped = render_with(&doc, RawHtmlPolicy::Escape);
    assert!(!escaped.has_raw_html);
    assert!(escaped
        .body
        .contains("<code class=\"raw-html\">&lt;b onclick=\"evil()\"&gt;bold&lt;/b&gt;</code>"));
    assert!(escaped
        .body
        .contains("<pre class=\"raw-html\">&lt;script&gt;"));

    let allowed = render_with(&doc, RawHtmlPolicy::Allow);
    assert!(allowed.has_raw_html);
    assert!(allowed.body.contains("<b onclick=\"evil()\">bold</b>"));
    assert!(allowed.body.contains("<script>alert(1)</script>"));
}

/// The highlighted `<pre>` of `body`, from its opening tag to `</pre>`.
fn highlighted_block(body: &str) -> &str {
    let start = body
        .find("<pre class=\"code rust hl-code\">")
        .unwrap_or(body.len());
    let end = body[start..]
        .find("</pre>")
        .map_or(body.len(), |e| start + e + 6);
    &body[start..end]
}

#[test]
fn highlighted_code_passes_the_sanitiser_unchanged() {
    let source = "fn main() { let s = \"<i>\"; } // 'x' & y\n";
    let mut plain = Document::default();
    let root = plain.root();
    let code = text(&mut plain, root, Kind::LiteralBlock, source);
    plain.attrs_mut(code).set("language", "rust");
    let mut with_raw = plain.clone();
    let raw = text(
        &mut with_raw,
        root,
        Kind::Raw,
        "<details><summary>more</summary>",
    );
    with_raw.attrs_mut(raw).set("format", "html");

    let expected = html(&plain);
    let sanitized = render_with(&with_raw, RawHtmlPolicy::Sanitize).body;
    assert!(expected.contains("hl-"), "{expected}");
    assert_eq!(highlighted_block(&sanitized), highlighted_block(&expected));
    assert!(
        sanitized.contains("<details><summary>more</summary>"),
        "{sanitized}"
    );
}

#[test]
fn content_cannot_forge_a_stashed_code_marker() {
    let mut doc = Document::default();
    let root = doc.root();
    let code = text(&mut doc, root, Kind::LiteralBlock, "let x = 1;\n");
    doc.attrs_mut(code).set("language", "rust");
    let p = el(&mut doc, root, Kind::Paragraph);
    doc.push_text(p, "forged \u{E000}0\u{E001} marker", span());
    let link = text(&mut doc, p, Kind::Reference, "link");
    doc.attrs_mut(link)
        .set("refuri", "https://example.org/\u{E000}0\u{E001}");
    let raw = text(&mut doc, root, Kind::Raw, "<b>raw</b>");
    doc.attrs_mut(raw).set("format", "html");

    let body = render_with(&doc, RawHtmlPolicy::Sanitize).body;
    assert_eq!(
        body.matches("<pre class=\"code rust hl-code\">").count(),
        1,
        "{body}"
    );
    assert_eq!(
        body.matches("<span class=\"hl-storage hl-type\">let</span>")
            .count(),
        1,
        "{body}"
    );
    assert!(body.contains("forged \u{E000}0\u{E001} marker"), "{body}");
    assert!(body.contains("<b>raw</b>"), "{body}");
}

#[test]
fn documents_without_raw_html_are_not_sanitised() {
    let mut doc = Document::default();
    let root = doc.root();
    let input = el(&mut doc, root, Kind::Paragraph);
    let checkbox = el(&mut doc, input, Kind::TaskCheckbox);
    doc.attrs_mut(checkbox).set("checked", true);
    doc.push_text(input, " done", span());
    let out = render_with(&doc, RawHtmlPolicy::Sanitize);
    assert!(!out.has_raw_html);
    assert_eq!(
        out.body,
        "<p><input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled checked> done</p>"
    );
}

#[test]
fn deep_trees_do_not_overflow_the_stack() {
    // Run on a small stack so a recursive serializer would certainly fail.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut doc = Document::default();
            let mut parent = doc.root();
            for depth in 0..10_000 {
                let kind = if depth % 2 == 0 {
                    Kind::BlockQuote
                } else {
                    Kind::Section
                };
                parent = el(&mut doc, parent, kind);
            }
            let p = el(&mut doc, parent, Kind::Paragraph);
            let mut inline = p;
            for _ in 0..10_000 {
                inline = el(&mut doc, inline, Kind::Emphasis);
            }
            doc.push_text(inline, "bottom", span());
            let out = html(&doc);
            (
                out.matches("<blockquote>").count(),
                out.matches("<em>").count(),
                out.contains("bottom"),
            )
        })
        .expect("spawn test thread");
    let (quotes, ems, bottom) = handle.join().expect("no stack overflow");
    assert_eq!(quotes, 5_000);
    assert_eq!(ems, 10_000);
    assert!(bottom);
}

#[test]
fn lists_definition_field_and_option_lists() {
    let mut doc = Document::default();
    let root = doc.root();
    let list = el(&mut doc, root, Kind::EnumeratedList);
    doc.attrs_mut(list).set("enumtype", "loweralpha");
    doc.attrs_mut(list).set("start", 3i64);
    let item = el(&mut doc, list, Kind::ListItem);
    text(&mut doc, item, Kind::Paragraph, "compact");
    let item = el(&mut doc, list, Kind::ListItem);
    text(&mut doc, item, Kind::Paragraph, "one");
    text(&mut doc, item, Kind::Paragraph, "two");

    let dl = el(&mut doc, root, Kind::DefinitionList);
    let dli = el(&mut doc, dl, Kind::DefinitionListItem);
    text(&mut doc, dli, Kind::Term, "term");
    text(&mut doc, dli, Kind::Classifier, "str");
    text(&mut doc, dli, Kind::Classifier, "optional");
    let def = el(&mut doc, dli, Kind::Definition);
    text(&mut doc, def, Kind::Paragraph, "meaning");

    let fields = el(&mut doc, root, Kind::FieldList);
    let field = el(&mut doc, fields, Kind::Field);
    text(&mut doc, field, Kind::FieldName, "Status");
    let body = el(&mut doc, field, Kind::FieldBody);
    text(&mut doc, body, Kind::Paragraph, "Draft");

    let options = el(&mut doc, root, Kind::OptionList);
    let item = el(&mut doc, options, Kind::OptionListItem);
    let group = el(&mut doc, item, Kind::OptionGroup);
    let option = el(&mut doc, group, Kind::Option);
    text(&mut doc, option, Kind::OptionString, "-f");
    let arg = text(&mut doc, option, Kind::OptionArgument, "FILE");
    doc.attrs_mut(arg).set("delimiter", " ");
    let option = el(&mut doc, group, Kind::Option);
    text(&mut doc, option, Kind::OptionString, "--file");
    let arg = text(&mut doc, option, Kind::OptionArgument, "FILE");
    doc.attrs_mut(arg).set("delimiter", "=");
    let description = el(&mut doc, item, Kind::Description);
    text(&mut doc, description, Kind::Paragraph, "Read FILE.");

    assert_eq!(
        html(&doc),
        "<ol class=\"loweralpha\" type=\"a\" start=\"3\"><li>compact</li><li><p>one</p><p>two</p></li></ol>\
         <dl><dt>term<span class=\"classifier-delimiter\">:</span> <span class=\"classifier\">str</span>\
         <span class=\"classifier-delimiter\">:</span> <span class=\"classifier\">optional</span></dt>\
         <dd><p>meaning</p></dd></dl>\
         <dl class=\"field-list\"><dt>Status<span class=\"colon\">:</span></dt><dd>Draft</dd></dl>\
         <dl class=\"option-list\"><dt><kbd><span class=\"option\">-f <var>FILE</var></span>, \
         <span class=\"option\">--file=<var>FILE</var></span></kbd></dt><dd>Read FILE.</dd></dl>"
    );
}

#[test]
fn line_blocks_quotes_and_doctests() {
    let mut doc = Document::default();
    let root = doc.root();
    let lines = el(&mut doc, root, Kind::LineBlock);
    text(&mut doc, lines, Kind::Line, "first");
    el(&mut doc, lines, Kind::Line);
    let quote = el(&mut doc, root, Kind::BlockQuote);
    doc.attrs_mut(quote).push("classes", "epigraph");
    text(&mut doc, quote, Kind::Paragraph, "Words.");
    text(&mut doc, quote, Kind::Attribution, "Someone");
    text(&mut doc, root, Kind::DoctestBlock, ">>> 1 + 1\n2");
    el(&mut doc, root, Kind::Transition);
    let out = html(&doc);
    assert!(out.starts_with(
        "<div class=\"line-block\"><div class=\"line\">first</div><div class=\"line\"><br></div></div>\
         <blockquote class=\"epigraph\"><p>Words.</p><p class=\"attribution\">\u{2014}Someone</p></blockquote>\
         <pre class=\"code python doctest\"><code>"
    ), "{out}");
    assert!(
        out.ends_with("</code></pre><hr class=\"docutils\">"),
        "{out}"
    );
}

#[test]
fn invisible_nodes_write_nothing_but_targets_keep_anchors() {
    let mut doc = Document::default();
    let root = doc.root();
    text(&mut doc, root, Kind::Comment, "secret comment");
    text(&mut doc, root, Kind::SubstitutionDefinition, "subst");
    el(&mut doc, root, Kind::Pending);
    let internal = el(&mut doc, root, Kind::Target);
    doc.attrs_mut(internal).push("ids", "anchor-here");
    let external = el(&mut doc, root, Kind::Target);
    doc.attrs_mut(external).push("ids", "python");
    doc.attrs_mut(external).set("refuri", "https://python.org");
    let index = el(&mut doc, root, Kind::Index);
    doc.attrs_mut(index).set("entry", "pair: a; b");
    assert_eq!(html(&doc), "<span id=\"anchor-here\"></span>");
}

#[test]
fn system_messages_and_problematic_are_discreet() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    let problem = text(&mut doc, p, Kind::Problematic, ":bogus:`x`");
    doc.attrs_mut(problem).set("refid", "msg-1");
    doc.attrs_mut(problem).push("ids", "prob-1");
    let message = el(&mut doc, root, Kind::SystemMessage);
    doc.attrs_mut(message).push("ids", "msg-1");
    doc.attrs_mut(message).set("level", 3i64);
    doc.attrs_mut(message).set("type", "ERROR");
    doc.attrs_mut(message).set("line", 7i64);
    text(
        &mut doc,
        message,
        Kind::Paragraph,
        "Unknown interpreted text role \"bogus\".",
    );
    let info = el(&mut doc, root, Kind::SystemMessage);
    doc.attrs_mut(info).set("level", 1i64);
    text(&mut doc, info, Kind::Paragraph, "info only");
    let out = html(&doc);
    assert!(out.contains(
        "<span id=\"prob-1\" class=\"problematic\" title=\"Unknown interpreted text role &quot;bogus&quot;.\">:bogus:`x`</span>"
    ), "{out}");
    assert!(out.contains(
        "<aside id=\"msg-1\" class=\"system-message\" role=\"note\"><details><summary>ERROR (line 7)</summary>"
    ), "{out}");
    assert!(!out.contains("info only"), "{out}");
}

struct SiteLinks;

impl LinkResolver for SiteLinks {
    fn rewrite_uri(&self, uri: &str) -> Option<String> {
        uri.strip_suffix(".md").map(|stem| format!("../{stem}/"))
    }

    fn resolve_xref(&self, reftype: &str, target: &str) -> Option<String> {
        match (reftype, target) {
            ("doc", "specs/known") => Some("../known/".into()),
            ("ref", "label") => Some("../page/#label".into()),
            _ => None,
        }
    }
}

#[test]
fn links_and_cross_references_go_through_the_resolver() {
    let mut doc = Document::default();
    let root = doc.root();
    let p = el(&mut doc, root, Kind::Paragraph);
    let relative = text(&mut doc, p, Kind::Reference, "other spec");
    doc.attrs_mut(relative).set("refuri", "0002-other.md");
    let internal = text(&mut doc, p, Kind::Reference, "below");
    doc.attrs_mut(internal).set("refid", "below");
    for (target, title) in [("label", "Known"), ("missing", "Missing")] {
        let xref = el(&mut doc, p, Kind::PendingXref);
        doc.attrs_mut(xref).set("reftype", "ref");
        doc.attrs_mut(xref).set("reftarget", target);
        let inner = text(&mut doc, xref, Kind::Inline, title);
        doc.attrs_mut(inner).push("classes", "xref");
    }
    let compound = el(&mut doc, root, Kind::Compound);
    doc.attrs_mut(compound).push("classes", "toctree-wrapper");
    let toctree = el(&mut doc, compound, Kind::Toctree);
    doc.attrs_mut(toctree).set("caption", "Specs");
    for (target, title) in [("specs/known", Some("Known spec")), ("specs/unknown", None)] {
        let entry = el(&mut doc, toctree, Kind::ToctreeEntry);
        doc.attrs_mut(entry).set("target", target);
        if let Some(title) = title {
            doc.attrs_mut(entry).set("title", title);
        }
    }
    let options = HtmlOptions {
        links: &SiteLinks,
        ..HtmlOptions::default()
    };
    let out = render(&doc, &options).body;
    assert!(
        out.contains("<a class=\"reference internal\" href=\"../0002-other/\">other spec</a>"),
        "{out}"
    );
    assert!(
        out.contains("<a class=\"reference internal\" href=\"#below\">below</a>"),
        "{out}"
    );
    assert!(out.contains(
        "<a class=\"reference internal\" href=\"../page/#label\"><span class=\"xref\">Known</span></a>"
    ), "{out}");
    assert!(out.contains(
        "<span class=\"xref-unresolved\" title=\"unresolved reference: missing\"><span class=\"xref\">Missing</span></span>"
    ), "{out}");
    assert!(out.contains(
        "<div class=\"compound toctree-wrapper\"><nav class=\"toctree\"><p class=\"caption\" role=\"heading\">\
         <span class=\"caption-text\">Specs</span></p><ul><li class=\"toctree-l1\">\
         <a class=\"reference internal\" href=\"../known/\">Known spec</a></li></ul></nav></div>"
    ), "{out}");
    assert!(!out.contains("unknown"), "{out}");
}

#[test]
fn sphinx_nodes_render_sensibly() {
    let mut doc = Document::default();
    let root = doc.root();
    let added = el(&mut doc, root, Kind::VersionModified);
    doc.attrs_mut(added).set("type", "versionadded");
    doc.attrs_mut(added).set("version", "2025.1");
    text(&mut doc, added, Kind::Paragraph, "First line.");
    let deprecated = el(&mut doc, root, Kind::VersionModified);
    doc.attrs_mut(deprecated).set("type", "deprecated");
    doc.attrs_mut(deprecated).set("version", "3");

    let diagram = text(&mut doc, root, Kind::Diagram, "seqdiag { A -> B; }");
    doc.attrs_mut(diagram).set("kind", "seqdiag");
    doc.attrs_mut(diagram).set("alt", "sequence");

    let todo = el(&mut doc, root, Kind::TodoNode);
    doc.attrs_mut(todo).push("classes", "admonition-todo");
    text(&mut doc, todo, Kind::Title, "Todo");
    text(&mut doc, todo, Kind::Paragraph, "Finish.");

    let hidden = el(&mut doc, root, Kind::Only);
    doc.attrs_mut(hidden).set("expr", "latex");
    text(&mut doc, hidden, Kind::Paragraph, "latex only");
    let shown = el(&mut doc, root, Kind::Only);
    doc.attrs_mut(shown).set("expr", "html");
    text(&mut doc, shown, Kind::Paragraph, "html only");

    let desc = el(&mut doc, root, Kind::Desc);
    doc.attrs_mut(desc).set("domain", "py");
    doc.attrs_mut(desc).set("objtype", "function");
    text(&mut doc, desc, Kind::DescSignature, "spawn(context)");
    let content = el(&mut doc, desc, Kind::DescContent);
    text(&mut doc, content, Kind::Paragraph, "Spawn.");

    let hlist = el(&mut doc, root, Kind::Hlist);
    for item_text in ["a", "b"] {
        let col = el(&mut doc, hlist, Kind::Hlistcol);
        let list = el(&mut doc, col, Kind::BulletList);
        let item = el(&mut doc, list, Kind::ListItem);
        text(&mut doc, item, Kind::Paragraph, item_text);
    }
    let centered = text(&mut doc, root, Kind::Centered, "Middle");
    let _ = centered;
    let strong = el(&mut doc, root, Kind::Paragraph);
    let command = text(&mut doc, strong, Kind::LiteralStrong, "make");
    doc.attrs_mut(command).push("classes", "command");

    let out = html(&doc);
    assert!(out.starts_with(
        "<div class=\"versionadded\"><p><span class=\"versionmodified added\">Added in version 2025.1: </span>First line.</p></div>\
         <div class=\"deprecated\"><p><span class=\"versionmodified deprecated\">Deprecated since version 3.</span></p></div>"
    ), "{out}");
    assert!(out.contains(
        "<figure class=\"diagram diagram-seqdiag\"><pre class=\"diagram-source\"><code>seqdiag { A -&gt; B; }</code></pre>\
         <figcaption>sequence <span class=\"diagram-kind\">(seqdiag diagram)</span></figcaption></figure>"
    ), "{out}");
    assert!(out.contains(
        "<aside class=\"admonition admonition-todo\" role=\"note\"><p class=\"admonition-title\">Todo</p><p>Finish.</p></aside>"
    ), "{out}");
    assert!(!out.contains("latex only"), "{out}");
    assert!(out.contains("<p>html only</p>"), "{out}");
    assert!(out.contains(
        "<dl class=\"py function\"><dt class=\"sig sig-object py\"><code class=\"sig\">spawn(context)</code></dt><dd><p>Spawn.</p></dd></dl>"
    ), "{out}");
    assert!(out.contains(
        "<table class=\"hlist\"><tr><td><ul><li>a</li></ul></td><td><ul><li>b</li></ul></td></tr></table>"
    ), "{out}");
    assert!(
        out.contains("<p class=\"centered\"><strong>Middle</strong></p>"),
        "{out}"
    );
    assert!(
        out.contains("<strong class=\"command\"><code>make</code></strong>"),
        "{out}"
    );
}

#[test]
fn docinfo_fields_are_labelled() {
    let mut doc = Document::default();
    let root = doc.root();
    let docinfo = el(&mut doc, root, Kind::Docinfo);
    text(&mut doc, docinfo, Kind::Author, "Ada");
    text(&mut doc, docinfo, Kind::Status, "Draft");
    assert_eq!(
        html(&doc),
        "<dl class=\"docinfo\"><dt class=\"author\">Author<span class=\"colon\">:</span></dt>\
         <dd class=\"author\">Ada</dd><dt class=\"status\">Status<span class=\"colon\">:</span></dt>\
         <dd class=\"status\">Draft</dd></dl>"
    );
}

#[test]
fn markdown_alerts_and_tight_lists() {
    let mut doc = Document::default();
    let root = doc.root();
    let alert = el(&mut doc, root, Kind::Important);
    text(&mut doc, alert, Kind::Paragraph, "Read this.");
    let list = el(&mut doc, root, Kind::BulletList);
    doc.attrs_mut(list).push("classes", "simple");
    let item = el(&mut doc, list, Kind::ListItem);
    let p = el(&mut doc, item, Kind::Paragraph);
    el(&mut doc, p, Kind::TaskCheckbox);
    doc.push_text(p, " todo", span());
    let p = el(&mut doc, root, Kind::Paragraph);
    doc.push_text(p, "line one", span());
    el(&mut doc, p, Kind::LineBreak);
    doc.push_text(p, "line two", span());
    assert_eq!(
        html(&doc),
        "<aside class=\"admonition important\" role=\"note\"><p class=\"admonition-title\">Important</p><p>Read this.</p></aside>\
         <ul class=\"simple\"><li><input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled> todo</li></ul>\
         <p>line one<br>line two</p>"
    );
}
