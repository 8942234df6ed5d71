//! Feeds and crawler files: Atom feeds of new and of updated specs,
//! `sitemap.xml` and `robots.txt`.
//!
//! Pure functions of the specs and the config, called by `render_site`.
//! Dates come from the model (git history or the spec's own fields). Feed
//! and sitemap URLs must be absolute to be of any use, so they are built
//! from `base_url`; without one, feeds use site-relative links (valid
//! Atom: they resolve against the feed's own URL) and no sitemap is written.
//!
//! The status feed is an approximation: the model knows each spec's current
//! status and its last change date, not the history of status values, so an
//! entry says "<title> is <status>" dated at the spec's last change.

use crate::config::Config;
use crate::model::Spec;

/// How many entries a feed carries (newest first).
pub const FEED_LENGTH: usize = 50;

/// Escape text for XML content and attribute values.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An Atom/RFC 3339 timestamp for a `YYYY-MM-DD` (or longer) date; `None`
/// for anything else.
fn timestamp(date: &str) -> Option<String> {
    let day = date.get(..10)?;
    let bytes = day.as_bytes();
    let shape_ok = bytes.iter().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            *b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    shape_ok.then(|| format!("{day}T00:00:00Z"))
}

/// The URL of a site path: absolute under `base_url`, else site-relative.
fn url(config: &Config, path: &str) -> String {
    match &config.base_url {
        Some(base) => format!("{base}{path}"),
        None => path.to_string(),
    }
}

fn feed(
    config: &Config,
    feed_path: &str,
    title: &str,
    entries: &[(&Spec, String, String)],
) -> String {
    let updated = entries.first().map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |(_, _, when)| when.clone(),
    );
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    xml.push_str(&format!(
        "  <title>{}</title>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        xml_escape(&format!("{} · {title}", config.title)),
        xml_escape(&url(config, feed_path)),
    ));
    xml.push_str(&format!(
        "  <link rel=\"self\" href=\"{}\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
        xml_escape(&url(config, feed_path)),
        xml_escape(&url(config, "")),
    ));
    xml.push_str(&format!(
        "  <generator>{}</generator>\n",
        xml_escape(super::site::GENERATOR)
    ));
    for (spec, entry_title, when) in entries {
        let link = url(config, &spec.page_path);
        xml.push_str("  <entry>\n");
        xml.push_str(&format!(
            "    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{when}</updated>\n",
            xml_escape(entry_title),
            xml_escape(&format!("{link}#{when}")),
            xml_escape(&link),
        ));
        let authors: Vec<&String> = spec.authors.iter().take(5).collect();
        if authors.is_empty() {
            xml.push_str("    <author><name>unknown</name></author>\n");
        }
        for author in authors {
            xml.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                xml_escape(author)
            ));
        }
        xml.push_str("  </entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

/// Newest first by date, then by id for a stable order.
fn newest(specs: &[Spec], date: impl Fn(&Spec) -> Option<&String>) -> Vec<(&Spec, String)> {
    let mut dated: Vec<(&Spec, String)> = specs
        .iter()
        .filter_map(|spec| date(spec).and_then(|d| timestamp(d)).map(|t| (spec, t)))
        .collect();
    dated.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
    dated.truncate(FEED_LENGTH);
    dated
}

/// `feeds/new.xml`: specs by the date they were created.
pub fn new_specs_feed(config: &Config, specs: &[Spec]) -> String {
    let entries: Vec<(&Spec, String, String)> = newest(specs, |s| s.created.as_ref())
        .into_iter()
        .map(|(spec, when)| (spec, format!("New: {}", spec.title), when))
        .collect();
    feed(config, "feeds/new.xml", "new specs", &entries)
}

/// `feeds/status.xml`: specs by their last change, with their status then.
pub fn status_feed(config: &Config, specs: &[Spec]) -> String {
    let scheme = &config.metadata.status;
    let entries: Vec<(&Spec, String, String)> = newest(specs, |s| s.updated.as_ref())
        .into_iter()
        .map(|(spec, when)| {
            let title = match &spec.status {
                Some(status) => format!("{} is {}", spec.title, scheme.label(status.key)),
                None => format!("{} (status not set)", spec.title),
            };
            (spec, title, when)
        })
        .collect();
    feed(config, "feeds/status.xml", "status and updates", &entries)
}

/// `sitemap.xml`, only with a base URL (sitemaps need absolute URLs).
pub fn sitemap(config: &Config, specs: &[Spec]) -> Option<String> {
    let base = config.base_url.as_ref()?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    xml.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(base)));
    let mut sorted: Vec<&Spec> = specs.iter().collect();
    sorted.sort_by(|a, b| a.page_path.cmp(&b.page_path));
    for spec in sorted {
        xml.push_str(&format!(
            "  <url><loc>{}</loc>",
            xml_escape(&format!("{base}{}", spec.page_path))
        ));
        if let Some(day) = spec.updated.as_ref().and_then(|d| timestamp(d)) {
            xml.push_str(&format!("<lastmod>{}</lastmod>", &day[..10]));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    Some(xml)
}

/// `robots.txt`: everything may be crawled; points at the sitemap.
pub fn robots(config: &Config) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = &config.base_url {
        text.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_accept_only_dates() {
        assert_eq!(
            timestamp("2021-03-04").as_deref(),
            Some("2021-03-04T00:00:00Z")
        );
        assert_eq!(
            timestamp("2021-03-04T10:00"),
            Some("2021-03-04T00:00:00Z".into())
        );
        assert_eq!(timestamp("March 2021"), None);
        assert_eq!(timestamp("2021-0é-04"), None);
    }

    #[test]
    fn xml_is_escaped_and_control_characters_dropped() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
