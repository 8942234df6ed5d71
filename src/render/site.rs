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
use crate::model::{compare_milestones, Milestone, Origin, Spec, Status, StatusScheme};
use crate::output::OutputTree;

/// The version string shown in the footer and the generator meta tag.
pub const GENERATOR: &str = concat!("specsite ", env!("CARGO_PKG_VERSION"));

/// Relative prefix from a page at `page_path` back to the site root.
pub fn root_prefix(page_path: &str) -> String {
    "../".repeat(page_path.matches('/').count())
}

/// A short, stable content hash for cache-busting asset URLs (FNV-1a).
pub(crate) fn content_hash(bytes: &[u8]) -> String {
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
    /// Page path → spec title, for links written without text.
    titles: &'a HashMap<String, String>,
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

    fn link_title(&self, url: &str) -> Option<String> {
        let page = url.split('#').next().unwrap_or(url);
        let page = page.strip_prefix(self.root.as_str())?;
        self.titles.get(page).cloned()
    }
}

/// Version of the `api/specs.json` format; bumped on incompatible changes.
pub const SPECS_SCHEMA_VERSION: u32 = 1;

/// JSON Schema of `api/specs.json`, published beside it.
pub const SPECS_SCHEMA: &str = include_str!("specs.schema.json");

fn status_json(status: &Option<Status>, scheme: &StatusScheme) -> Value {
    match status {
        Some(status) => json!({
            "key": status.key.key(),
            "label": scheme.label(status.key),
            "raw": status.raw,
            "color": scheme.color(status.key),
            "origin": status.origin.to_string(),
        }),
        None => Value::Null,
    }
}

fn origin_json(origin: &Option<Origin>) -> Value {
    origin
        .as_ref()
        .map_or(Value::Null, |o| Value::String(o.to_string()))
}

fn origin_record(origin: &Origin) -> Value {
    json!({ "path": origin.path, "line": origin.line, "source": origin.source })
}

/// One spec as published in `api/specs.json` and printed by `specsite
/// list --format json`: plain values, each with where it came from.
pub fn spec_record(spec: &Spec, scheme: &StatusScheme) -> Value {
    let milestone = |m: &Option<Milestone>| match m {
        Some(m) => json!({ "label": m.label, "raw": m.raw, "origin": origin_record(&m.origin) }),
        None => Value::Null,
    };
    json!({
        "id": spec.id,
        "title": spec.title,
        "path": spec.source.rel_path,
        "href": spec.page_path,
        "status": match &spec.status {
            Some(status) => json!({
                "key": status.key.key(),
                "label": scheme.label(status.key),
                "raw": status.raw,
                "origin": origin_record(&status.origin),
            }),
            None => Value::Null,
        },
        "milestone": milestone(&spec.milestone),
        "release": milestone(&spec.release),
        "authors": spec.authors,
        "created": spec.created,
        "updated": spec.updated,
        "fields": spec.fields.iter().map(|f| json!({
            "name": f.name, "value": f.value, "origin": origin_record(&f.origin),
        })).collect::<Vec<_>>(),
        "metadata_error": spec.metadata_error,
    })
}

