//! The link stage: the one global step after per-file extraction.
//!
//! Every spec's references (`references::extract`) are resolved against an
//! index of all specs — paths, file stems, identifiers (`KEP-1234`), Sphinx
//! labels, titles, URL patterns, moved specs and redirect files — into a
//! [`SpecGraph`] of typed edges, at most one per (source, target) pair and
//! of the strongest kind declared. What looks like a spec but resolves to
//! none is kept with the reason, for the lints and the closing note. The
//! lints that need the whole graph (cycles, one-sided supersession, ready
//! specs requiring unready ones) run here too.

pub mod references;
pub mod settings;

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::{Spec, StatusKey};
use crate::source::Span;

use references::{ExtractOptions, RefTarget, Reference};
use settings::{IdentifierPattern, LintLevel, UrlPart, UrlPattern};

/// What an edge says about its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// A mention: a link, an identifier, a title in a Dependencies section.
    References,
    /// Depends on the target.
    Requires,
    /// Takes the place of the target.
    Replaces,
    /// Has been replaced by the target.
    SupersededBy,
}

impl EdgeKind {
    pub const ALL: [EdgeKind; 4] = [
        EdgeKind::Requires,
        EdgeKind::Replaces,
        EdgeKind::SupersededBy,
        EdgeKind::References,
    ];

    pub fn key(self) -> &'static str {
        match self {
            EdgeKind::References => "references",
            EdgeKind::Requires => "requires",
            EdgeKind::Replaces => "replaces",
            EdgeKind::SupersededBy => "superseded-by",
        }
    }

    /// Replaces / superseded-by > requires > references (EXPECTED.md rule 4).
    fn strength(self) -> u8 {
        match self {
            EdgeKind::References => 0,
            EdgeKind::Requires => 1,
            EdgeKind::Replaces | EdgeKind::SupersededBy => 2,
        }
    }
}

/// How a reference was written, for the closing note's counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    Header,
    RelativeLink,
    Doc,
    Ref,
    UrlPattern,
    MovedSpec,
    Redirect,
    Identifier,
    PullRequest,
    Title,
}

impl Via {
    pub fn key(self) -> &'static str {
        match self {
            Via::Header => "header",
            Via::RelativeLink => "relative link",
            Via::Doc => ":doc:",
            Via::Ref => ":ref:",
            Via::UrlPattern => "URL pattern",
            Via::MovedSpec => "moved spec",
            Via::Redirect => "redirect file",
            Via::Identifier => "identifier",
            Via::PullRequest => "pull request",
            Via::Title => "title or name in a reference section",
        }
    }
}

/// Whether a file stem is distinctive enough to be matched as a spec's name
/// in reference sections: joined words (`abort-cold-migration`,
/// `virt_driver_numa`) of some length.
fn is_compound_name(stem: &str) -> bool {
    stem.len() >= 8 && stem.contains(['-', '_']) && stem.chars().any(char::is_alphabetic)
}

/// One edge of the graph: indices into the spec list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub source: usize,
    pub target: usize,
    pub kind: EdgeKind,
    /// Every way the source refers to the target (sorted, no repeats).
    pub vias: Vec<Via>,
}

/// A reference that looks like a spec but names none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub spec: usize,
    pub text: String,
    pub reason: String,
    pub span: Option<Span>,
}

/// The dependency graph of a repository.
#[derive(Clone, Debug, Default)]
pub struct SpecGraph {
    /// Sorted by (source, target).
    pub edges: Vec<Edge>,
    pub unresolved: Vec<Unresolved>,
    /// Resolved references (before merging into edges) by how they were written.
    pub resolved_by_via: BTreeMap<Via, usize>,
    /// Per edge (same index): where the source first writes the reference
    /// that gave the edge its kind, when known, for hand checks. Kept
    /// apart from [`Edge`] because it moves with every edit of the source,
    /// while what pages show of an edge does not (`serve` compares edges).
    pub evidence: Vec<Option<Span>>,
    /// Edge indices leaving / entering each spec.
    pub outgoing: Vec<Vec<usize>>,
    pub incoming: Vec<Vec<usize>>,
    /// Links that are a spec's own blueprint or tracking link (no edge)…
    pub own_tracking_links: usize,
    /// …of which would have named another spec: the edges a naive
    /// resolver would have drawn wrongly.
    pub own_tracking_elsewhere: usize,
}

impl SpecGraph {
    /// Edges by kind.
    pub fn count_by_kind(&self) -> BTreeMap<EdgeKind, usize> {
        let mut counts = BTreeMap::new();
        for edge in &self.edges {
            *counts.entry(edge.kind).or_insert(0) += 1;
        }
        counts
    }

