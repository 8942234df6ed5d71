//! One raw `<b>` in a document must not cost the rest of the page its
//! structure: everything the serializer writes survives sanitising.

use std::collections::BTreeMap;

use specsite::markup::doc::{Document, Kind, NodeId};
use specsite::markup::RawHtmlPolicy;
use specsite::render::html::{render, HtmlOptions};
use specsite::source::Span;

fn el(doc: &mut Document, parent: NodeId, kind: Kind) -> NodeId {
    doc.push(parent, kind, Span::default())
}

fn text(doc: &mut Document, parent: NodeId, kind: Kind, content: &str) -> NodeId {
    let node = el(doc, parent, kind);
    doc.push_text(node, content, Span::default());
    node
}

/// A document touching most of what the serializer writes.
fn rich_document() -> Document {
    let mut doc = Document::default();
    let root = doc.root();
    let section = el(&mut doc, root, Kind::Section);
    doc.attrs_mut(section).push("ids", "design");
    text(&mut doc, section, Kind::Title, "Design");
    let p = el(&mut doc, section, Kind::Paragraph);
    doc.push_text(p, "See ", Span::default());
    let link = text(&mut doc, p, Kind::Reference, "docs");
    doc.attrs_mut(link)
        .set("refuri", "https://example.org/docs");
    let fnref = text(&mut doc, p, Kind::FootnoteReference, "1");
    doc.attrs_mut(fnref).set("refid", "fn-1");
    doc.attrs_mut(fnref).push("ids", "r-1");
    text(&mut doc, p, Kind::Math, "x^2");
    let raw = text(&mut doc, p, Kind::Raw, "<b>raw</b>");
    doc.attrs_mut(raw).set("format", "html");
    let code = text(&mut doc, section, Kind::LiteralBlock, "fn main() {}\n");
    doc.attrs_mut(code).set("language", "rust");
    let note = el(&mut doc, section, Kind::Note);
    text(&mut doc, note, Kind::Paragraph, "Careful.");
    let table = el(&mut doc, section, Kind::Table);
    let tgroup = el(&mut doc, table, Kind::Tgroup);
    el(&mut doc, tgroup, Kind::Colspec);
    el(&mut doc, tgroup, Kind::Colspec);
    let tbody = el(&mut doc, tgroup, Kind::Tbody);
    let row = el(&mut doc, tbody, Kind::Row);
    let wide = text(&mut doc, row, Kind::Entry, "wide");
    doc.attrs_mut(wide).set("morecols", 1i64);
    doc.attrs_mut(wide).set("morerows", 1i64);
    let figure = el(&mut doc, section, Kind::Figure);
    let image = el(&mut doc, figure, Kind::Image);
    doc.attrs_mut(image).set("uri", "a.png");
    doc.attrs_mut(image).set("width", "100");
    text(&mut doc, figure, Kind::Caption, "Caption");
    let list = el(&mut doc, section, Kind::BulletList);
    let item = el(&mut doc, list, Kind::ListItem);
    let item_p = el(&mut doc, item, Kind::Paragraph);
    el(&mut doc, item_p, Kind::TaskCheckbox);
    let message = el(&mut doc, section, Kind::SystemMessage);
    doc.attrs_mut(message).set("level", 2i64);
    doc.attrs_mut(message).set("type", "WARNING");
    text(&mut doc, message, Kind::Paragraph, "Something odd.");
    let footnote = el(&mut doc, section, Kind::Footnote);
    doc.attrs_mut(footnote).push("ids", "fn-1");
    doc.attrs_mut(footnote).push("backrefs", "r-1");
    text(&mut doc, footnote, Kind::Label, "1");
    text(&mut doc, footnote, Kind::Paragraph, "Note text.");
    let abbr = text(&mut doc, section, Kind::Abbreviation, "API");
    doc.attrs_mut(abbr).set("explanation", "Interface");
    doc
}

/// Every `name="value"` attribute in `html`, counted.
fn attributes(html: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut rest = html;
    while let Some(start) = rest.find("=\"") {
        let name_start = rest[..start]
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |i| i + 1);
        let after = &rest[start + 2..];
        let Some(end) = after.find('"') else { break };
        let attribute = format!("{}={}", &rest[name_start..start], &after[..end]);
        *counts.entry(attribute).or_insert(0) += 1;
        rest = &after[end + 1..];
    }
    counts
}

fn tags(html: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for piece in html.split('<').skip(1) {
        let name: String = piece
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
            .collect();
        *counts.entry(name).or_insert(0) += 1;
    }
    counts
}

#[test]
fn sanitising_keeps_every_tag_and_attribute_we_write() {
    let doc = rich_document();
    let render_as = |raw_html| {
        let options = HtmlOptions {
            raw_html,
            ..HtmlOptions::default()
        };
        render(&doc, &options)
    };
    let trusted = render_as(RawHtmlPolicy::Allow);
    let sanitized = render_as(RawHtmlPolicy::Sanitize);
    assert!(sanitized.has_raw_html);
    assert_ne!(trusted.body, sanitized.body, "sanitising did run");

    assert_eq!(tags(&trusted.body), tags(&sanitized.body));
    let mut expected = attributes(&trusted.body);
    let mut actual = attributes(&sanitized.body);
    // ammonia adds rel to links and writes boolean attributes as `x=""`.
    actual.remove("rel=noopener noreferrer");
    for flag in ["disabled=", "checked="] {
        actual.remove(flag);
        expected.remove(flag);
    }
    assert_eq!(expected, actual);
    assert!(sanitized.body.contains("<b>raw</b>"));
}