/// The whole `api/specs.json` document.
pub fn specs_document(specs: &[Spec], scheme: &StatusScheme) -> Value {
    let mut sorted: Vec<&Spec> = specs.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    json!({
        "$schema": "specs.schema.json",
        "schema_version": SPECS_SCHEMA_VERSION,
        "generator": GENERATOR,
        "statuses": scheme.ordered().iter().map(|k| json!({
            "key": k.key(), "label": scheme.label(*k), "color": scheme.color(*k),
        })).collect::<Vec<_>>(),
        "specs": sorted.iter().map(|s| spec_record(s, scheme)).collect::<Vec<_>>(),
    })
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
fn spec_summary(spec: &Spec, scheme: &StatusScheme) -> Value {
    json!({
        "id": spec.id,
        "title": spec.title,
        "href": spec.page_path,
        "status": status_json(&spec.status, scheme),
        "status_key": spec.status_key().key(),
        "milestone": milestone_json(&spec.milestone),
        "authors": spec.authors,
        "updated": spec.updated,
        "source_path": spec.source.rel_path,
        "metadata_error": spec.metadata_error,
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
    /// The dependency graph from the link stage.
    pub graph: &'a crate::link::SpecGraph,
    /// Highlighted code from earlier builds (`None`: highlight everything).
    pub code_cache: Option<&'a super::code_cache::CodeCache>,
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
        ("search_js", "static/search.js"),
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
    let titles: HashMap<String, String> = input
        .specs
        .iter()
        .map(|spec| (spec.page_path.clone(), spec.title.clone()))
        .collect();

    // The search index reads every spec's body, so it is rebuilt on every
    // call (not only with `site_pages`), beside the page rendering.
    let graph_js_hash = tree
        .get("static/graph.js")
        .map(content_hash)
        .unwrap_or_default();
    let ((rendered, search_index), site) = rayon::join(
        || {
            rayon::join(
                || -> Vec<Result<(String, String), Diagnostic>> {
                    input
                        .specs
                        .par_iter()
                        .enumerate()
                        .filter(|(_, spec)| !skip(spec))
                        .map(|(index, spec)| {
                            render_spec_page(index, spec, &common, (&pages, &titles), input)
                        })
                        .collect()
                },
                || {
                    super::search::build_index(
                        input.specs,
                        &config.metadata.status,
                        &config.metadata.releases,
                    )
                },
            )
        },
        || site_pages.then(|| render_site_pages(input, &common, &graph_js_hash)),
    );
    search_index.insert_into(&mut tree);
    for result in rendered {
        match result {
            Ok((path, html)) => tree.insert(path, html),
            Err(diagnostic) => diagnostics.push(diagnostic),
        }
    }

    if let Some((site_tree, mut site_diagnostics)) = site {
        tree.absorb(site_tree);
        diagnostics.append(&mut site_diagnostics);
    }
    (tree, diagnostics)
}

/// The site-wide pages and files: home, search, 404 and graph pages, the
/// JSON API, feeds, sitemap and robots.txt. They depend on every spec's
/// metadata but on no spec page, so they render beside the spec pages.
fn render_site_pages(
    input: &SiteInput<'_>,
    common: &Common,
    graph_js_hash: &str,
) -> (OutputTree, Vec<Diagnostic>) {
    let config = input.config;
    let mut tree = OutputTree::default();
    let mut diagnostics = Vec::new();
    let scheme = &config.metadata.status;
    let mut home = common.context("index.html", "home", &config.title, config);
    let by_status = groups_by_status(input.specs, scheme);
    let by_milestone = groups_by_milestone(input.specs, scheme, &config.metadata.releases);
    home.insert(
        "filter".into(),
        json!({
            "statuses": by_status.iter().map(|g| json!({ "key": g["key"], "label": g["label"] })).collect::<Vec<_>>(),
            "milestones": by_milestone.iter().filter_map(|g| g["key"].as_str().map(|k| json!({ "key": k, "label": g["label"] }))).collect::<Vec<_>>(),
        }),
    );
    home.insert("groups_by_status".into(), Value::Array(by_status));
    home.insert("groups_by_milestone".into(), Value::Array(by_milestone));
    let api = specs_document(input.specs, scheme);
    tree.insert(
        "api/specs.json",
        serde_json::to_vec_pretty(&api).unwrap_or_default(),
    );
    tree.insert("api/specs.schema.json", SPECS_SCHEMA.as_bytes().to_vec());
    tree.insert(
        "feeds/new.xml",
        super::feeds::new_specs_feed(config, input.specs),
    );
    tree.insert(
        "feeds/status.xml",
        super::feeds::status_feed(config, input.specs),
    );
    if let Some(sitemap) = super::feeds::sitemap(config, input.specs) {
        tree.insert("sitemap.xml", sitemap);
    }
    tree.insert("robots.txt", super::feeds::robots(config));
    match input.theme.render("index.html", &Value::Object(home)) {
        Ok(html) => tree.insert("index.html", html),
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    let search_page = common.context("search.html", "search", "Search", config);
    match input
        .theme
        .render("search.html", &Value::Object(search_page))
    {
        Ok(html) => tree.insert("search.html", html),
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    let not_found = common.context("404.html", "404", "Page not found", config);
    match input.theme.render("404.html", &Value::Object(not_found)) {
        Ok(html) => tree.insert("404.html", html),
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    let graph_api = graph_document(input);
    let mut graph_page = common.context("graph.html", "graph", "Dependency graph", config);
    // Inline, so the page also works from disk (no fetch of api/graph.json),
    // in an attribute the template escapes rather than in a <script>: spec
    // titles are content, and content never goes inside a script element.
    // The markup characters are escaped in the JSON as well.
    let inline = json_for_script(&serde_json::to_string(&graph_api).unwrap_or_default());
    graph_page.insert("graph_json".into(), Value::String(inline));
    graph_page.insert(
        "graph_js".into(),
        Value::String(format!("static/graph.js?v={}", graph_js_hash)),
    );
    match input.theme.render("graph.html", &Value::Object(graph_page)) {
        Ok(html) => tree.insert("graph.html", html),
        Err(diagnostic) => diagnostics.push(diagnostic),
    }
    tree.insert(
        "api/graph.json",
        serde_json::to_vec_pretty(&graph_api).unwrap_or_default(),
    );
    // GitHub Pages would otherwise run Jekyll, which hides `_`-prefixed paths.
    tree.insert(".nojekyll", Vec::new());
    (tree, diagnostics)
}

fn render_spec_page(
    index: usize,
    spec: &Spec,
    common: &Common,
    (pages, titles): (&HashMap<String, String>, &HashMap<String, String>),
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
        titles,
    };
    let options = HtmlOptions {
        links: &links,
        raw_html: config.markup.raw_html,
        highlight: true,
        code_cache: input.code_cache,
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
            "status": status_json(&spec.status, &config.metadata.status),
            "milestone": milestone_json(&spec.milestone),
            "release": milestone_json(&spec.release),
            "authors": spec.authors,
            "created": spec.created,
            "updated": spec.updated,
            "origins": {
                "title": origin_json(&spec.origins.title),
                "authors": origin_json(&spec.origins.authors),
                "created": origin_json(&spec.origins.created),
                "updated": origin_json(&spec.origins.updated),
            },
            "metadata_error": spec.metadata_error,
            "fields": fields,
            "edit_url": url_for(&config.edit_url, &spec.source.rel_path),
            "source_url": url_for(&config.source_url, &spec.source.rel_path),
            "body": body.body,
            "toc": toc,
            "problems": spec.problems,
            "relations": relations_json(index, input, &root),
            "graph_svg": super::graph::neighbourhood_svg(input.graph, input.specs, index, &root, &config.metadata.status),
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

/// One related spec as the relation lists show it.
fn related_json(spec: &Spec, root: &str, scheme: &StatusScheme) -> Value {
    json!({
        "id": spec.id,
        "title": spec.title,
        "href": format!("{root}{}", spec.page_path),
        "status": status_json(&spec.status, scheme),
    })
}

/// The relation lists of one spec page, and its successor when superseded.
fn relations_json(index: usize, input: &SiteInput<'_>, root: &str) -> Value {
    use crate::link::EdgeKind;
    let graph = input.graph;
    let scheme = &input.config.metadata.status;
    let mut lists: [Vec<Value>; 6] = Default::default();
    let (depends_on, required_by, supersedes, superseded_by, references, referenced_by) =
        (0, 1, 2, 3, 4, 5);
    let edge = |e: &usize| graph.edges.get(*e);
    for e in graph
        .outgoing
        .get(index)
        .into_iter()
        .flatten()
        .filter_map(edge)
    {
        let Some(target) = input.specs.get(e.target) else {
            continue;
        };
        let list = match e.kind {
            EdgeKind::Requires => depends_on,
            EdgeKind::Replaces => supersedes,
            EdgeKind::SupersededBy => superseded_by,
            EdgeKind::References => references,
        };
        lists[list].push(related_json(target, root, scheme));
    }
    for e in graph
        .incoming
        .get(index)
        .into_iter()
        .flatten()
        .filter_map(edge)
    {
        let Some(source) = input.specs.get(e.source) else {
            continue;
        };
        let list = match e.kind {
            EdgeKind::Requires => required_by,
            EdgeKind::Replaces => superseded_by,
            EdgeKind::SupersededBy => supersedes,
            EdgeKind::References => referenced_by,
        };
        let item = related_json(source, root, scheme);
        if !lists[list].iter().any(|v| v["id"] == item["id"]) {
            lists[list].push(item);
        }
    }
    let successor = crate::link::successor(graph, index)
        .and_then(|i| input.specs.get(i))
        .map(|s| related_json(s, root, scheme));
    let [depends_on, required_by, supersedes, superseded_by, references, referenced_by] = lists;
    let any = [
        &depends_on,
        &required_by,
        &supersedes,
        &superseded_by,
        &references,
        &referenced_by,
    ]
    .iter()
    .any(|l| !l.is_empty());
    let lists: Vec<Value> = [
        ("Depends on", "depends-on", &depends_on),
        ("Required by", "required-by", &required_by),
        ("Supersedes", "supersedes", &supersedes),
        ("Superseded by", "superseded-by", &superseded_by),
        ("References", "references", &references),
        ("Referenced by", "referenced-by", &referenced_by),
    ]
    .into_iter()
    .filter(|(_, _, specs)| !specs.is_empty())
    .map(|(label, key, specs)| json!({ "label": label, "key": key, "specs": specs }))
    .collect();
    json!({
        "any": any,
        "lists": lists,
        "depends_on": depends_on,
        "required_by": required_by,
        "supersedes": supersedes,
        "superseded_by": superseded_by,
        "references": references,
        "referenced_by": referenced_by,
        "successor": successor,
    })
}

/// `api/graph.json`: every spec with its layout position, and every edge.
fn graph_document(input: &SiteInput<'_>) -> Value {
    use super::graph::Layout;
    let scheme = &input.config.metadata.status;
    let pairs: Vec<(usize, usize)> = input
        .graph
        .edges
        .iter()
        .map(|e| (e.source, e.target))
        .collect();
    let positions = super::graph::Packed {
        inner: super::graph::Layered { sweeps: 2 },
    }
    .layout(input.specs.len(), &pairs);
    let nodes: Vec<Value> = input
        .specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let (x, y) = positions.xy.get(i).copied().unwrap_or_default();
            let status = spec.status_key();
            json!({
                "id": spec.id,
                "path": spec.source.rel_path,
                "title": spec.title,
                "href": spec.page_path,
                "status": status.key(),
                "status_label": scheme.label(status),
                "color": scheme.color(status),
                "milestone": spec.milestone.as_ref().map(|m| m.label.clone()),
                "x": x.round(),
                "y": y.round(),
            })
        })
        .collect();
    let edges: Vec<Value> = input
        .graph
        .edges
        .iter()
        .map(|e| {
            json!({
                "source": e.source,
                "target": e.target,
                "kind": e.kind.key(),
                "via": e.vias.iter().map(|v| v.key()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "version": 1,
        "width": positions.width,
        "height": positions.height,
        "node_width": super::graph::NODE_WIDTH,
        "node_height": super::graph::NODE_HEIGHT,
        "nodes": nodes,
        "edges": edges,
    })
}

fn sorted_by_title<'s>(specs: impl Iterator<Item = &'s Spec>) -> Vec<&'s Spec> {
    let mut specs: Vec<&Spec> = specs.collect();
    specs.sort_by(|a, b| a.id.cmp(&b.id));
    specs
}

fn groups_by_status(specs: &[Spec], scheme: &StatusScheme) -> Vec<Value> {
    scheme
        .ordered()
        .into_iter()
        .filter_map(|key| {
            let members = sorted_by_title(specs.iter().filter(|s| s.status_key() == key));
            (!members.is_empty()).then(|| {
                json!({
                    "key": key.key(),
                    "label": scheme.label(key),
                    "color": scheme.color(key),
                    "count": members.len(),
                    "specs": members.iter().map(|s| spec_summary(s, scheme)).collect::<Vec<_>>(),
                })
            })
        })
        .collect()
}

/// A URL-safe key for a milestone label, for filter values and anchors.
pub fn milestone_key(label: &str) -> String {
    let mut key = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') {
            key.push('-');
        }
    }
    key.trim_matches('-').to_string()
}

/// The distinct milestone labels of `specs` in release order (see
/// [`compare_milestones`]).
pub(crate) fn milestone_labels<'s>(specs: &'s [Spec], releases: &[String]) -> Vec<&'s str> {
    let mut labels: Vec<&str> = specs
        .iter()
        .filter_map(|s| s.milestone.as_ref().map(|m| m.label.as_str()))
        .collect();
    labels.sort_by(|a, b| compare_milestones(a, b, releases));
    labels.dedup();
    labels
}

/// Milestone groups in release order, each with its per-status counts;
/// specs without a milestone come last.
fn groups_by_milestone(specs: &[Spec], scheme: &StatusScheme, releases: &[String]) -> Vec<Value> {
    let labels = milestone_labels(specs, releases);
    let group = |key: Value, label: &str, members: Vec<&Spec>| {
        let statuses: Vec<Value> = scheme
            .ordered()
            .into_iter()
            .filter_map(|status| {
                let count = members.iter().filter(|s| s.status_key() == status).count();
                (count > 0).then(|| {
                    json!({
                        "key": status.key(),
                        "label": scheme.label(status),
                        "color": scheme.color(status),
                        "count": count,
                    })
                })
            })
            .collect();
        json!({
            "key": key,
            "label": label,
            "count": members.len(),
            "statuses": statuses,
            "specs": members.iter().map(|s| spec_summary(s, scheme)).collect::<Vec<_>>(),
        })
    };
    let mut groups: Vec<Value> = labels
        .iter()
        .map(|label| {
            let members = sorted_by_title(
                specs
                    .iter()
                    .filter(|s| s.milestone.as_ref().is_some_and(|m| m.label == *label)),
            );
            group(Value::String(milestone_key(label)), label, members)
        })
        .collect();
    let unset = sorted_by_title(specs.iter().filter(|s| s.milestone.is_none()));
    if !unset.is_empty() {
        groups.push(group(Value::Null, "Not set", unset));
    }
    groups
}

/// JSON text made safe to sit inside a `<script>` element: `<`, `>` and `&`
/// become `\u003c`, `\u003e` and `\u0026`, which every JSON parser reads
/// back as the same characters (they only ever occur inside strings).
fn json_for_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_in_a_script_has_no_markup_characters_and_reads_back_the_same() {
        let value = serde_json::json!({"title": "</script><img src=x onerror=alert(1)> & <!--"});
        let inline = json_for_script(&value.to_string());
        assert!(!inline.contains(['<', '>', '&']), "{inline}");
        let back: serde_json::Value = serde_json::from_str(&inline).expect("still JSON");
        assert_eq!(back, value);
    }

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
        let titles: HashMap<String, String> = [("text/0002-b.html".to_string(), "Bee".to_string())]
            .into_iter()
            .collect();
        let links = SiteLinks {
            pages: &pages,
            current_dir: "text".into(),
            root: "../".into(),
            titles: &titles,
        };
        assert_eq!(
            links
                .link_title("../text/0002-b.html#motivation")
                .as_deref(),
            Some("Bee")
        );
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
    fn milestone_keys_are_url_safe() {
        assert_eq!(milestone_key("Lumen 2.1"), "lumen-2.1");
        assert_eq!(milestone_key("Liberty-1"), "liberty-1");
        assert_eq!(milestone_key("<x>&\"y"), "x-y");
    }
}
