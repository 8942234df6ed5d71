//! `specsite check`: everything CI should fail a pull request on.
//!
//! Runs on a finished [`SiteBuild`] (so links are checked on the HTML that
//! would be published, template links included) and adds to the build's own
//! diagnostics: broken internal links and anchors ([`links`]) and template
//! conformance ([`template`]). `--changed-since` then keeps only the
//! per-file problems of files changed since a git revision.

pub mod external;
pub mod links;
pub mod lint_api;
pub mod template;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use crate::build::SiteBuild;
use crate::diag::Diagnostic;
use crate::markup::{self, rst, MarkupOptions};
use crate::source::{FileRole, Format, SourceFile};

/// `[check]` in specsite.toml: how template conformance and the external
/// link check behave. Parsed (with every problem reported at its line) by
/// `config.rs`, like the rest of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckConfig {
    /// Template sections a spec may leave out without a report (titles as
    /// written; compared normalised).
    pub optional_sections: Vec<String>,
    /// Rules by status: sections an implemented spec must have, sections an
    /// accepted one must have emptied, ...
    pub rules: Vec<StatusRule>,
    /// One template (repository-relative path) for every spec, instead of
    /// the templates found by the `templates` globs.
    pub template: Option<String>,
    pub external: external::ExternalConfig,
}

/// `[[check.rule]]`: what a spec of one status must (not) contain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRule {
    pub status: crate::model::StatusKey,
    /// Sections the spec must have (at the top level or one below).
    pub require: Vec<String>,
    /// Sections that, if present, must be empty (or say only "None").
    pub forbid_content: Vec<String>,
}

/// What `check` found, beyond the diagnostics themselves.
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    /// (template path, number of specs checked against it).
    pub templates: Vec<(String, usize)>,
}

/// Run every check on a build. The build's own diagnostics come first.
pub fn run(build: &SiteBuild) -> CheckReport {
    let mut diagnostics = build.diagnostics.clone();
    let (page_sources, texts) = page_sources_and_texts(build);
    for mut diagnostic in links::check_links(&build.tree, &build.config.base_path(), &page_sources)
    {
        locate_link(&mut diagnostic, &texts);
        diagnostics.push(diagnostic);
    }
    let options = MarkupOptions {
        rst: rst::RstOptions {
            stage: rst::Stage::Full,
            sphinx: build.config.markup.sphinx,
            root: Some(build.config.root.clone()),
            any_header_block: true,
            ..Default::default()
        },
    };
    let settings = &build.config.check;
    let configured = settings
        .template
        .as_deref()
        .and_then(|path| configured_template(build, path));
    let templates: Vec<_> = match &configured {
        Some(file) => vec![(file, markup::parse(file, &options).doc)],
        None => build
            .sources
            .files
            .iter()
            .filter(|file| file.role == FileRole::Template)
            .map(|file| (file.as_ref(), markup::parse(file, &options).doc))
            .collect(),
    };
    let (mut conformance, counts) =
        template::check_templates(&templates, &build.specs, settings, configured.is_some());
    diagnostics.append(&mut conformance);
    crate::report::sort(&mut diagnostics);
    CheckReport {
        diagnostics,
        templates: counts,
    }
}

/// Which spec source each page shows, and the source texts by path: what
/// a link found on a page needs to be reported where it is written.
fn page_sources_and_texts(build: &SiteBuild) -> (HashMap<String, String>, HashMap<&str, &str>) {
    let page_sources = build
        .specs
        .iter()
        .map(|spec| (spec.page_path.clone(), spec.source.rel_path.clone()))
        .collect();
    let texts = build
        .sources
        .files
        .iter()
        .map(|file| (file.rel_path.as_str(), file.text.as_str()))
        .collect();
    (page_sources, texts)
}

/// `--external`: check the http(s) links of the built pages (network).
pub fn run_external(build: &SiteBuild) -> (Vec<Diagnostic>, external::ExternalSummary) {
    let (page_sources, texts) = page_sources_and_texts(build);
    let mut options =
        external::ExternalOptions::new(&build.config.root, &build.config.check.external);
    // Links the site itself generates for every page are not the authors'.
    for template in [&build.config.edit_url, &build.config.source_url]
        .into_iter()
        .flatten()
    {
        if let Some((prefix, _)) = template.split_once("{path}") {
            options.exclude.push(prefix.to_string());
        }
    }
    external::check_external(&build.tree, &page_sources, &texts, &options)
}

/// The template `[check] template` names: the loaded file when the
/// `templates` globs found it, else read here (config validation already
/// reported a path that does not exist).
fn configured_template(build: &SiteBuild, path: &str) -> Option<SourceFile> {
    if let Some(file) = build.sources.files.iter().find(|f| f.rel_path == path) {
        return Some(SourceFile::new(
            file.rel_path.clone(),
            file.abs_path.clone(),
            file.format,
            FileRole::Template,
            file.text.clone(),
        ));
    }
    let abs_path = build.config.root.join(path);
    let text = std::fs::read_to_string(&abs_path).ok()?;
    let format = if path.ends_with(".rst") || path.ends_with(".txt") {
        Format::Rst
    } else {
        Format::Markdown
    };
    Some(SourceFile::new(
        path.to_string(),
        abs_path,
        format,
        FileRole::Template,
        text,
    ))
}

/// Point a broken-link diagnostic at the link in its source: the written
/// reference, or failing that its last path segment (the source may name
/// `foo.rst` where the page says `foo.html`). Left at the file's start when
/// neither occurs (a link a template wrote).
fn locate_link(diagnostic: &mut Diagnostic, texts: &HashMap<&str, &str>) {
    let (Some(reference), Some(location)) = (&diagnostic.label, diagnostic.location.as_mut())
    else {
        return;
    };
    let Some(text) = texts.get(location.file.as_str()) else {
        return;
    };
    let last_segment = reference.rsplit('/').next().unwrap_or(reference);
    let stem = last_segment
        .split(['.', '#'])
        .next()
        .unwrap_or(last_segment);
    for needle in [reference.as_str(), last_segment, stem] {
        if needle.len() >= 3 {
            if let Some(start) = text.find(needle) {
                location.span = crate::source::Span::new(start, start + needle.len());
                return;
            }
        }
    }
}

/// Files changed since `revision` (committed, staged or not), relative to
/// `root`; `Err` with git's message when the revision is unknown.
pub fn changed_since(root: &Path, revision: &str) -> Result<BTreeSet<String>, String> {
    if revision.starts_with('-') {
        return Err(format!("{revision:?} is not a revision"));
    }
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["diff", "--name-only", "--relative", revision, "--"])
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_string());
    }
    let mut files: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    // New files git does not track yet count as changed too.
    if let Ok(untracked) = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "--others", "--exclude-standard"])
        .output()
    {
        files.extend(
            String::from_utf8_lossy(&untracked.stdout)
                .lines()
                .map(str::to_string),
        );
    }
    Ok(files)
}

/// Keep diagnostics without a file, and those in a changed file.
pub fn only_changed(diagnostics: Vec<Diagnostic>, changed: &BTreeSet<String>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter(|d| {
            d.location
                .as_ref()
                .is_none_or(|location| location.file.is_empty() || changed.contains(&location.file))
        })
        .collect()
}