    /// Specs within `hops` edges of `center` (either direction), itself first.
    pub fn neighbourhood(&self, center: usize, hops: usize) -> Vec<usize> {
        let mut seen = vec![center];
        let mut frontier = vec![center];
        for _ in 0..hops {
            let mut next = Vec::new();
            for node in frontier {
                let around = self
                    .outgoing
                    .get(node)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| self.edges.get(*e).map(|e| e.target))
                    .chain(
                        self.incoming
                            .get(node)
                            .into_iter()
                            .flatten()
                            .filter_map(|e| self.edges.get(*e).map(|e| e.source)),
                    );
                for other in around {
                    if !seen.contains(&other) {
                        seen.push(other);
                        next.push(other);
                    }
                }
            }
            frontier = next;
        }
        seen
    }
}

/// Link settings, from `[references]` and `[lints]` with the presets'
/// defaults filled in.
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// Repositories whose pull-request numbers are spec numbers (`owner/repo`).
    pub pull_request_repos: Vec<String>,
    /// Identifier prefixes configured (lower case), besides the ones the
    /// specs declare for themselves.
    pub prefixes: Vec<String>,
    /// Reference sections and the ones whose mentions are `requires`.
    pub sections: Vec<String>,
    pub requires_sections: Vec<String>,
    pub urls: Vec<UrlPattern>,
    /// The project `{project}` must equal, when known.
    pub project: Option<String>,
    pub lints: settings::LintsConfig,
}

impl LinkOptions {
    pub fn from_config(config: &Config) -> LinkOptions {
        let references = &config.references;
        let presets = &config.metadata.presets;
        let mut pull_request_repos = Vec::new();
        let mut prefixes = Vec::new();
        for pattern in references.identifier_patterns(presets) {
            match pattern {
                IdentifierPattern::Prefix(word) => prefixes.push(word),
                IdentifierPattern::PullRequest(repo) => pull_request_repos.push(repo),
            }
        }
        let project = references.project.clone().or_else(|| {
            let name = config
                .root
                .file_name()?
                .to_string_lossy()
                .to_ascii_lowercase();
            name.strip_suffix("-specs").map(str::to_string)
        });
        LinkOptions {
            pull_request_repos,
            prefixes,
            sections: references.sections.clone(),
            requires_sections: references.requires_sections.clone(),
            urls: references.url_patterns(presets),
            project,
            lints: config.lints.clone(),
        }
    }
}

/// Lower case with `_` as `-`: blueprint names and file stems compared.
fn slug(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('_', "-")
}

/// Largest redirects file read.
const MAX_REDIRECTS_BYTES: u64 = 1024 * 1024;

/// Everything a reference can be resolved against.
struct SpecIndex {
    by_path: HashMap<String, usize>,
    by_path_stem: HashMap<String, usize>,
    by_dir: HashMap<String, usize>,
    by_file_stem: HashMap<String, Vec<usize>>,
    /// File stems as slugs ([`slug`]), for blueprint names.
    by_slug: HashMap<String, Vec<usize>>,
    by_identifier: HashMap<(String, u64), usize>,
    by_number: HashMap<u64, Vec<usize>>,
    by_label: HashMap<String, Vec<usize>>,
    by_title: HashMap<String, Vec<usize>>,
    /// Each spec's own identifier prefix, for bare numbers in its header.
    own_prefix: Vec<Option<String>>,
    /// Redirect files: old repository path → new one.
    redirects: HashMap<String, String>,
}

