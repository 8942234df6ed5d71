//! The build: the pipeline stages run in order, as one function of values.
//!
//! `build_site` takes a repository to an in-memory [`OutputTree`] plus every
//! diagnostic; `serve` will call it (and later, a cached variant) and `build`
//! writes its result atomically. Nothing here prints: timings and
//! diagnostics are returned for the front end to show.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::{Config, Overrides};
use crate::diag::{Diagnostic, Severity};
use crate::extract;
use crate::load::{self, Sources};
use crate::markup::{self, rst, MarkupOptions};
use crate::model::Spec;
use crate::output::OutputTree;
use crate::render::code_cache::{CacheLocation, CodeCache};
use crate::render::site::{render_site, SiteInput};
use crate::render::theme::Theme;
use crate::source::{FileRole, SharedSource};

/// How long each stage took, for `-v` and the benchmark notes.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    fn record(&mut self, stage: &'static str, started: Instant) -> Instant {
        let now = Instant::now();
        self.stages.push((stage, now - started));
        now
    }
}

/// Everything a build produced.
pub struct SiteBuild {
    pub config: Config,
    /// The config file's text, for showing diagnostics that point into it.
    pub config_text: Option<String>,
    pub sources: Sources,
    pub specs: Vec<Spec>,
    /// References resolved into the dependency graph (the link stage).
    pub graph: crate::link::SpecGraph,
    pub tree: OutputTree,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

impl SiteBuild {
    pub fn has_errors(&self, strict: bool) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error || (strict && d.severity == Severity::Warning))
    }
}

/// Why a build could not even start.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the repository root {path} cannot be used: {source}; give the path of the spec repository (default: the current directory)")]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the repository root {0} is not a directory; give the directory that holds the specs, not a file in it")]
    RootNotADirectory(PathBuf),
}

