//! Escaping and URL checks for the HTML serializer.
//!
//! Every character of content reaches the page through one of these
//! functions: text through [`text`], attribute values through [`attr`], and
//! every `href`/`src` through [`safe_url`] first. Keeping them in one small
//! module makes the serializer's safety argument short: it never writes
//! content any other way (raw HTML aside, which has its own policy).

/// Append `s` as HTML text (`&`, `<`, `>` escaped).
pub fn text(out: &mut String, s: &str) {
    escape_into(out, s, false);
}

/// Append `s` as a double-quoted attribute value (`"` escaped as well).
pub fn attr(out: &mut String, s: &str) {
    escape_into(out, s, true);
}

fn escape_into(out: &mut String, s: &str, quotes: bool) {
    let mut rest = s;
    while let Some(position) = rest.find(['&', '<', '>', '"']) {
        let (plain, tail) = rest.split_at(position);
        out.push_str(plain);
        let mut chars = tail.chars();
        match chars.next() {
            Some('&') => out.push_str("&amp;"),
            Some('<') => out.push_str("&lt;"),
            Some('>') => out.push_str("&gt;"),
            Some('"') if quotes => out.push_str("&quot;"),
            Some(other) => out.push(other),
            None => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// Schemes that run code or smuggle documents when followed from a page.
const DANGEROUS_SCHEMES: &[&str] = &["javascript", "vbscript", "data"];

/// `uri` if it is safe as an `href`/`src`, `None` if its scheme is
/// `javascript:`, `vbscript:` or `data:`. Browsers ignore ASCII tabs and
/// newlines inside a URL and leading control characters and spaces, and
/// compare schemes case-insensitively, so the check does the same
/// (`" Java\tScript:alert(1)"` is refused too).
pub fn safe_url(uri: &str) -> Option<&str> {
    let trimmed = uri.trim_start_matches(|c: char| c <= ' ');
    let mut scheme = String::new();
    for c in trimmed.chars() {
        match c {
            ':' => {
                let dangerous = DANGEROUS_SCHEMES.contains(&scheme.as_str());
                return if dangerous { None } else { Some(uri) };
            }
            '\t' | '\n' | '\r' => continue,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.') => {
                scheme.push(c.to_ascii_lowercase());
            }
            // A `/`, `?`, `#` or anything else before a colon: a relative
            // reference, which has no scheme.
            _ => return Some(uri),
        }
    }
    Some(uri)
}

/// A class token made from content (a language name, a directive name):
/// characters that would split or confuse a class list become `-`.
pub fn class_token(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '+' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut out = String::new();
        text(&mut out, "<script>a && \"b\"</script>");
        assert_eq!(out, "&lt;script&gt;a &amp;&amp; \"b\"&lt;/script&gt;");
        let mut out = String::new();
        attr(&mut out, "x\" onmouseover=\"y");
        assert_eq!(out, "x&quot; onmouseover=&quot;y");
        let mut out = String::new();
        text(&mut out, "naïve — ok");
        assert_eq!(out, "naïve — ok");
    }

    #[test]
    fn dangerous_schemes_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " \u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "vbscript:msgbox",
            "data:text/html,<script>",
            "DATA:image/png;base64,xx",
        ] {
            assert_eq!(safe_url(bad), None, "{bad}");
        }
        for good in [
            "https://example.org/a:b",
            "mailto:a@b.c",
            "../0001-x.html",
            "#section",
            "page?x=javascript:1",
            "./javascript:x",
            "",
        ] {
            assert_eq!(safe_url(good), Some(good), "{good}");
        }
    }

    #[test]
    fn class_tokens_cannot_split() {
        assert_eq!(class_token("c++"), "c++");
        assert_eq!(class_token("a b\"c"), "a-b-c");
    }
}
