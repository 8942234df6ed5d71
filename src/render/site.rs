//! Site rendering: specs and config in, a complete [`OutputTree`] out.
//!
//! Pure: no I/O. It plans the pages (one per spec, the home page, 404, the
//! assets), renders spec bodies in parallel with the HTML serializer, builds
//! each template's context as plain JSON (documented in themes/README.md)
//! and renders it with the theme. Every internal link is relative to the
//! page (`root` is the way back to the site root), so the site works under
//! any sub-path and from disk; only 404.html, which GitHub Pages serves at
//! any depth, uses the base path.

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::{json, Value};

use super::html::{self, HtmlOptions, LinkResolver};
use super::theme::Theme;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::{Milestone, Spec, Status, StatusKey};
use crate::output::OutputTree;

/// The version string shown in the footer and the generator meta tag.
pub const GENERATOR: &str = concat!("specsite ", env!("CARGO_PKG_VERSION"));

/// Relative prefix from a page at `page_path` back to the site root.
pub fn root_prefix(page_path: &str) -> String {
    "../".repeat(page_path.matches('/').count())
}

/// A short, stable content hash for cache-busting asset URLs (FNV-1a).
fn content_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash >> 32)
}

/// Resolves links written in a spec to the pages of other specs.
struct SiteLinks<'a> {
    /// Source path → page path, for every spec.
    pages: &'a HashMap<String, String>,
    /// Directory of the spec being rendered ("" at the root).
    current_dir: String,
    /// Prefix back to the site root from the current page.
    root: String,
}

impl SiteLinks<'_> {
    /// Join a relative path onto the current directory, resolving `.` and `..`;
    /// `None` when it climbs above the root.
    fn join(&self, relative: &str) -> Option<String> {
        let mut parts: Vec<&str> = if let Some(absolute) = relative.strip_prefix('/') {
            return normalise(absolute.split('/'));
        } else if self.current_dir.is_empty() {
            Vec::new()
        } else {
            self.current_dir.split('/').collect()
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
        Some(parts.join("/"))
    }

    fn page_for_source(&self, path: &str) -> Option<&String> {
        self.pages.get(path)
    }
}

fn normalise<'p>(parts: impl Iterator<Item = &'p str>) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in parts {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            other => out.push(other),
        }
    }
    Some(out.join("/"))
}

impl LinkResolver for SiteLinks<'_> {
    fn rewrite_uri(&self, uri: &str) -> Option<String> {
        if uri.is_empty()
            || uri.starts_with('#')
            || uri.contains("://")
            || uri.starts_with("mailto:")
        {
            return None;
        }
        let (path, fragment) = match uri.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (uri, None),
        };
        let target = self.join(path)?;
        let page = self.page_for_source(&target).or_else(|| {
            // A link to the rendered form of a spec (`foo.html`) or to its
            // source with another extension.
            let stem = target
                .rsplit_once('.')
                .map_or(target.as_str(), |(stem, _)| stem);
            ["rst", "md", "markdown", "txt"]
                .iter()
                .find_map(|ext| self.page_for_source(&format!("{stem}.{ext}")))
        })?;
        let mut href = format!("{}{}", self.root, page);
        if let Some(fragment) = fragment {
            href.push('#');
            href.push_str(fragment);
        }
        Some(href)
    }

    fn resolve_xref(&self, reftype: &str, target: &str) -> Option<String> {
        if reftype != "doc" {
            return None;
        }
        let joined = self.join(target)?;
        ["rst", "md", "txt", "markdown"]
            .iter()
            .find_map(|ext| self.page_for_source(&format!("{joined}.{ext}")))
            .map(|page| format!("{}{}", self.root, page))
    }
}

fn status_json(status: &Option<Status>) -> Value {
    match status {
        Some(status) => json!({
            "key": status.key.key(),
            "label": status.key.label(),
            "raw": status.raw,
            "color": status.key.color(),
            "origin": status.origin.to_string(),
        }),
        None => Value::Null,
    }
}

