//! `specsite check`: everything CI should fail a pull request on.
//!
//! Runs on a finished [`SiteBuild`] (so links are checked on the HTML that
//! would be published, template links included) and adds to the build's own
//! diagnostics: broken internal links and anchors ([`links`]) and template
//! conformance ([`template`]). `--changed-since` then keeps only the
//! per-file problems of files changed since a git revision.

pub mod links;
pub mod template;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use crate::build::SiteBuild;
use crate::diag::Diagnostic;
use crate::markup::{self, rst, MarkupOptions};
use crate::source::FileRole;

/// What `check` found, beyond the diagnostics themselves.
pub struct CheckReport {
    pub diagnostics: Vec<Diagnostic>,
    /// (template path, number of specs checked against it).
    pub templates: Vec<(String, usize)>,
}

/// Run every check on a build. The build's own diagnostics come first.
pub fn run(build: &SiteBuild) -> CheckReport {
    let mut diagnostics = build.diagnostics.clone();
    let page_sources: HashMap<String, String> = build
        .specs
        .iter()
        .map(|spec| (spec.page_path.clone(), spec.source.rel_path.clone()))
        .collect();
    let texts: HashMap<&str, &str> = build
        .sources
        .files
        .iter()
        .map(|file| (file.rel_path.as_str(), file.text.as_str()))
        .collect();
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
    let templates: Vec<_> = build
        .sources
        .files
        .iter()
        .filter(|file| file.role == FileRole::Template)
        .map(|file| (file.as_ref(), markup::parse(file, &options).doc))
        .collect();
    let (mut conformance, counts) = template::check_templates(&templates, &build.specs);
    diagnostics.append(&mut conformance);
    crate::report::sort(&mut diagnostics);
    CheckReport {
        diagnostics,
        templates: counts,
    }
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
