//! Cached rebuilds for `serve`: the same pipeline as [`crate::build`], with
//! two caches so that saving one spec costs one parse and one page render.
//!
//! * The parse cache keeps each spec's extracted [`Spec`] and diagnostics,
//!   keyed by source path and valid while the file's content hash, its page
//!   path and the markup options are unchanged.
//! * The page cache is the previous [`OutputTree`]: a spec page is carried
//!   over (shared, not copied) when the spec's content is unchanged, the
//!   change touched only spec sources, and nothing any page shows of other
//!   specs (the site fingerprint: config, paths, titles, statuses,
//!   milestones…) changed. With the same fingerprint the site-wide pages
//!   (home, 404) are carried over too.
//!
//! Both caches are dropped whenever a change might reach past them: a file
//! that is not a spec source (config, templates, static files, an
//! `include`d file), or an unknown change (the watcher lost events). Then
//! the rebuild is a full build, which is always correct. When only changed
//! specs are read again, unchanged files keep their `Arc`, so the cache
//! recognises them without hashing.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::build::{self, BuildError};
use crate::config::{Config, Overrides, CONFIG_FILE};
use crate::diag::{Diagnostic, Severity};
use crate::load;
use crate::model::Spec;
use crate::output::OutputTree;
use crate::render::site::{render_site_except, SiteInput};
use crate::render::theme::Theme;
use crate::report::SourceTexts;
use crate::source::{FileRole, SharedSource, SourceFile};

/// What changed since the last rebuild.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// These files or directories (absolute paths) were created, modified,
    /// removed or renamed.
    Paths(Vec<PathBuf>),
    /// Anything may have changed (first build, lost events).
    Unknown,
}

