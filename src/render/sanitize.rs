//! Sanitising of rendered HTML bodies that contain raw HTML from content.
//!
//! Sits at the end of `render::html::render`: only when a document carried
//! raw HTML (Markdown HTML, RST `raw`) and the policy is
//! [`RawHtmlPolicy::Sanitize`](crate::markup::RawHtmlPolicy), the finished
//! body goes through [`sanitize_html`]. Sanitising the whole body rather than
//! each raw fragment lets the HTML parser see tags that open in one fragment
//! and close in another, exactly as a browser would.
//!
//! The rules follow GitHub's: no scripts, styles, frames, objects or forms, no
//! event handlers, no `javascript:`/`vbscript:`/`data:` URLs, and
//! `rel="noopener noreferrer"` on links. The allow-list is built around what
//! our own serializer emits (classes, ids, highlighting spans, table spans,
//! `details`, task checkboxes, MathML, `aside`/`figure`/`section`, anchors,
//! `aria-*`, `role`), so one raw `<b>` never costs a page its structure.

use std::borrow::Cow;
use std::sync::OnceLock;

use ammonia::Builder;

/// Elements added to ammonia's default allow-list (which already has the
/// common text, list, table and `details`/`summary` elements).
const EXTRA_TAGS: &[&str] = &["section", "input", "math", "label"];

/// MathML Core presentation elements, as written by the LaTeX converter.
const MATHML_TAGS: &[&str] = &[
    "annotation",
    "maction",
    "menclose",
    "merror",
    "mfrac",
    "mi",
    "mmultiscripts",
    "mn",
    "mo",
    "mover",
    "mpadded",
    "mphantom",
    "mprescripts",
    "mroot",
    "mrow",
    "ms",
    "mspace",
    "msqrt",
    "mstyle",
    "msub",
    "msubsup",
    "msup",
    "mtable",
    "mtd",
    "mtext",
    "mtr",
    "munder",
    "munderover",
    "none",
    "semantics",
];

/// Attributes allowed on every element: ours carry classes, ids (anchors,
/// footnotes) and ARIA roles.
const GENERIC_ATTRIBUTES: &[&str] = &["class", "id", "role", "lang", "title", "dir"];

/// Presentation attributes of MathML elements (none of them takes a URL or
/// script).
const MATHML_ATTRIBUTES: &[&str] = &[
    "accent",
    "accentunder",
    "columnalign",
    "columnlines",
    "columnspacing",
    "depth",
    "display",
    "displaystyle",
    "encoding",
    "fence",
    "form",
    "height",
    "largeop",
    "linethickness",
    "lspace",
    "mathbackground",
    "mathcolor",
    "mathsize",
    "mathvariant",
    "maxsize",
    "minsize",
    "movablelimits",
    "notation",
    "rowalign",
    "rowlines",
    "rowspacing",
    "rspace",
    "scriptlevel",
    "separator",
    "stretchy",
    "symmetric",
    "voffset",
    "width",
    "xmlns",
];