fn milestone_json(milestone: &Option<Milestone>) -> Value {
    match milestone {
        Some(milestone) => json!({
            "label": milestone.label,
            "raw": milestone.raw,
            "origin": milestone.origin.to_string(),
        }),
        None => Value::Null,
    }
}

/// The summary of a spec used in lists, with `href` relative to the site root.
fn spec_summary(spec: &Spec) -> Value {
    json!({
        "id": spec.id,
        "title": spec.title,
        "href": spec.page_path,
        "status": status_json(&spec.status),
        "milestone": milestone_json(&spec.milestone),
        "authors": spec.authors,
        "updated": spec.updated,
        "source_path": spec.source.rel_path,
    })
}

fn url_for(template: &Option<String>, path: &str) -> Value {
    template
        .as_ref()
        .map_or(Value::Null, |t| Value::String(t.replace("{path}", path)))
}

/// Everything rendering needs besides the specs.
pub struct SiteInput<'a> {
    pub config: &'a Config,
    pub theme: &'a Theme,
    pub specs: &'a [Spec],
}

struct Common {
    site: Value,
    assets: HashMap<&'static str, String>,
}

impl Common {
    fn context(
        &self,
        page_path: &str,
        kind: &str,
        title: &str,
        config: &Config,
    ) -> serde_json::Map<String, Value> {
        let root = root_prefix(page_path);
        let canonical = config
            .base_url
            .as_ref()
            .map(|base| {
                format!(
                    "{base}{}",
                    page_path.strip_suffix("index.html").unwrap_or(page_path)
                )
            })
            .unwrap_or_default();
        let assets: serde_json::Map<String, Value> = self
            .assets
            .iter()
            .map(|(name, path)| (name.to_string(), Value::String(path.clone())))
            .collect();
        let mut context = serde_json::Map::new();
        context.insert("site".into(), self.site.clone());
        context.insert("root".into(), Value::String(root));
        context.insert(
            "page".into(),
            json!({ "kind": kind, "title": title, "path": page_path, "canonical_url": canonical }),
        );
        context.insert("assets".into(), Value::Object(assets));
        context
    }
}

/// Render the whole site.
pub fn render_site(input: &SiteInput<'_>) -> (OutputTree, Vec<Diagnostic>) {
    render_site_except(input, &|_| false, true)
}

