//! Internal link and anchor checking on the built [`OutputTree`].
//!
//! Runs after rendering, on the HTML every template and spec produced, so a
//! broken link in a theme counts as much as one in a spec. The scanner here
//! is deliberately small: it reads tags and their attributes (skipping
//! comments and the raw text of `<script>`/`<style>`) and nothing else —
//! enough to find every `href`, `src` and `id` the renderer writes, with no
//! recursion and linear time on any input.

use std::collections::{BTreeSet, HashMap};

use crate::diag::Diagnostic;
use crate::output::OutputTree;
use crate::source::Span;

/// What one HTML page links to and which fragment targets it defines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// Values of `id` attributes and of `name` on `<a>`.
    pub anchors: BTreeSet<String>,
    /// `href`/`src` values in document order, entities decoded.
    pub references: Vec<String>,
}

/// Decode the character references an attribute value may hold.
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Byte search: the 12-byte window may end inside a character.
        let window = &rest.as_bytes()[..rest.len().min(12)];
        let Some(semi) = window.iter().position(|&b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Scan one HTML page for its anchors and references.
pub fn scan_html(html: &str) -> PageLinks {
    let mut links = PageLinks::default();
    let bytes = html.as_bytes();
    let mut at = 0;
    while let Some(offset) = html[at..].find('<') {
        let start = at + offset;
        if html[start..].starts_with("<!--") {
            at = html[start..]
                .find("-->")
                .map_or(html.len(), |end| start + end + 3);
            continue;
        }
        let mut cursor = start + 1;
        let name_start = cursor;
        while cursor < bytes.len() && bytes[cursor].is_ascii_alphanumeric() {
            cursor += 1;
        }
        if cursor == name_start {
            at = start + 1;
            continue;
        }
        // Compared case-insensitively in place: pages are mostly tags
        // (highlighted code is a span per token), so no per-tag allocation.
        let tag = &html[name_start..cursor];
        let tag_is = |name: &str| tag.eq_ignore_ascii_case(name);
        // Attributes until the closing `>`, honouring quotes.
        loop {
            while cursor < bytes.len()
                && (bytes[cursor].is_ascii_whitespace() || bytes[cursor] == b'/')
            {
                cursor += 1;
            }
            if cursor >= bytes.len() || bytes[cursor] == b'>' {
                break;
            }
            let attr_start = cursor;
            while cursor < bytes.len()
                && !bytes[cursor].is_ascii_whitespace()
                && !matches!(bytes[cursor], b'=' | b'>' | b'/')
            {
                cursor += 1;
            }
            let attr = &html[attr_start..cursor];
            if cursor == attr_start {
                cursor += 1;
                continue;
            }
            let mut value = None;
            if cursor < bytes.len() && bytes[cursor] == b'=' {
                cursor += 1;
                match bytes.get(cursor) {
                    Some(&quote @ (b'"' | b'\'')) => {
                        let value_start = cursor + 1;
                        let end = html[value_start..]
                            .find(quote as char)
                            .map_or(html.len(), |e| value_start + e);
                        value = Some(&html[value_start..end]);
                        cursor = (end + 1).min(html.len());
                    }
                    _ => {
                        let value_start = cursor;
                        while cursor < bytes.len()
                            && !bytes[cursor].is_ascii_whitespace()
                            && bytes[cursor] != b'>'
                        {
                            cursor += 1;
                        }
                        value = Some(&html[value_start..cursor]);
                    }
                }
            }
            let Some(value) = value else { continue };
            let attr_is = |name: &str| attr.eq_ignore_ascii_case(name);
            let is_anchor = attr_is("id") || (attr_is("name") && tag_is("a"));
            let is_reference = (attr_is("href")
                && (tag_is("a") || tag_is("link") || tag_is("area")))
                || (attr_is("src")
                    && (tag_is("img") || tag_is("script") || tag_is("iframe") || tag_is("source")));
            if is_anchor {
                links.anchors.insert(decode_entities(value));
            } else if is_reference {
                links.references.push(decode_entities(value));
            }
        }
        at = (cursor + 1).min(html.len());
        if tag_is("script") || tag_is("style") {
            let close = format!("</{}", tag.to_ascii_lowercase());
            at = find_ascii_case_insensitive(html, at, &close).unwrap_or(html.len());
        }
    }
    links
}

/// Where `needle` (ASCII) next occurs in `haystack` at or after `from`,
/// ignoring ASCII case; no copy of the haystack, so a page with many
/// `<script>` tags stays linear.
fn find_ascii_case_insensitive(haystack: &str, from: usize, needle: &str) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let needle = needle.as_bytes();
    let last = bytes.len().checked_sub(needle.len())?;
    (from..=last).find(|&at| bytes[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

/// Decode `%XX` escapes of a URL path or fragment (invalid ones are kept).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((high * 16 + low) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a reference leaves the site (has a scheme or is protocol-relative).
pub fn is_external(reference: &str) -> bool {
    if reference.starts_with("//") {
        return true;
    }
    let Some(colon) = reference.find(':') else {
        return false;
    };
    let scheme = &reference[..colon];
    !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Where an internal reference from `page` leads: (site path, fragment).
/// `base_path` (e.g. `/repo/`) is how root-absolute links start. `None`
/// when the path climbs above the site root or misses the base path.
pub fn resolve(page: &str, reference: &str, base_path: &str) -> Option<(String, Option<String>)> {
    let without_query = |s: &str| {
        s.split_once('?')
            .map_or(s.to_string(), |(p, _)| p.to_string())
    };
    let (path, fragment) = match reference.split_once('#') {
        Some((path, fragment)) => (without_query(path), Some(percent_decode(fragment))),
        None => (without_query(reference), None),
    };
    let path = percent_decode(&path);
    if path.is_empty() {
        return Some((page.to_string(), fragment));
    }
    let mut parts: Vec<&str> = Vec::new();
    let relative: &str = if let Some(absolute) = path.strip_prefix('/') {
        let base = base_path.trim_start_matches('/');
        absolute.strip_prefix(base)?
    } else {
        if let Some((dir, _)) = page.rsplit_once('/') {
            parts.extend(dir.split('/'));
        }
        &path
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    let mut target = parts.join("/");
    if path.ends_with('/') || target.is_empty() {
        if !target.is_empty() {
            target.push('/');
        }
        target.push_str("index.html");
    }
    Some((target, fragment))
}

/// Links to missing files with these extensions are dangling spec
/// references, left to the reference lints (which know the line).
const SPEC_SOURCE_EXTENSIONS: &[&str] = &["md", "markdown", "rst", "txt"];

/// Check every internal link and anchor of the HTML pages in `tree`.
/// `sources` maps a page to the source file it was rendered from, so a
/// problem on a spec page is reported against that spec.
pub fn check_links(
    tree: &OutputTree,
    base_path: &str,
    sources: &HashMap<String, String>,
) -> Vec<Diagnostic> {
    let pages: HashMap<&str, PageLinks> = tree
        .iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, scan_html(&String::from_utf8_lossy(bytes))))
        .collect();
    let mut diagnostics = Vec::new();
    let mut page_paths: Vec<&&str> = pages.keys().collect();
    page_paths.sort();
    for page in page_paths {
        let Some(links) = pages.get(*page) else {
            continue;
        };
        let mut reported = BTreeSet::new();
        for reference in &links.references {
            if reference.is_empty() || is_external(reference) || !reported.insert(reference) {
                continue;
            }
            let problem = match resolve(page, reference, base_path) {
                None => Some(format!("`{reference}` leads outside the site")),
                Some((target, fragment)) => {
                    let extension = target
                        .rsplit_once('.')
                        .map_or(String::new(), |(_, e)| e.to_ascii_lowercase());
                    let target = if tree.contains(&target) {
                        target
                    } else {
                        format!("{target}/index.html")
                    };
                    if !tree.contains(&target)
                        && SPEC_SOURCE_EXTENSIONS.contains(&extension.as_str())
                    {
                        // A link to a spec source that does not exist: a
                        // dangling reference, which the reference lints
                        // report at its line.
                        None
                    } else if !tree.contains(&target) {
                        Some(format!(
                            "`{reference}` points to a page that does not exist"
                        ))
                    } else {
                        match (fragment, pages.get(target.as_str())) {
                            (Some(fragment), Some(target_links))
                                if !fragment.is_empty()
                                    && !target_links.anchors.contains(&fragment) =>
                            {
                                Some(format!(
                                    "`{reference}`: {target} has no anchor `#{fragment}`"
                                ))
                            }
                            _ => None,
                        }
                    }
                }
            };
            if let Some(problem) = problem {
                let file = sources
                    .get(*page)
                    .cloned()
                    .unwrap_or_else(|| page.to_string());
                diagnostics.push(
                    Diagnostic::error("check/broken-link", format!("on {page}: {problem}"))
                        .at(file, Span::default())
                        .with_label(reference.clone())
                        .with_help("fix the link in the source (or the template that writes it)"),
                );
            }
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanner_finds_ids_and_references_and_skips_scripts_and_comments() {
        let html = r#"<!-- <a href="x.html"> --><h2 id="a&amp;b">T</h2>
<a href='b.html#c' class=x>b</a><img src=i.svg alt=""><a name=old></a>
<script>var s = "<a href='nope.html'>";</script><link rel="stylesheet" href="s.css?v=1">"#;
        let links = scan_html(html);
        assert_eq!(
            links.anchors.iter().map(String::as_str).collect::<Vec<_>>(),
            ["a&b", "old"]
        );
        assert_eq!(links.references, ["b.html#c", "i.svg", "s.css?v=1"]);
    }

    #[test]
    fn tag_and_attribute_names_match_in_any_case() {
        let links = scan_html(
            "<A HREF=\"x.html\"></A><IMG Src=i.png><SCRIPT>'<a href=no.html>'</Script><P ID=top>",
        );
        assert_eq!(links.references, ["x.html", "i.png"]);
        assert!(links.anchors.contains("top"));
        assert_eq!(decode_entities("é&amp;é&éé;"), "é&é&éé;");
    }

    #[test]
    fn hostile_html_does_not_panic() {
        for html in [
            "<",
            "<a href=",
            "<a href=\"",
            "<a href='x",
            "<!--",
            "<script>",
            "é<é",
            "&#xffffffff;",
            "<a href=\"&ééééééé;\">",
            "&aé",
        ] {
            let _ = scan_html(html);
            let _ = decode_entities(html);
            let _ = percent_decode(html);
        }
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("a%20b%"), "a b%");
    }

    #[test]
    fn references_resolve_relative_to_the_page_and_the_base_path() {
        assert_eq!(
            resolve("specs/k/a.html", "../../index.html#x", "/repo/"),
            Some(("index.html".into(), Some("x".into())))
        );
        assert_eq!(
            resolve("a/b.html", "#top", "/"),
            Some(("a/b.html".into(), Some("top".into())))
        );
        assert_eq!(
            resolve("404.html", "/repo/static/x.css?v=1", "/repo/"),
            Some(("static/x.css".into(), None))
        );
        assert_eq!(resolve("404.html", "/other/x.css", "/repo/"), None);
        assert_eq!(resolve("index.html", "../x.html", "/"), None);
        assert_eq!(
            resolve("a/b.html", "./", "/"),
            Some(("a/index.html".into(), None))
        );
        assert!(is_external("https://x.org"));
        assert!(is_external("mailto:a@b"));
        assert!(!is_external("a/b:c.html"));
        assert!(!is_external("b.html"));
    }

    #[test]
    fn broken_pages_and_anchors_are_reported() {
        let mut tree = OutputTree::default();
        tree.insert(
            "index.html",
            r##"<a href="a.html#ok"></a><a href="a.html#gone"></a><a href="missing.html"></a><a href="https://x"></a>"##,
        );
        tree.insert("a.html", r#"<h2 id="ok"></h2>"#);
        let sources = HashMap::new();
        let diagnostics = check_links(&tree, "/", &sources);
        let messages: Vec<&str> = diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("no anchor `#gone`"));
        assert!(messages[1].contains("missing.html"));
    }
}
