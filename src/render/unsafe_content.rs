//! Warnings for content the renderer will not publish as written.
//!
//! Runs per spec right after parsing (from `build::parse_spec`), on the
//! document tree, so each warning has the node's span; the renderer itself
//! stays pure and silent. It names what the HTML serializer and sanitiser
//! will drop: links and images whose URL has a script-capable scheme
//! (`javascript:`, `vbscript:`, `data:`), and raw HTML holding scripts,
//! frames, forms, event handlers or such URLs. An author learns why a link
//! is dead or a widget is missing instead of finding out from the page.

use crate::diag::Diagnostic;
use crate::markup::doc::{Document, Kind, Value};
use crate::markup::RawHtmlPolicy;
use crate::render::html::safe_url;

/// Attributes of tree nodes that become `href`/`src` values.
const URL_ATTRIBUTES: &[&str] = &["refuri", "uri", "target"];

/// Elements the sanitiser removes with their content or their tags.
const REMOVED_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "frame", "object", "embed", "form", "meta", "base", "link",
    "noscript", "svg",
];

/// Every warning for `doc` under `policy` (raw HTML is only a concern when
/// it is sanitised; passed through or escaped, it is shown as written).
pub fn lint(doc: &Document, policy: RawHtmlPolicy) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for node in doc.descendants(doc.root()) {
        let attrs = doc.attrs(node);
        for name in URL_ATTRIBUTES {
            let Some(url) = attrs.str(name) else {
                continue;
            };
            if safe_url(url).is_none() {
                diagnostics.push(
                    Diagnostic::warning(
                        "render/unsafe-url",
                        format!(
                            "the URL {:?} has a scheme that can run code; the link is published without it",
                            shorten(url)
                        ),
                    )
                    .with_span(doc.span(node))
                    .with_help("link to an http(s) page or a relative path; javascript:, vbscript: and data: URLs are never followed"),
                );
            }
        }
        if doc.kind(node) == Kind::Raw && policy == RawHtmlPolicy::Sanitize && is_html(doc, node) {
            if let Some(what) = removed_part(&doc.text_content(node)) {
                diagnostics.push(
                    Diagnostic::warning(
                        "render/raw-html-removed",
                        format!("raw HTML {what} is removed when the page is sanitised"),
                    )
                    .with_span(doc.span(node))
                    .with_help("scripts, frames, forms, event handlers and script URLs never reach the site; set `raw_html = \"allow\"` under [markup] only if every author is trusted"),
                );
            }
        }
    }
    diagnostics
}

fn is_html(doc: &Document, node: crate::markup::doc::NodeId) -> bool {
    match doc.attrs(node).get("format") {
        Some(Value::Str(formats)) => formats.split_whitespace().any(|f| f == "html"),
        Some(Value::List(formats)) => formats.iter().any(|f| f == "html"),
        _ => false,
    }
}

/// What in `html` the sanitiser drops, described for a person; `None`
/// when nothing of that kind is there.
fn removed_part(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for element in REMOVED_ELEMENTS {
        let open = format!("<{element}");
        let found = lower.match_indices(&open).any(|(at, _)| {
            lower
                .as_bytes()
                .get(at + open.len())
                .is_none_or(|&next| next.is_ascii_whitespace() || matches!(next, b'>' | b'/'))
        });
        if found {
            return Some(format!("element <{element}>"));
        }
    }
    if let Some(handler) = event_handler(&lower) {
        return Some(format!("event handler `{handler}`"));
    }
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .find(|scheme| lower.contains(*scheme))
        .map(|scheme| format!("URL with `{scheme}`"))
}

/// The first `on…=` attribute name inside a tag of `lower`.
fn event_handler(lower: &str) -> Option<&str> {
    let bytes = lower.as_bytes();
    let mut in_tag = false;
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'<' => in_tag = true,
            b'>' => in_tag = false,
            b'o' if in_tag
                && at > 0
                && bytes
                    .get(at - 1)
                    .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/')
                && bytes.get(at + 1) == Some(&b'n') =>
            {
                let name_end = bytes
                    .get(at + 2..)?
                    .iter()
                    .position(|b| !b.is_ascii_alphabetic())
                    .map_or(bytes.len(), |n| at + 2 + n);
                let after = lower.get(name_end..)?.trim_start();
                if name_end > at + 2 && after.starts_with('=') {
                    return lower.get(at..name_end);
                }
            }
            _ => {}
        }
    }
    None
}

/// At most 60 characters of `url`, for a message.
fn shorten(url: &str) -> String {
    let mut short: String = url.chars().take(60).collect();
    if short.len() < url.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_the_sanitiser_removes() {
        assert_eq!(
            removed_part("<p>a</p><SCRIPT>x</SCRIPT>").as_deref(),
            Some("element <script>")
        );
        assert_eq!(
            removed_part("<img src=x onerror=\"alert(1)\">").as_deref(),
            Some("event handler `onerror`")
        );
        assert_eq!(
            removed_part("<a href=\"JavaScript:x\">a</a>").as_deref(),
            Some("URL with `javascript:`")
        );
        assert_eq!(
            removed_part("<b>bold</b> <span>one=two</span> <strong>"),
            None
        );
        assert_eq!(removed_part("<linkage>"), None);
    }

    #[test]
    fn unsafe_links_are_reported_with_their_place() {
        let parsed =
            crate::markup::markdown::parse("see [a](javascript:alert(1)) and [b](https://x.org)\n");
        let diagnostics = lint(&parsed.doc, RawHtmlPolicy::Sanitize);
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert_eq!(diagnostics[0].code, "render/unsafe-url");
        let span = diagnostics[0].location.as_ref().map(|l| l.span);
        assert_eq!(span.map(|s| s.start), Some(4));
    }
}