/// Canonicalise and check the repository root.
pub fn resolve_root(root: &Path) -> Result<PathBuf, BuildError> {
    let canonical = std::fs::canonicalize(root).map_err(|source| BuildError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    if !canonical.is_dir() {
        return Err(BuildError::RootNotADirectory(root.to_path_buf()));
    }
    Ok(canonical)
}

/// Page path of a spec: its source path with `.html` for the extension.
fn page_path_for(rel_path: &str) -> String {
    match rel_path.rfind('.') {
        Some(dot) if !rel_path[dot..].contains('/') => format!("{}.html", &rel_path[..dot]),
        _ => format!("{rel_path}.html"),
    }
}

/// Page paths for every spec, in source order; two sources that would
/// share a page (`a.md` and `a.rst`) keep their extension in the name.
pub fn plan_page_paths(rel_paths: &[&str]) -> Vec<String> {
    let mut taken = HashSet::new();
    let reserved = ["index.html", "404.html"];
    rel_paths
        .iter()
        .map(|rel_path| {
            let mut page = page_path_for(rel_path);
            if reserved.contains(&page.as_str()) || !taken.insert(page.clone()) {
                page = format!("{rel_path}.html");
                taken.insert(page.clone());
            }
            page
        })
        .collect()
}

/// The markup options a build of `config` parses with.
pub fn markup_options(config: &Config) -> MarkupOptions {
    MarkupOptions {
        rst: rst::RstOptions {
            stage: rst::Stage::Full,
            sphinx: config.markup.sphinx,
            root: Some(config.root.clone()),
            any_header_block: true,
            ..Default::default()
        },
    }
}

/// Parse one spec file and extract its [`Spec`]: the per-file stage,
/// shared by `read_specs` and serve's cached rebuilds.
pub fn parse_spec(
    file: &SharedSource,
    options: &MarkupOptions,
    page_path: String,
    config: &Config,
) -> (Spec, Vec<Diagnostic>) {
    let parsed = markup::parse(file, options);
    let mut file_diagnostics = parsed.diagnostics.clone();
    file_diagnostics.extend(
        crate::render::unsafe_content::lint(&parsed.doc, config.markup.raw_html)
            .into_iter()
            .map(|diagnostic| diagnostic.in_file(&file.rel_path)),
    );
    let (mut spec, mut more) = extract::extract_with(
        file.clone(),
        parsed,
        page_path,
        Some(&config.root),
        &config.metadata,
    );
    file_diagnostics.append(&mut more);
    spec.problems = file_diagnostics.len();
    (spec, file_diagnostics)
}

/// The index pages of a repository (read for metadata by `extract::finish`).
pub fn index_files(sources: &Sources) -> Vec<&crate::source::SourceFile> {
    sources
        .files
        .iter()
        .filter(|f| f.role == FileRole::Index)
        .map(|f| f.as_ref())
        .collect()
}

/// The theme: built in, with the repository's template and static overrides.
pub fn load_theme(config: &Config) -> (Theme, Vec<Diagnostic>) {
    let override_dir = config.root.join(&config.template_dir);
    let static_dir = config.root.join(&config.static_dir);
    Theme::load(
        override_dir.is_dir().then_some(override_dir.as_path()),
        static_dir.is_dir().then_some(static_dir.as_path()),
        &config.root,
    )
}

/// The specs of a repository, read and described but not rendered (what
/// `specsite list` needs, and the first half of a build).
pub struct SpecsRead {
    pub config: Config,
    pub config_text: Option<String>,
    pub sources: Sources,
    pub specs: Vec<Spec>,
    pub diagnostics: Vec<Diagnostic>,
    pub timings: Timings,
}

/// Config, load, parse and extract: everything up to rendering.
pub fn read_specs(root: &Path, overrides: &Overrides, cwd: &Path) -> Result<SpecsRead, BuildError> {
    let root = resolve_root(root)?;
    let mut timings = Timings::default();
    let started = Instant::now();

    let loaded = Config::load(&root, overrides, cwd);
    let config = loaded.config;
    let mut diagnostics = loaded.diagnostics;
    let mark = timings.record("config", started);

    let mut sources = load::load(&config);
    diagnostics.append(&mut sources.diagnostics);
    let mark = timings.record("load", mark);

    let options = markup_options(&config);
    let spec_files: Vec<_> = sources
        .files
        .iter()
        .filter(|f| f.role == FileRole::Spec)
        .collect();
    let rel_paths: Vec<&str> = spec_files.iter().map(|f| f.rel_path.as_str()).collect();
    let page_paths = plan_page_paths(&rel_paths);
    let extracted: Vec<(Spec, Vec<Diagnostic>)> = spec_files
        .par_iter()
        .zip(page_paths.into_par_iter())
        .map(|(file, page_path)| parse_spec(file, &options, page_path, &config))
        .collect();
    let mut specs = Vec::with_capacity(extracted.len());
    for (spec, mut file_diagnostics) in extracted {
        diagnostics.append(&mut file_diagnostics);
        specs.push(spec);
    }
    let index_files = index_files(&sources);
    diagnostics.append(&mut extract::finish(&mut specs, &index_files, &config));
    timings.record("parse+extract", mark);

    Ok(SpecsRead {
        config,
        config_text: loaded.file_text,
        sources,
        specs,
        diagnostics,
        timings,
    })
}

/// Run the whole pipeline in memory.
pub fn build_site(root: &Path, overrides: &Overrides, cwd: &Path) -> Result<SiteBuild, BuildError> {
    let SpecsRead {
        config,
        config_text,
        sources,
        specs,
        mut diagnostics,
        mut timings,
    } = read_specs(root, overrides, cwd)?;
    let mark = Instant::now();
    let (graph, mut link_diagnostics) = crate::link::link(&specs, &config);
    diagnostics.append(&mut link_diagnostics);
    let mark = timings.record("link", mark);
    let (theme, mut theme_diagnostics) = load_theme(&config);
    diagnostics.append(&mut theme_diagnostics);
    let cache_location = overrides.cache_dir.as_ref().map(|dir| CacheLocation {
        dir: dir.clone(),
        root: config.root.clone(),
    });
    let code_cache = cache_location.as_ref().map(CodeCache::load);
    let (mut tree, mut render_diagnostics) = render_site(&SiteInput {
        config: &config,
        theme: &theme,
        specs: &specs,
        graph: &graph,
        code_cache: code_cache.as_ref(),
    });
    if let (Some(location), Some(code_cache)) = (&cache_location, &code_cache) {
        // A cache that cannot be written (read-only home, full disk) only
        // costs the next build its speed-up; the site is unaffected.
        let _ = code_cache.save(location);
    }
    diagnostics.append(&mut render_diagnostics);
    diagnostics.append(&mut crate::render::assets::copy_referenced_files(
        &mut tree,
        &config.root,
        &config.base_path(),
    ));
    timings.record("render", mark);

    crate::report::sort(&mut diagnostics);
    crate::check::lint_api::publish(&mut tree, &diagnostics, &sources, config_text.as_deref());
    Ok(SiteBuild {
        config,
        config_text,
        sources,
        specs,
        graph,
        tree,
        diagnostics,
        timings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_paths_replace_the_extension_and_avoid_collisions() {
        let paths = plan_page_paths(&[
            "a.md",
            "a.rst",
            "specs/x/y.rst",
            "index.md",
            "keps/1-x/README.md",
        ]);
        assert_eq!(
            paths,
            [
                "a.html",
                "a.rst.html",
                "specs/x/y.html",
                "index.md.html",
                "keps/1-x/README.html"
            ]
        );
    }
}