/// One diagnostic resolved for people: what the browser overlay shows.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    pub severity: &'static str,
    pub code: String,
    /// Repository-relative path, when the diagnostic points into a file.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl Problem {
    /// `file:line:col: message`, the one-line form for logs and tests.
    pub fn one_line(&self) -> String {
        match (&self.file, self.line, self.column) {
            (Some(file), Some(line), Some(column)) => {
                format!("{file}:{line}:{column}: {}", self.message)
            }
            (Some(file), _, _) => format!("{file}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// Counters of one rebuild, for `-v` and the tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RebuildStats {
    pub specs: usize,
    /// Specs parsed this time (the rest came from the parse cache).
    pub parsed: usize,
    /// Spec pages rendered this time (the rest were copied).
    pub rendered_pages: usize,
}

/// The outcome of one rebuild.
pub struct Rebuild {
    pub tree: Arc<OutputTree>,
    /// Every diagnostic, resolved to file:line.
    pub problems: Vec<Problem>,
    /// Whether an error makes this site unfit to replace the last good one.
    pub failed: bool,
    pub stats: RebuildStats,
    pub duration: Duration,
    /// How long each stage took, for `-v` and the latency notes.
    pub timings: Vec<(&'static str, Duration)>,
    /// The configuration this rebuild used (its template and static dirs
    /// tell the watcher what matters).
    pub config: Config,
}

struct CachedSpec {
    content_hash: u64,
    page_path: String,
    options_key: u64,
    spec: Spec,
    diagnostics: Vec<Diagnostic>,
}

struct PreviousRender {
    tree: Arc<OutputTree>,
    site_key: u64,
    /// Page path → content hash of the spec it was rendered from.
    rendered_from: HashMap<String, u64>,
    /// Source paths of the specs of that build.
    spec_sources: HashSet<String>,
}

/// A builder that remembers its previous run.
pub struct IncrementalBuilder {
    root: PathBuf,
    overrides: Overrides,
    cwd: PathBuf,
    parse_cache: HashMap<String, CachedSpec>,
    previous: Option<PreviousRender>,
    /// What the last load read, for re-reading only the changed files.
    previous_sources: Option<load::Sources>,
    /// The theme of the last build, valid while no file but specs changed.
    theme: Option<(Theme, Vec<Diagnostic>)>,
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Everything about the site that a spec page may show besides its own
/// spec: the configuration and, for every spec, what lists and links show.
fn site_key(
    config: &Config,
    config_text: Option<&str>,
    specs: &[Spec],
    graph: &crate::link::SpecGraph,
) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    // Relations lists, neighbourhood graphs and the graph page depend on
    // every edge: a changed edge re-renders everything.
    format!("{:?}", graph.edges).hash(&mut hasher);
    format!("{config:?}").hash(&mut hasher);
    config_text.hash(&mut hasher);
    for spec in specs {
        spec.source.rel_path.hash(&mut hasher);
        spec.page_path.hash(&mut hasher);
        spec.id.hash(&mut hasher);
        spec.title.hash(&mut hasher);
        format!("{:?}{:?}", spec.status, spec.milestone).hash(&mut hasher);
        spec.authors.hash(&mut hasher);
        spec.created.hash(&mut hasher);
        spec.updated.hash(&mut hasher);
    }
    hasher.finish()
}

impl IncrementalBuilder {
    pub fn new(root: &Path, overrides: Overrides, cwd: &Path) -> IncrementalBuilder {
        IncrementalBuilder {
            root: root.to_path_buf(),
            overrides,
            cwd: cwd.to_path_buf(),
            parse_cache: HashMap::new(),
            previous: None,
            previous_sources: None,
            theme: None,
        }
    }

    /// Whether `change` touched only spec sources the caches know about, so
    /// that the caches stay valid.
    fn touches_only_specs(&self, change: &Change, root: &Path) -> bool {
        let Change::Paths(paths) = change else {
            return false;
        };
        let Some(previous) = &self.previous else {
            return false;
        };
        paths.iter().all(|path| {
            let Some(rel) = load::relative_path(root, path) else {
                // Outside the root (or not UTF-8): not something we read.
                return !path.starts_with(root);
            };
            previous.spec_sources.contains(&rel)
        })
    }

    /// Re-read only the changed files when every one of them is a spec the
    /// last load read, still a plain readable UTF-8 file: then the walk
    /// would find the same files. `None` means "walk again".
    fn reread_changed(&self, change: &Change, root: &Path) -> Option<load::Sources> {
        let Change::Paths(paths) = change else {
            return None;
        };
        let previous = self.previous_sources.as_ref()?;
        let mut files = previous.files.clone();
        for path in paths {
            let rel = load::relative_path(root, path)?;
            let index = files
                .binary_search_by(|f| f.rel_path.as_str().cmp(&rel))
                .ok()?;
            let old = files.get(index)?;
            // A file read through a symlink is left to the full walk.
            if old.abs_path != root.join(&rel) {
                return None;
            }
            let meta = std::fs::symlink_metadata(path).ok()?;
            if !meta.is_file() || meta.len() > load::MAX_FILE_BYTES {
                return None;
            }
            let text = String::from_utf8(std::fs::read(path).ok()?).ok()?;
            let text = text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text);
            let fresh = SourceFile::new(rel, old.abs_path.clone(), old.format, old.role, text);
            if let Some(slot) = files.get_mut(index) {
                *slot = Arc::new(fresh);
            }
        }
        Some(load::Sources {
            files,
            diagnostics: previous.diagnostics.clone(),
            undecodable: previous.undecodable.clone(),
        })
    }

    /// Rebuild after `change`.
    pub fn rebuild(&mut self, change: &Change) -> Result<Rebuild, BuildError> {
        let started = Instant::now();
        let mut timings = Vec::new();
        let mut mark = started;
        let mut lap = |stage: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            let now = Instant::now();
            timings.push((stage, now - mark));
            mark = now;
        };
        let root = build::resolve_root(&self.root)?;
        let loaded = Config::load(&root, &self.overrides, &self.cwd);
        let config = loaded.config;
        let mut diagnostics = loaded.diagnostics;

        let caches_valid = self.touches_only_specs(change, &root);
        if !caches_valid {
            self.parse_cache.clear();
            self.theme = None;
        }
        let sources = match caches_valid
            .then(|| self.reread_changed(change, &root))
            .flatten()
        {
            Some(sources) => sources,
            None => load::load(&config),
        };
        diagnostics.extend(sources.diagnostics.iter().cloned());
        lap("load", &mut timings);

        let options = build::markup_options(&config);
        let options_key = hash_of(&format!("{:?}", config.markup));
        let spec_files: Vec<&SharedSource> = sources
            .files
            .iter()
            .filter(|file| file.role == FileRole::Spec)
            .collect();
        let rel_paths: Vec<&str> = spec_files.iter().map(|f| f.rel_path.as_str()).collect();
        let page_paths = build::plan_page_paths(&rel_paths);

        // Take reusable entries out of the cache; parse the rest in parallel.
        let mut cached: Vec<Option<CachedSpec>> = Vec::with_capacity(spec_files.len());
        let mut hashes = Vec::with_capacity(spec_files.len());
        for (file, page_path) in spec_files.iter().zip(&page_paths) {
            let entry = self.parse_cache.remove(&file.rel_path);
            // A file not re-read is the very same `Arc`: no need to hash it.
            let same_file = entry
                .as_ref()
                .is_some_and(|entry| Arc::ptr_eq(&entry.spec.source, file));
            let content_hash = match &entry {
                Some(entry) if same_file => entry.content_hash,
                _ => hash_of(&file.text),
            };
            hashes.push(content_hash);
            let entry = entry.filter(|entry| {
                entry.content_hash == content_hash
                    && entry.page_path == *page_path
                    && entry.options_key == options_key
                    && (same_file || entry.spec.source.text == file.text)
            });
            cached.push(entry);
        }
        self.parse_cache.clear();
        let misses = cached.iter().filter(|entry| entry.is_none()).count();
        let parsed: Vec<CachedSpec> = spec_files
            .par_iter()
            .zip(page_paths.into_par_iter())
            .zip(hashes.par_iter())
            .zip(cached.into_par_iter())
            .map(|(((file, page_path), content_hash), entry)| {
                entry.unwrap_or_else(|| {
                    let (spec, diagnostics) =
                        build::parse_spec(file, &options, page_path.clone(), &config);
                    CachedSpec {
                        content_hash: *content_hash,
                        page_path,
                        options_key,
                        spec,
                        diagnostics,
                    }
                })
            })
            .collect();
        let mut stats = RebuildStats {
            specs: parsed.len(),
            parsed: misses,
            rendered_pages: 0,
        };
        let mut specs = Vec::with_capacity(parsed.len());
        let mut spec_meta = Vec::with_capacity(parsed.len());
        for entry in parsed {
            diagnostics.extend(entry.diagnostics.iter().cloned());
            spec_meta.push((entry.content_hash, entry.diagnostics));
            specs.push(entry.spec);
        }
        // The repository-wide metadata (index pages, folder statuses, git
        // dates), as in a full build; it only fills values still unset, so
        // cached specs pass through it unchanged.
        diagnostics.extend(crate::extract::finish(
            &mut specs,
            &build::index_files(&sources),
            &config,
        ));
        lap("parse", &mut timings);
        let (theme, theme_diagnostics) = match self.theme.take() {
            Some(cached) => cached,
            None => build::load_theme(&config),
        };
        diagnostics.extend(theme_diagnostics.iter().cloned());
        lap("theme", &mut timings);
        let (graph, link_diagnostics) = crate::link::link(&specs, &config);
        diagnostics.extend(link_diagnostics);
        let site_key = site_key(&config, loaded.file_text.as_deref(), &specs, &graph);
        let unchanged_site = self
            .previous
            .as_ref()
            .is_some_and(|previous| caches_valid && previous.site_key == site_key);
        let reusable: HashSet<&str> = match &self.previous {
            Some(previous) if caches_valid && previous.site_key == site_key => specs
                .iter()
                .zip(&spec_meta)
                .filter(|(spec, (hash, _))| {
                    previous.rendered_from.get(&spec.page_path) == Some(hash)
                        && previous.tree.contains(&spec.page_path)
                })
                .map(|(spec, _)| spec.page_path.as_str())
                .collect(),
            _ => HashSet::new(),
        };
        let (mut tree, render_diagnostics) = render_site_except(
            &SiteInput {
                config: &config,
                theme: &theme,
                specs: &specs,
                graph: &graph,
                // Unchanged pages are reused whole; the few re-rendered
                // ones are highlighted afresh.
                code_cache: None,
            },
            &|spec| reusable.contains(spec.page_path.as_str()),
            !unchanged_site,
        );
        stats.rendered_pages = specs.len() - reusable.len();
        if let Some(previous) = &self.previous {
            for page in &reusable {
                if let Some(bytes) = previous.tree.get_shared(page) {
                    tree.insert_shared(*page, bytes.clone());
                }
            }
            if unchanged_site {
                // The site-wide pages were left out: same inputs, same pages.
                // The search index is always rebuilt (it reads the bodies);
                // its old content-hashed files must not pile up.
                for (path, _) in previous.tree.iter() {
                    if !tree.contains(path) && !path.starts_with("search/") {
                        if let Some(bytes) = previous.tree.get_shared(path) {
                            tree.insert_shared(path, bytes.clone());
                        }
                    }
                }
            }
        }
        lap("render", &mut timings);
        let render_clean = render_diagnostics.is_empty();
        diagnostics.extend(render_diagnostics);
        crate::report::sort(&mut diagnostics);
        crate::check::lint_api::publish(
            &mut tree,
            &diagnostics,
            &sources,
            loaded.file_text.as_deref(),
        );

        let problems = resolve_problems(&diagnostics, &sources, loaded.file_text.as_deref());
        let failed = diagnostics.iter().any(|d| d.severity == Severity::Error);

        // Remember this run. Pages rendered with template errors are not
        // worth reusing, so a run with render diagnostics leaves no page cache.
        let rendered_from: HashMap<String, u64> = specs
            .iter()
            .zip(&spec_meta)
            .map(|(spec, (hash, _))| (spec.page_path.clone(), *hash))
            .collect();
        let spec_sources: HashSet<String> =
            specs.iter().map(|s| s.source.rel_path.clone()).collect();
        let tree = Arc::new(tree);
        self.previous = render_clean.then(|| PreviousRender {
            tree: tree.clone(),
            site_key,
            rendered_from,
            spec_sources,
        });
        for (spec, (content_hash, diagnostics)) in specs.into_iter().zip(spec_meta) {
            self.parse_cache.insert(
                spec.source.rel_path.clone(),
                CachedSpec {
                    content_hash,
                    page_path: spec.page_path.clone(),
                    options_key,
                    spec,
                    diagnostics,
                },
            );
        }
        self.theme = Some((theme, theme_diagnostics));
        self.previous_sources = Some(sources);
        lap("resolve", &mut timings);
        Ok(Rebuild {
            tree,
            problems,
            failed,
            stats,
            duration: started.elapsed(),
            timings,
            config,
        })
    }
}

/// Resolve diagnostics to file:line against the texts the build read.
fn resolve_problems(
    diagnostics: &[Diagnostic],
    sources: &load::Sources,
    config_text: Option<&str>,
) -> Vec<Problem> {
    // Index only the files diagnostics point into: indexing every line of
    // every file would cost more than the rest of a one-spec rebuild.
    let mut texts = SourceTexts::default();
    let wanted: HashSet<&str> = diagnostics
        .iter()
        .filter_map(|d| d.location.as_ref().map(|l| l.file.as_str()))
        .collect();
    for file in &sources.files {
        if wanted.contains(file.rel_path.as_str()) {
            texts.add(&file.rel_path, &file.text);
        }
    }
    for (path, text) in &sources.undecodable {
        texts.add(path, text);
    }
    if let Some(text) = config_text {
        texts.add(CONFIG_FILE, text);
    }
    diagnostics
        .iter()
        .map(|diagnostic| {
            let resolved = texts.resolve(diagnostic);
            Problem {
                severity: diagnostic.severity.as_str(),
                code: diagnostic.code.clone(),
                file: resolved.as_ref().map(|r| r.file.clone()),
                line: resolved.as_ref().map(|r| r.start.line),
                column: resolved.as_ref().map(|r| r.start.col),
                message: diagnostic.message.clone(),
                help: diagnostic.help.clone(),
            }
        })
        .collect()
}