/// Render the site but leave out the pages of the specs `skip` selects
/// and, unless `site_pages`, the site-wide pages (home, 404): `serve`
/// reuses those from its previous build when nothing they depend on
/// changed. It skips site pages only when the config, the theme and every
/// spec's summary (path, title, status, milestone, authors, dates) are
/// unchanged, so a new site-wide output that depends on anything else
/// (bodies, references) must be rendered outside the `site_pages` branch.
/// Assets are always included.
pub fn render_site_except(
    input: &SiteInput<'_>,
    skip: &(dyn Fn(&Spec) -> bool + Sync),
    site_pages: bool,
) -> (OutputTree, Vec<Diagnostic>) {
    let config = input.config;
    let mut tree = OutputTree::default();
    let mut diagnostics = Vec::new();

    // Assets first: pages refer to them by content hash.
    let mut assets = HashMap::new();
    for (path, bytes) in input.theme.assets() {
        tree.insert(format!("static/{path}"), bytes.to_vec());
    }
    let highlight_css = super::highlight::stylesheet();
    tree.insert("static/highlight.css", highlight_css.as_bytes().to_vec());
    for (name, path) in [
        ("css", "static/specsite.css"),
        ("highlight_css", "static/highlight.css"),
        ("js", "static/specsite.js"),
    ] {
        let hash = tree.get(path).map(content_hash).unwrap_or_default();
        assets.insert(name, format!("{path}?v={hash}"));
    }

    let common = Common {
        site: json!({
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url.clone().unwrap_or_default(),
            "base_path": config.base_path(),
            "generator": GENERATOR,
            "spec_count": input.specs.len(),
        }),
        assets,
    };

    let pages: HashMap<String, String> = input
        .specs
        .iter()
        .map(|spec| (spec.source.rel_path.clone(), spec.page_path.clone()))
        .collect();

    let rendered: Vec<Result<(String, String), Diagnostic>> = input
        .specs
        .par_iter()
        .filter(|spec| !skip(spec))
        .map(|spec| render_spec_page(spec, &common, &pages, input))
        .collect();
    for result in rendered {
        match result {
            Ok((path, html)) => tree.insert(path, html),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }

    if !site_pages {
        return (tree, diagnostics);
    }
    let mut home = common.context("index.html", "home", &config.title, config);
    home.insert("groups_by_status".into(), groups_by_status(input.specs));
    home.insert(
        "groups_by_milestone".into(),
        groups_by_milestone(input.specs),
    );
    match input.theme.render("index.html", &Value::Object(home)) {
        Ok(html) => tree.insert("index.html", html),
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    let not_found = common.context("404.html", "404", "Page not found", config);
    match input.theme.render("404.html", &Value::Object(not_found)) {
        Ok(html) => tree.insert("404.html", html),
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    // GitHub Pages would otherwise run Jekyll, which hides `_`-prefixed paths.
    tree.insert(".nojekyll", Vec::new());
    (tree, diagnostics)
}

fn render_spec_page(
    spec: &Spec,
    common: &Common,
    pages: &HashMap<String, String>,
    input: &SiteInput<'_>,
) -> Result<(String, String), Diagnostic> {
    let config = input.config;
    let root = root_prefix(&spec.page_path);
    let current_dir = spec
        .source
        .rel_path
        .rsplit_once('/')
        .map_or(String::new(), |(dir, _)| dir.to_string());
    let links = SiteLinks {
        pages,
        current_dir,
        root: root.clone(),
    };
    let options = HtmlOptions {
        links: &links,
        raw_html: config.markup.raw_html,
        highlight: true,
        omit: spec.title_node,
    };
    let body = html::render(&spec.doc, &options);
    let toc: Vec<Value> = body
        .toc
        .iter()
        .map(|entry| json!({ "level": entry.level, "id": entry.id, "title": entry.title }))
        .collect();
    let fields: Vec<Value> = spec
        .fields
        .iter()
        .map(|field| json!({ "name": field.name, "value": field.value, "origin": field.origin.to_string() }))
        .collect();
    let mut context = common.context(&spec.page_path, "spec", &spec.title, config);
    context.insert(
        "spec".into(),
        json!({
            "id": spec.id,
            "title": spec.title,
            "href": spec.page_path,
            "source_path": spec.source.rel_path,
            "format": spec.source.format,
            "status": status_json(&spec.status),
            "milestone": milestone_json(&spec.milestone),
            "authors": spec.authors,
            "created": spec.created,
            "updated": spec.updated,
            "fields": fields,
            "edit_url": url_for(&config.edit_url, &spec.source.rel_path),
            "source_url": url_for(&config.source_url, &spec.source.rel_path),
            "body": body.body,
            "toc": toc,
            "problems": spec.problems,
        }),
    );
    let html = input
        .theme
        .render("spec.html", &Value::Object(context))
        .map_err(|diagnostic| {
            diagnostic.with_help(format!(
                "while rendering the page of {}",
                spec.source.rel_path
            ))
        })?;
    Ok((spec.page_path.clone(), html))
}

fn sorted_by_title<'s>(specs: impl Iterator<Item = &'s Spec>) -> Vec<&'s Spec> {
    let mut specs: Vec<&Spec> = specs.collect();
    specs.sort_by(|a, b| a.id.cmp(&b.id));
    specs
}

fn groups_by_status(specs: &[Spec]) -> Value {
    let groups: Vec<Value> = StatusKey::ALL
        .into_iter()
        .filter_map(|key| {
            let members = sorted_by_title(specs.iter().filter(|s| s.status_key() == key));
            (!members.is_empty()).then(|| {
                json!({
                    "key": key.key(),
                    "label": key.label(),
                    "color": key.color(),
                    "count": members.len(),
                    "specs": members.iter().map(|s| spec_summary(s)).collect::<Vec<_>>(),
                })
            })
        })
        .collect();
    Value::Array(groups)
}

/// Order milestones: release names as OpenStack orders them would need the
/// spec model's milestone ordering; until then version-like labels sort
/// numerically and names alphabetically (OpenStack's releases are
/// alphabetical until 2023.1), and "Not set" comes last.
fn milestone_sort_key(label: &str) -> (u8, Vec<u64>, String) {
    let numbers: Option<Vec<u64>> = label
        .split(['.', '-'])
        .map(|part| part.parse::<u64>().ok())
        .collect();
    match numbers {
        Some(numbers) if !numbers.is_empty() => (1, numbers, String::new()),
        _ => (0, Vec::new(), label.to_lowercase()),
    }
}

fn groups_by_milestone(specs: &[Spec]) -> Value {
    let mut labels: Vec<&str> = specs
        .iter()
        .filter_map(|s| s.milestone.as_ref().map(|m| m.label.as_str()))
        .collect();
    labels.sort_by_key(|label| milestone_sort_key(label));
    labels.dedup();
    let mut groups: Vec<Value> = labels
        .iter()
        .map(|label| {
            let members = sorted_by_title(
                specs
                    .iter()
                    .filter(|s| s.milestone.as_ref().is_some_and(|m| m.label == *label)),
            );
            json!({
                "label": label,
                "count": members.len(),
                "specs": members.iter().map(|s| spec_summary(s)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let unset = sorted_by_title(specs.iter().filter(|s| s.milestone.is_none()));
    if !unset.is_empty() {
        groups.push(json!({
            "label": "Not set",
            "count": unset.len(),
            "specs": unset.iter().map(|s| spec_summary(s)).collect::<Vec<_>>(),
        }));
    }
    Value::Array(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_prefix_climbs_one_level_per_directory() {
        assert_eq!(root_prefix("index.html"), "");
        assert_eq!(root_prefix("specs/kilo/approved/a.html"), "../../../");
    }

    #[test]
    fn links_to_spec_sources_become_page_links() {
        let pages: HashMap<String, String> = [
            (
                "specs/kilo/approved/a.rst".to_string(),
                "specs/kilo/approved/a.html".to_string(),
            ),
            ("text/0002-b.md".to_string(), "text/0002-b.html".to_string()),
        ]
        .into_iter()
        .collect();
        let links = SiteLinks {
            pages: &pages,
            current_dir: "text".into(),
            root: "../".into(),
        };
        assert_eq!(
            links.rewrite_uri("0002-b.md#motivation").as_deref(),
            Some("../text/0002-b.html#motivation")
        );
        assert_eq!(
            links
                .rewrite_uri("../specs/kilo/approved/a.html")
                .as_deref(),
            Some("../specs/kilo/approved/a.html")
        );
        assert_eq!(links.rewrite_uri("https://example.org/x.md"), None);
        assert_eq!(links.rewrite_uri("../../../etc/passwd"), None);
        assert_eq!(links.rewrite_uri("missing.md"), None);
        assert_eq!(
            links
                .resolve_xref("doc", "/specs/kilo/approved/a")
                .as_deref(),
            Some("../specs/kilo/approved/a.html")
        );
    }

    #[test]
    fn milestones_sort_names_then_versions() {
        let mut labels = vec!["2024.2", "Kilo", "2023.1", "Liberty", "2024.10"];
        labels.sort_by_key(|l| milestone_sort_key(l));
        assert_eq!(labels, ["Kilo", "Liberty", "2023.1", "2024.2", "2024.10"]);
    }
}