fn builder() -> &'static Builder<'static> {
    static BUILDER: OnceLock<Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut builder = Builder::default();
        builder
            .add_tags(EXTRA_TAGS)
            .add_tags(MATHML_TAGS)
            .add_generic_attributes(GENERIC_ATTRIBUTES)
            .add_generic_attribute_prefixes(["aria-"])
            .add_tag_attributes("a", ["name"])
            .add_tag_attributes("img", ["loading", "decoding"])
            .add_tag_attributes("ol", ["type", "reversed"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes("abbr", ["title"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            // A checkbox from content may only ever be a read-only checkbox:
            // the type and `disabled` are forced, whatever was written.
            .set_tag_attribute_value("input", "type", "checkbox")
            .set_tag_attribute_value("input", "disabled", "");
        for tag in MATHML_TAGS.iter().chain(["math"].iter()) {
            builder.add_tag_attributes(tag, MATHML_ATTRIBUTES);
        }
        builder.attribute_filter(filter_attribute);
        builder
    })
}

/// Last line of defence on attribute values: ids and classes keep only
/// characters our slugs and classes use, and MathML's `mathcolor`/
/// `mathbackground` stay plain colours.
fn filter_attribute<'u>(_element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        "mathcolor" | "mathbackground" => value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '#')
            .then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Sanitise an HTML fragment (a page body) by GitHub-like rules, keeping
/// every construct our serializer emits.
pub fn sanitize_html(html: &str) -> String {
    builder().clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dangerous_constructs_vanish() {
        let dirty = concat!(
            "<script>alert(1)</script>",
            "<style>body{display:none}</style>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<object data=\"x.swf\"></object>",
            "<form action=\"/steal\"><input type=\"text\" name=\"pw\"></form>",
            "<a href=\"javascript:alert(1)\" onclick=\"alert(2)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">y</a>",
            "<a href=\"vbscript:msgbox(1)\">v</a>",
            "<img src=\"data:image/svg+xml;base64,PHN2Zz4=\" onerror=\"alert(3)\">",
            "<p style=\"position:fixed\" onmouseover=\"alert(4)\">p</p>",
        );
        let clean = sanitize_html(dirty);
        for bad in [
            "<script",
            "alert(1)",
            "<style",
            "<iframe",
            "<object",
            "<form",
            "javascript:",
            "JaVaScRiPt",
            "vbscript",
            "onclick",
            "onerror",
            "data:",
            "style=",
            "onmouseover",
            "type=\"text\"",
        ] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.contains("<p>p</p>"), "{clean}");
    }

    #[test]
    fn links_get_noopener() {
        let clean = sanitize_html("<a href=\"https://example.org/\">x</a>");
        assert_eq!(
            clean,
            "<a href=\"https://example.org/\" rel=\"noopener noreferrer\">x</a>"
        );
    }

    #[test]
    fn our_own_constructs_survive() {
        let ours = concat!(
            "<section id=\"intro\"><h2>Intro<a class=\"anchor\" href=\"#intro\" aria-label=\"Link to this section\">#</a></h2>",
            "<pre class=\"code rust hl-code\"><code><span class=\"hl-source hl-rust\"><span class=\"hl-keyword\">fn</span></span></code></pre>",
            "<table class=\"docutils\"><thead><tr><th class=\"head\" colspan=\"2\">h</th></tr></thead>",
            "<tbody><tr><td rowspan=\"2\" align=\"center\">a</td><th class=\"stub\">b</th></tr></tbody></table>",
            "<details><summary>more</summary>hidden</details>",
            "<ul class=\"contains-task-list\"><li><input type=\"checkbox\" disabled=\"\" checked=\"\"> done</li></ul>",
            "<aside class=\"admonition note\" role=\"note\"><p class=\"admonition-title\">Note</p></aside>",
            "<figure class=\"align-center\"><img src=\"a.png\" alt=\"A\" width=\"200\"><figcaption><p>Cap</p></figcaption></figure>",
            "<math display=\"block\"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>",
            "<a class=\"footnote-reference brackets\" href=\"#fn1\" id=\"r1\" role=\"doc-noteref\">1</a>",
            "<abbr title=\"Application Programming Interface\">API</abbr>",
            "</section>",
        );
        let clean = sanitize_html(ours);
        for good in [
            "<section id=\"intro\">",
            "class=\"anchor\"",
            "aria-label=\"Link to this section\"",
            "<span class=\"hl-keyword\">fn</span>",
            "colspan=\"2\"",
            "rowspan=\"2\"",
            "align=\"center\"",
            "<th class=\"stub\">",
            "<details><summary>more</summary>",
            "checked=\"\"",
            "disabled=\"\"",
            "type=\"checkbox\"",
            "<aside class=\"admonition note\" role=\"note\">",
            "<figcaption><p>Cap</p></figcaption>",
            "<math display=\"block\"><mrow><msup><mi>x</mi><mn>2</mn></msup></mrow></math>",
            "role=\"doc-noteref\"",
            "id=\"r1\"",
            "<abbr title=\"Application Programming Interface\">",
        ] {
            assert!(clean.contains(good), "{good} lost in {clean}");
        }
    }

    #[test]
    fn inputs_from_content_are_forced_to_disabled_checkboxes() {
        let clean = sanitize_html("<input type=\"password\" value=\"x\">");
        assert!(clean.contains("type=\"checkbox\""), "{clean}");
        assert!(clean.contains("disabled"), "{clean}");
        assert!(!clean.contains("password"), "{clean}");
        assert!(!clean.contains("value"), "{clean}");
    }
}

#[cfg(test)]
mod deep_tests {
    use super::*;

    #[test]
    fn deeply_nested_raw_html_does_not_overflow() {
        let depth = 10_000;
        let html = format!("{}x{}", "<div>".repeat(depth), "</div>".repeat(depth));
        let clean = sanitize_html(&html);
        assert!(clean.contains('x'));
    }
}