fn strip_extension(path: &str) -> &str {
    for ext in [".rst", ".md", ".markdown", ".txt", ".html"] {
        if let Some(stem) = path.strip_suffix(ext) {
            return stem;
        }
    }
    path
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn file_stem(path: &str) -> &str {
    strip_extension(path.rsplit('/').next().unwrap_or(path))
}

/// Join `relative` onto `dir` (or the root for `/…`), resolving `.`/`..`.
fn join(dir: &str, relative: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let rest = match relative.strip_prefix('/') {
        Some(absolute) => absolute,
        None => {
            parts.extend(dir.split('/').filter(|p| !p.is_empty()));
            relative
        }
    };
    for part in rest.split('/') {
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

/// The spec's own identifier from its metadata fields.
fn own_identifier(spec: &Spec) -> Option<(String, u64)> {
    for field in &spec.fields {
        let name = field.name.to_ascii_lowercase();
        let value = field.value.trim();
        match name.as_str() {
            "pep" | "spec" | "jep" | "sep" => {
                if let Ok(number) = value.parse() {
                    return Some((name, number));
                }
            }
            "kep-number" => {
                if let Ok(number) = value.parse() {
                    return Some(("kep".to_string(), number));
                }
            }
            "proposal" => {
                let (prefix, number) = value.split_once('-')?;
                if prefix.chars().all(|c| c.is_ascii_alphabetic()) {
                    if let Ok(number) = number.parse() {
                        return Some((prefix.to_ascii_lowercase(), number));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

fn leading_number(stem: &str) -> Option<u64> {
    let digits: String = stem.chars().take_while(|c| c.is_ascii_digit()).collect();
    (!digits.is_empty() && stem[digits.len()..].starts_with('-'))
        .then(|| digits.parse().ok())
        .flatten()
}

impl SpecIndex {
    fn new(specs: &[Spec], config: &Config) -> SpecIndex {
        let mut index = SpecIndex {
            by_path: HashMap::new(),
            by_path_stem: HashMap::new(),
            by_dir: HashMap::new(),
            by_file_stem: HashMap::new(),
            by_slug: HashMap::new(),
            by_identifier: HashMap::new(),
            by_number: HashMap::new(),
            by_label: HashMap::new(),
            by_title: HashMap::new(),
            own_prefix: Vec::with_capacity(specs.len()),
            redirects: HashMap::new(),
        };
        let mut redirect_files = HashSet::new();
        for (i, spec) in specs.iter().enumerate() {
            let path = spec.source.rel_path.as_str();
            index.by_path.insert(path.to_string(), i);
            index
                .by_path_stem
                .entry(strip_extension(path).to_string())
                .or_insert(i);
            let stem = file_stem(path);
            if matches!(stem, "README" | "index") {
                index.by_dir.insert(parent_dir(path).to_string(), i);
            }
            index
                .by_file_stem
                .entry(stem.to_string())
                .or_default()
                .push(i);
            index.by_slug.entry(slug(stem)).or_default().push(i);
            if let Some(number) = leading_number(stem) {
                index.by_number.entry(number).or_default().push(i);
            }
            let own = own_identifier(spec);
            if let Some(id) = &own {
                index.by_identifier.entry(id.clone()).or_insert(i);
            }
            index.own_prefix.push(own.map(|(prefix, _)| prefix));
            index
                .by_title
                .entry(spec.title.trim().to_lowercase())
                .or_default()
                .push(i);
            // A spec's name (its file stem, as blueprints and Dependencies
            // lists write it) names it too; only compound names, so a
            // one-word stem such as `quotas` never matches ordinary prose.
            if is_compound_name(stem) {
                let owners = index.by_title.entry(stem.to_lowercase()).or_default();
                if !owners.contains(&i) {
                    owners.push(i);
                }
            }
            for node in spec.doc.all_nodes() {
                // Explicit labels: `.. _name:` leaves a target with `refid`
                // (or `names`, before transforms); section names are not labels.
                if spec.doc.kind(node) == crate::markup::doc::Kind::Target {
                    let attrs = spec.doc.attrs(node);
                    let names = attrs.list("names").iter().map(String::as_str);
                    for name in names.chain(attrs.str("refid")) {
                        let owners = index.by_label.entry(name.to_lowercase()).or_default();
                        if !owners.contains(&i) {
                            owners.push(i);
                        }
                    }
                }
            }
            // `specs/<release>/redirects` beside `specs/<release>/<state>/x.rst`.
            let state_dir = parent_dir(path);
            let release_dir = parent_dir(state_dir);
            if !release_dir.is_empty() {
                redirect_files.insert(release_dir.to_string());
            }
        }
        for dir in redirect_files {
            let file = config.root.join(&dir).join("redirects");
            let small = std::fs::metadata(&file)
                .is_ok_and(|m| m.is_file() && m.len() <= MAX_REDIRECTS_BYTES);
            let Some(text) = small.then(|| std::fs::read_to_string(&file).ok()).flatten() else {
                continue;
            };
            for line in text.lines() {
                let mut words = line.split_whitespace();
                if let (Some(old), Some(new)) = (words.next(), words.next()) {
                    if let (Some(old), Some(new)) = (
                        join(&dir, old),
                        join(&dir, old.rsplit_once('/').map_or("", |(d, _)| d))
                            .and_then(|d| join(&d, new)),
                    ) {
                        index.redirects.insert(old, new);
                    }
                }
            }
        }
        index
    }

    /// A repository path, with or without extension, or a directory.
    fn path(&self, joined: &str) -> Option<usize> {
        let joined = joined.trim_end_matches('/');
        self.by_path
            .get(joined)
            .or_else(|| self.by_path_stem.get(strip_extension(joined)))
            .or_else(|| self.by_dir.get(joined))
            .copied()
    }
}

/// The identifier namespace a URL pattern's `{number}` is in: the word
/// right before it (`pep-{number}` → `pep`), or `None` when a `/` is
/// (`…/pull/{number}`: the number is a spec's file number).
fn number_namespace(pattern: &UrlPattern) -> Option<String> {
    let at = pattern
        .parts
        .iter()
        .position(|p| matches!(p, UrlPart::Placeholder(n) if n == "number"))?;
    let UrlPart::Literal(before) = pattern.parts.get(at.checked_sub(1)?)? else {
        return None;
    };
    let before = before.strip_suffix(['-', '_', ' ']).unwrap_or(before);
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!word.is_empty()).then_some(word)
}

/// A spec's own blueprint or tracking links, which are never edges.
#[derive(Debug, Default)]
struct OwnTracking {
    /// Blueprint names ([`slug`]s) the spec tracks itself by.
    blueprints: HashSet<String>,
}

/// The blueprint name a URL names, when it matches a blueprint-like
/// pattern (one with `{name}` and no `{release}` or `{path}`) of this
/// project.
fn blueprint_name(options: &LinkOptions, url: &str) -> Option<String> {
    options.urls.iter().find_map(|pattern| {
        let captures = pattern.matches(url)?;
        let get = |name: &str| captures.iter().find(|(n, _)| n == name).map(|(_, v)| v);
        if get("release").is_some() || get("path").is_some() {
            return None;
        }
        if let (Some(project), Some(ours)) = (get("project"), &options.project) {
            if !project.eq_ignore_ascii_case(ours) {
                return None;
            }
        }
        get("name").map(|name| slug(name))
    })
}

/// Decide which blueprint links are the spec's own: the first blueprint
/// link it has, any in its header area (metadata fields, or the body
/// before the first section after the title), any whose name is the
/// spec's file stem, and any named in a metadata field's value.
fn own_tracking(spec: &Spec, references: &[Reference], options: &LinkOptions) -> OwnTracking {
    let mut own = OwnTracking::default();
    let stem = slug(file_stem(&spec.source.rel_path));
    let mut first = true;
    for reference in references {
        let RefTarget::Url(url) = &reference.target else {
            continue;
        };
        let Some(name) = blueprint_name(options, url) else {
            continue;
        };
        if first || reference.in_header || name == stem {
            own.blueprints.insert(name);
        }
        first = false;
    }
    for field in &spec.fields {
        for word in field.value.split_whitespace() {
            let word = word.trim_matches(|c: char| matches!(c, '<' | '>' | '(' | ')' | '`' | '"'));
            if word.contains("://") {
                if let Some(name) = blueprint_name(options, word) {
                    own.blueprints.insert(name);
                }
            }
        }
    }
    own
}

/// The outcome of resolving one reference.
enum Outcome {
    Spec(usize, Via),
    /// Names a spec-like thing that is not here; warn when `warn`.
    Missing {
        reason: String,
        warn: bool,
    },
    /// Not about specs at all (an external page, an anchor).
    Ignore,
    /// The spec's own blueprint or tracking link; `would_be` is the spec
    /// it would otherwise have named (for the closing note's counts).
    Own {
        would_be: Option<usize>,
    },
}

impl Outcome {
    fn own(resolved: Outcome) -> Outcome {
        match resolved {
            Outcome::Spec(target, _) => Outcome::Own {
                would_be: Some(target),
            },
            _ => Outcome::Own { would_be: None },
        }
    }
}

struct Resolver<'a> {
    index: &'a SpecIndex,
    specs: &'a [Spec],
    options: &'a LinkOptions,
    config: &'a Config,
}

fn is_spec_like_path(path: &str) -> bool {
    let path = path.split(['#', '?']).next().unwrap_or(path);
    [".rst", ".md", ".markdown", ".html"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

impl Resolver<'_> {
    fn resolve(&self, spec: usize, reference: &Reference, own: &OwnTracking) -> Outcome {
        let Some(source) = self.specs.get(spec) else {
            return Outcome::Ignore;
        };
        let dir = parent_dir(&source.source.rel_path);
        let declared_via = |via| if reference.declared { Via::Header } else { via };
        match &reference.target {
            RefTarget::Path(raw) => {
                let path = raw.split(['#', '?']).next().unwrap_or(raw);
                if path.is_empty() {
                    return Outcome::Ignore;
                }
                let joined = join(dir, path);
                if let Some(target) = joined.as_deref().and_then(|j| self.index.path(j)) {
                    return Outcome::Spec(target, declared_via(Via::RelativeLink));
                }
                if reference.declared {
                    // A bare stem or identifier-like token names a spec anywhere.
                    if let Some([target]) = self
                        .index
                        .by_file_stem
                        .get(file_stem(path))
                        .map(Vec::as_slice)
                    {
                        return Outcome::Spec(*target, Via::Header);
                    }
                }
                // A relative link to a page at its old `approved/` place.
                if let Some(joined) = joined.as_deref() {
                    let parts: Vec<&str> = joined.split('/').collect();
                    if let [.., "specs", release, state @ ("approved" | "implemented"), name] =
                        parts.as_slice()
                    {
                        if let Outcome::Spec(target, via) =
                            self.published(release, state, strip_extension(name))
                        {
                            return Outcome::Spec(target, via);
                        }
                    }
                }
                if reference.declared || is_spec_like_path(path) {
                    let exists = joined
                        .as_deref()
                        .is_some_and(|j| self.config.root.join(j).exists());
                    if exists && !reference.declared {
                        return Outcome::Ignore;
                    }
                    return Outcome::Missing {
                        reason: format!("no spec at {}", joined.unwrap_or_else(|| raw.clone())),
                        warn: true,
                    };
                }
                Outcome::Ignore
            }
            RefTarget::Doc(raw) => {
                let joined = join(dir, raw);
                match joined.as_deref().and_then(|j| self.index.path(j)) {
                    Some(target) => Outcome::Spec(target, Via::Doc),
                    None => Outcome::Missing {
                        reason: format!("no spec for :doc: {raw}"),
                        warn: true,
                    },
                }
            }
            RefTarget::Label(label) => match self.index.by_label.get(label).map(Vec::as_slice) {
                Some(owners) if owners.contains(&spec) => Outcome::Ignore,
                Some([target]) => Outcome::Spec(*target, Via::Ref),
                _ => Outcome::Ignore,
            },
            RefTarget::Identifier(prefix, number) => {
                match self.index.by_identifier.get(&(prefix.clone(), *number)) {
                    Some(target) => Outcome::Spec(*target, declared_via(Via::Identifier)),
                    None => Outcome::Missing {
                        reason: format!(
                            "no spec has identifier {} {number}",
                            prefix.to_uppercase()
                        ),
                        warn: reference.declared,
                    },
                }
            }
            RefTarget::Number(number) => {
                let Some(Some(prefix)) = self.index.own_prefix.get(spec) else {
                    return Outcome::Missing {
                        reason: format!(
                            "bare number {number}, and this spec has no numbered identifier"
                        ),
                        warn: true,
                    };
                };
                match self.index.by_identifier.get(&(prefix.clone(), *number)) {
                    Some(target) => Outcome::Spec(*target, Via::Header),
                    None => Outcome::Missing {
                        reason: format!(
                            "no spec has identifier {} {number}",
                            prefix.to_uppercase()
                        ),
                        warn: true,
                    },
                }
            }
            RefTarget::PullRequest(repo, number) => {
                let found = self.by_number(&format!("{repo}#{number}"), *number, Via::PullRequest);
                // `RFC PR: rust-lang/rfcs#N` in the header is the spec's own.
                if reference.in_header {
                    Outcome::own(found)
                } else {
                    found
                }
            }
            RefTarget::Title(title) => match self.index.by_title.get(title).map(Vec::as_slice) {
                Some([target]) => Outcome::Spec(*target, Via::Title),
                _ => Outcome::Ignore,
            },
            RefTarget::Url(url) => self.url(spec, url, reference.in_header, own),
        }
    }

    /// The spec whose file name starts with `number`; `written` says how
    /// the reference was written, for the reason when there is none.
    fn by_number(&self, written: &str, number: u64, via: Via) -> Outcome {
        match self.index.by_number.get(&number).map(Vec::as_slice) {
            Some([target]) => Outcome::Spec(*target, via),
            Some(_) => Outcome::Missing {
                reason: format!("{written}: several specs have number {number}"),
                warn: false,
            },
            None => Outcome::Missing {
                reason: format!(
                    "{written}: no spec has number {number} (an unmerged pull request?)"
                ),
                warn: false,
            },
        }
    }

    /// A URL: the first pattern that names a spec decides; a pattern that
    /// names something missing is remembered in case none does.
    fn url(&self, spec: usize, url: &str, in_header: bool, own: &OwnTracking) -> Outcome {
        let mut missing = None;
        for pattern in &self.options.urls {
            let Some(captures) = pattern.matches(url) else {
                continue;
            };
            match self.captured(spec, pattern, &captures, in_header, own) {
                found @ (Outcome::Spec(..) | Outcome::Own { .. }) => return found,
                found @ Outcome::Missing { .. } => {
                    missing.get_or_insert(found);
                }
                Outcome::Ignore => {}
            }
        }
        missing.unwrap_or(Outcome::Ignore)
    }

    /// Resolve what a URL pattern captured.
    fn captured(
        &self,
        spec: usize,
        pattern: &UrlPattern,
        captures: &settings::Captures,
        in_header: bool,
        own: &OwnTracking,
    ) -> Outcome {
        let get = |name: &str| {
            captures
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if let (Some(project), Some(ours)) = (get("project"), &self.options.project) {
            if !project.eq_ignore_ascii_case(ours) {
                // Another project's spec or blueprint: not in this repository.
                return Outcome::Ignore;
            }
        }
        if let Some(path) = get("path") {
            return match self.index.path(path.trim_matches('/')) {
                Some(target) => Outcome::Spec(target, Via::UrlPattern),
                None => Outcome::Ignore,
            };
        }
        if let (Some(release), Some(state), Some(name)) =
            (get("release"), get("state"), get("name"))
        {
            return self.published(release, state, name);
        }
        if let Some(name) = get("name") {
            let found = self.blueprint(spec, name);
            if own.blueprints.contains(&slug(name)) {
                return Outcome::own(found);
            }
            return found;
        }
        if let Some(number) = get("number").and_then(|n| n.parse::<u64>().ok()) {
            return match number_namespace(pattern) {
                Some(prefix) => match self.index.by_identifier.get(&(prefix, number)) {
                    Some(target) => Outcome::Spec(*target, Via::UrlPattern),
                    None => Outcome::Ignore,
                },
                None => {
                    let found = self.by_number(
                        &format!("URL pattern {}", pattern.text),
                        number,
                        Via::PullRequest,
                    );
                    // A pull-request link in the header (`RFC PR: …`) is
                    // the spec's own.
                    if in_header {
                        Outcome::own(found)
                    } else {
                        found
                    }
                }
            };
        }
        Outcome::Ignore
    }

    fn published(&self, release: &str, state: &str, name: &str) -> Outcome {
        let prefix = self.specs_prefix();
        let here = format!("{prefix}{release}/{state}/{name}");
        if let Some(target) = self.index.path(&here) {
            return Outcome::Spec(target, Via::UrlPattern);
        }
        for ext in [".rst", ".md"] {
            if let Some(target) = self
                .index
                .redirects
                .get(&format!("{here}{ext}"))
                .and_then(|new| self.index.path(new))
            {
                return Outcome::Spec(target, Via::Redirect);
            }
        }
        let other = if state == "approved" {
            "implemented"
        } else {
            "approved"
        };
        if let Some(target) = self
            .index
            .path(&format!("{prefix}{release}/{other}/{name}"))
        {
            return Outcome::Spec(target, Via::MovedSpec);
        }
        Outcome::Missing {
            reason: format!("published spec {release}/{state}/{name} is not in this repository"),
            warn: false,
        }
    }

    /// Where release directories live (`specs/`), from the specs themselves.
    fn specs_prefix(&self) -> &'static str {
        "specs/"
    }

    fn blueprint(&self, spec: usize, name: &str) -> Outcome {
        let Some(candidates) = self.index.by_slug.get(&slug(name)) else {
            return Outcome::Missing {
                reason: format!("blueprint {name} has no spec in this repository"),
                warn: false,
            };
        };
        if candidates.contains(&spec) {
            return Outcome::Ignore;
        }
        // The same name in several releases (re-proposed specs): the latest.
        let releases = &self.config.metadata.releases;
        let best = candidates.iter().copied().max_by(|a, b| {
            let release = |i: usize| {
                self.specs
                    .get(i)
                    .and_then(|s| s.release.as_ref())
                    .map(|r| r.label.clone())
                    .unwrap_or_default()
            };
            crate::model::compare_milestones(&release(*a), &release(*b), releases).then(a.cmp(b))
        });
        match best {
            Some(target) => Outcome::Spec(target, Via::UrlPattern),
            None => Outcome::Ignore,
        }
    }
}

/// An edge being gathered: its strongest kind, every way it is written,
/// and where the strongest reference is.
type Merging = (EdgeKind, Vec<Via>, Option<Span>);

/// Resolve every spec's references into the graph, and lint it, with the
/// settings of `config`.
pub fn link(specs: &[Spec], config: &Config) -> (SpecGraph, Vec<Diagnostic>) {
    link_with(specs, config, &LinkOptions::from_config(config))
}

pub fn link_with(
    specs: &[Spec],
    config: &Config,
    options: &LinkOptions,
) -> (SpecGraph, Vec<Diagnostic>) {
    use rayon::prelude::*;

    let index = SpecIndex::new(specs, config);
    let mut prefixes: Vec<String> = index
        .by_identifier
        .keys()
        .map(|(prefix, _)| prefix.clone())
        .collect();
    prefixes.extend(options.prefixes.iter().cloned());
    prefixes.sort();
    prefixes.dedup();
    let titles =
        references::TitleIndex::new(index.by_title.iter().filter_map(|(title, owners)| {
            match owners.as_slice() {
                [_only] => Some(title.clone()),
                _ => None,
            }
        }));
    let extract_options = ExtractOptions {
        prefixes: &prefixes,
        pull_request_repos: &options.pull_request_repos,
        sections: &options.sections,
        requires_sections: &options.requires_sections,
        titles: &titles,
    };
    let resolver = Resolver {
        index: &index,
        specs,
        options,
        config,
    };
    let per_spec: Vec<Vec<(Reference, Outcome)>> = specs
        .par_iter()
        .enumerate()
        .map(|(i, spec)| {
            let references = references::extract(spec, &extract_options);
            let own = own_tracking(spec, &references, options);
            references
                .into_iter()
                .map(|reference| {
                    let outcome = resolver.resolve(i, &reference, &own);
                    (reference, outcome)
                })
                .collect()
        })
        .collect();

    let mut graph = SpecGraph::default();
    let mut diagnostics = Vec::new();
    let mut merged: BTreeMap<(usize, usize), Merging> = BTreeMap::new();
    // Relations each spec declares in its header, for the supersession lints.
    let mut declared: HashSet<(usize, usize, EdgeKind)> = HashSet::new();
    for (source, outcomes) in per_spec.into_iter().enumerate() {
        let Some(spec) = specs.get(source) else {
            continue;
        };
        for (reference, outcome) in outcomes {
            match outcome {
                Outcome::Spec(target, via) if target == source => {
                    if let Some(diagnostic) = self_reference(spec, &reference, via) {
                        diagnostics.push(diagnostic);
                    }
                }
                Outcome::Spec(target, via) => {
                    *graph.resolved_by_via.entry(via).or_insert(0) += 1;
                    if reference.declared {
                        declared.insert((source, target, reference.kind));
                    }
                    let entry = merged.entry((source, target)).or_insert((
                        reference.kind,
                        Vec::new(),
                        reference.span,
                    ));
                    if reference.kind.strength() > entry.0.strength() {
                        entry.0 = reference.kind;
                        entry.2 = reference.span;
                    }
                    if !entry.1.contains(&via) {
                        entry.1.push(via);
                    }
                }
                Outcome::Missing { reason, warn } => {
                    let text = describe(&reference.target);
                    if warn {
                        let mut diagnostic = Diagnostic::warning(
                            "link/dangling-reference",
                            format!("broken reference {text}: {reason}"),
                        )
                        .with_help("fix the link, or remove it if the spec was never written");
                        diagnostic = match reference.span {
                            Some(span) => diagnostic.at(&spec.source.rel_path, span),
                            None => diagnostic.in_file(&spec.source.rel_path),
                        };
                        diagnostics.push(diagnostic);
                    }
                    graph.unresolved.push(Unresolved {
                        spec: source,
                        text,
                        reason,
                        span: reference.span,
                    });
                }
                Outcome::Own { would_be } => {
                    graph.own_tracking_links += 1;
                    if would_be.is_some_and(|target| target != source) {
                        graph.own_tracking_elsewhere += 1;
                    }
                }
                Outcome::Ignore => {}
            }
        }
    }
    graph.outgoing = vec![Vec::new(); specs.len()];
    graph.incoming = vec![Vec::new(); specs.len()];
    for ((source, target), (kind, mut vias, evidence)) in merged {
        vias.sort();
        let at = graph.edges.len();
        graph.edges.push(Edge {
            source,
            target,
            kind,
            vias,
        });
        graph.evidence.push(evidence);
        if let Some(list) = graph.outgoing.get_mut(source) {
            list.push(at);
        }
        if let Some(list) = graph.incoming.get_mut(target) {
            list.push(at);
        }
    }
    diagnostics.extend(lint(specs, &graph, &declared));
    let diagnostics = apply_lint_levels(diagnostics, &options.lints);
    (graph, diagnostics)
}

/// `[lints]`: drop the rules set to `allow`, make the ones set to `error`
/// errors; the rest stay warnings (which `--strict` fails on).
fn apply_lint_levels(
    diagnostics: Vec<Diagnostic>,
    lints: &settings::LintsConfig,
) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter_map(|mut diagnostic| match lints.level(&diagnostic.code) {
            LintLevel::Allow => None,
            LintLevel::Warn => Some(diagnostic),
            LintLevel::Error => {
                diagnostic.severity = crate::diag::Severity::Error;
                Some(diagnostic)
            }
        })
        .collect()
}

/// A link written as a path to the spec's own file (or a header field
/// naming the spec itself) is never an edge, and almost always a slip: the
/// author copied a neighbour's link, or meant another spec. Links to a part
/// of the page (`own-file.md#section`), links in the header area and
/// mentions by number, title or tracking URL are how specs speak of
/// themselves, so they stay quiet.
fn self_reference(spec: &Spec, reference: &Reference, via: Via) -> Option<Diagnostic> {
    // Swift-Evolution style headers link the proposal's own file on purpose
    // (`* Proposal: [SE-0003](0003-name.md)`); a declared relation
    // (`requires:`) naming the spec itself is still a slip.
    if reference.in_header && !reference.declared {
        return None;
    }
    let written = match (&reference.target, via) {
        (
            RefTarget::Path(raw) | RefTarget::Doc(raw),
            Via::RelativeLink | Via::Doc | Via::Header,
        ) if !raw.contains('#') => {
            format!("`{raw}`")
        }
        (_, Via::Header) if reference.declared => describe(&reference.target),
        _ => return None,
    };
    let diagnostic = Diagnostic::warning(
        "link/self-reference",
        format!("reference to itself: {written} resolves to this spec, not to another one"),
    )
    .with_help("link the spec you meant, or write `#section` to point at a part of this page");
    Some(match reference.span {
        Some(span) => diagnostic.at(&spec.source.rel_path, span),
        None => diagnostic.in_file(&spec.source.rel_path),
    })
}

fn describe(target: &RefTarget) -> String {
    match target {
        RefTarget::Path(p) | RefTarget::Url(p) => format!("`{p}`"),
        RefTarget::Doc(p) => format!(":doc:`{p}`"),
        RefTarget::Label(l) => format!(":ref:`{l}`"),
        RefTarget::Identifier(prefix, n) => format!("{} {n}", prefix.to_uppercase()),
        RefTarget::Number(n) => format!("number {n}"),
        RefTarget::PullRequest(repo, n) => format!("{repo}#{n}"),
        RefTarget::Title(t) => format!("title “{t}”"),
    }
}

/// The whole-graph lints.
fn lint(
    specs: &[Spec],
    graph: &SpecGraph,
    declared: &HashSet<(usize, usize, EdgeKind)>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let path = |i: usize| specs.get(i).map_or("", |s| s.source.rel_path.as_str());

    for cycle in requires_cycles(specs.len(), graph) {
        let Some(first) = cycle.first().copied() else {
            continue;
        };
        let names: Vec<&str> = cycle.iter().map(|i| path(*i)).collect();
        out.push(
            Diagnostic::warning(
                "link/requires-cycle",
                format!(
                    "specs require each other in a cycle: {} → {}",
                    names.join(" → "),
                    path(first)
                ),
            )
            .in_file(path(first))
            .with_help("a spec cannot be finished before itself; drop one of the requires"),
        );
    }
    for &(source, target, kind) in declared {
        let (expected, word) = match kind {
            EdgeKind::Replaces => (EdgeKind::SupersededBy, "superseded-by"),
            EdgeKind::SupersededBy => (EdgeKind::Replaces, "replaces"),
            _ => continue,
        };
        if !declared.contains(&(target, source, expected)) {
            out.push(
                Diagnostic::warning(
                    "link/one-sided-supersession",
                    format!(
                        "{} says it {} {}, which does not say {word} it",
                        path(source),
                        kind.key(),
                        path(target)
                    ),
                )
                .in_file(path(source))
                .with_help(format!("add `{word}` to {}", path(target))),
            );
        }
    }
    for (i, spec) in specs.iter().enumerate() {
        if spec.status_key() == StatusKey::Superseded && successor(graph, i).is_none() {
            out.push(
                Diagnostic::warning(
                    "link/superseded-without-successor",
                    format!("{} is superseded but names no successor", path(i)),
                )
                .in_file(path(i))
                .with_help("add a superseded-by field naming the spec that replaces it"),
            );
        }
    }
    for edge in &graph.edges {
        if edge.kind != EdgeKind::Requires {
            continue;
        }
        let (Some(source), Some(target)) = (specs.get(edge.source), specs.get(edge.target)) else {
            continue;
        };
        let ready = matches!(
            source.status_key(),
            StatusKey::Accepted | StatusKey::Implemented
        );
        let unready = matches!(
            target.status_key(),
            StatusKey::Draft | StatusKey::Rejected | StatusKey::Withdrawn
        );
        if ready && unready {
            out.push(
                Diagnostic::warning(
                    "link/requires-unready",
                    format!(
                        "{} is {} but requires {}, which is {}",
                        path(edge.source),
                        source.status_key().key(),
                        path(edge.target),
                        target.status_key().key()
                    ),
                )
                .in_file(path(edge.source))
                .with_help(format!(
                    "finish {} first, or drop the requirement (or set [lints] requires-unready = \"allow\")",
                    path(edge.target)
                )),
            );
        }
    }
    out.sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
    out
}

/// The spec that replaces `spec`, by either side's declaration.
pub fn successor(graph: &SpecGraph, spec: usize) -> Option<usize> {
    let outgoing = graph
        .outgoing
        .get(spec)?
        .iter()
        .filter_map(|e| graph.edges.get(*e));
    let incoming = graph
        .incoming
        .get(spec)?
        .iter()
        .filter_map(|e| graph.edges.get(*e));
    outgoing
        .filter(|e| e.kind == EdgeKind::SupersededBy)
        .map(|e| e.target)
        .chain(
            incoming
                .filter(|e| e.kind == EdgeKind::Replaces)
                .map(|e| e.source),
        )
        .next()
}

/// Strongly connected components of the requires edges with two or more
/// specs (Tarjan's algorithm with an explicit stack), each listed from its
/// smallest index in cycle order where possible.
fn requires_cycles(count: usize, graph: &SpecGraph) -> Vec<Vec<usize>> {
    let mut adjacency: Vec<Vec<usize>> = vec![Vec::new(); count];
    for edge in &graph.edges {
        if edge.kind == EdgeKind::Requires {
            if let Some(list) = adjacency.get_mut(edge.source) {
                list.push(edge.target);
            }
        }
    }
    let mut order = vec![usize::MAX; count];
    let mut low = vec![0usize; count];
    let mut on_stack = vec![false; count];
    let mut stack = Vec::new();
    let mut next = 0usize;
    let mut components = Vec::new();
    for root in 0..count {
        if order[root] != usize::MAX {
            continue;
        }
        // (node, next child position)
        let mut work = vec![(root, 0usize)];
        order[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut position)) = work.last_mut() {
            if let Some(&child) = adjacency[node].get(*position) {
                *position += 1;
                if order[child] == usize::MAX {
                    order[child] = next;
                    low[child] = next;
                    next += 1;
                    stack.push(child);
                    on_stack[child] = true;
                    work.push((child, 0));
                } else if on_stack[child] {
                    low[node] = low[node].min(order[child]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == order[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    components.push(component);
                }
            }
        }
    }
    components.sort();
    components
}
