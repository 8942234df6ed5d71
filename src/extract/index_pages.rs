//! Metadata source: Sphinx index pages whose headings label a toctree of
//! specs ("Kilo implemented specs" over `implemented/*`). OpenStack
//! repositories state a spec's status this way besides the directory;
//! trove-specs states it *only* this way ("Rocky approved specs:" over
//! `specs/rocky/*`).
//!
//! Runs once over all index pages after extraction (a toctree glob names
//! other files). Read from the raw text: headings, a paragraph ending in
//! `:` as a label, and `.. toctree::` blocks. Toctree entries are relative
//! to the index page, but the OpenStack repositories publish `specs/`
//! under `doc/source/` through a symlink that a checkout may not have, so
//! an entry that matches nothing is retried against shorter prefixes of
//! the index page's directory, down to the repository root.

use std::collections::HashMap;

use globset::GlobBuilder;

use super::openstack::STATE_DIRECTORIES;
use super::rst_fields::is_adornment;
use crate::model::{canonical_status, Origin, StatusKey};
use crate::source::SourceFile;

/// What an index page says about one spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexLabel {
    /// The heading or label over the toctree, as written.
    pub heading: String,
    pub status: Option<StatusKey>,
    pub origin: Origin,
}

/// Status words that may appear in a label, checked in order of position.
fn status_in_label(label: &str) -> Option<StatusKey> {
    let lower = label.to_lowercase();
    let mut best: Option<(usize, StatusKey)> = None;
    let words = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty());
    let mut position = 0;
    for word in words {
        position += 1;
        let key = STATE_DIRECTORIES
            .iter()
            .find(|(name, _)| *name == word)
            .map(|(_, key)| *key)
            .or_else(|| canonical_status(word).filter(|_| word.len() > 4));
        if let Some(key) = key {
            if best.is_none() {
                best = Some((position, key));
            }
        }
    }
    best.map(|(_, key)| key)
}

/// One labelled toctree: label, its line, and the entries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toctree {
    pub label: String,
    pub line: usize,
    pub entries: Vec<String>,
}

/// The labelled toctrees of an index page.
pub fn toctrees(text: &str) -> Vec<Toctree> {
    let lines: Vec<&str> = text.lines().collect();
    let mut trees = Vec::new();
    let mut label: Option<(String, usize)> = None;
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        let trimmed = line.trim();
        let next_is_adornment = lines.get(index + 1).is_some_and(|l| is_adornment(l));
        if trimmed.starts_with(".. toctree::") {
            index += 1;
            let mut entries = Vec::new();
            while let Some(body) = lines.get(index) {
                if !body.trim().is_empty() && !body.starts_with([' ', '\t']) {
                    break;
                }
                let entry = body.trim();
                if !entry.is_empty() && !entry.starts_with(':') {
                    // "Title <target>" names its target in angle brackets.
                    let target = match (entry.rfind('<'), entry.strip_suffix('>')) {
                        (Some(open), Some(_)) => &entry[open + 1..entry.len() - 1],
                        _ => entry,
                    };
                    entries.push(target.trim().to_string());
                }
                index += 1;
            }
            if let Some((text, line)) = &label {
                trees.push(Toctree {
                    label: text.clone(),
                    line: *line,
                    entries,
                });
            }
            continue;
        }
        if !trimmed.is_empty() && !is_adornment(line) && !line.starts_with([' ', '\t']) {
            if next_is_adornment {
                label = Some((trimmed.to_string(), index + 1));
            } else if let Some(text) = trimmed.strip_suffix(':') {
                if !trimmed.starts_with("..") && !trimmed.starts_with(':') {
                    label = Some((text.trim().to_string(), index + 1));
                }
            }
        }
        index += 1;
    }
    trees
}

fn strip_extension(path: &str) -> &str {
    match path.rfind('.') {
        Some(dot) if !path[dot..].contains('/') => &path[..dot],
        _ => path,
    }
}

/// Spec paths an entry names, trying the index's directory and then
/// shorter and shorter prefixes of it.
fn resolve_entry<'s>(index_dir: &str, entry: &str, specs: &[&'s str]) -> Vec<&'s str> {
    let entry = entry.trim_start_matches('/');
    let parts: Vec<&str> = index_dir.split('/').filter(|p| !p.is_empty()).collect();
    for drop in 0..=parts.len() {
        let prefix = parts.get(drop..).unwrap_or_default().join("/");
        let pattern = if prefix.is_empty() {
            entry.to_string()
        } else {
            format!("{prefix}/{entry}")
        };
        let Ok(glob) = GlobBuilder::new(&pattern).literal_separator(true).build() else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        let matched: Vec<&str> = specs
            .iter()
            .copied()
            .filter(|path| matcher.is_match(strip_extension(path)) || matcher.is_match(path))
            .collect();
        if !matched.is_empty() {
            return matched;
        }
    }
    Vec::new()
}

/// Labels for every spec listed under a labelled toctree.
pub fn read<'s>(
    index_files: &[&SourceFile],
    spec_paths: impl Iterator<Item = &'s str>,
) -> HashMap<String, IndexLabel> {
    let specs: Vec<&str> = spec_paths.collect();
    let mut labels: HashMap<String, IndexLabel> = HashMap::new();
    for file in index_files {
        let index_dir = file.rel_path.rsplit_once('/').map_or("", |(dir, _)| dir);
        for tree in toctrees(&file.text) {
            let status = status_in_label(&tree.label);
            if status.is_none() {
                continue;
            }
            for entry in &tree.entries {
                for path in resolve_entry(index_dir, entry, &specs) {
                    labels
                        .entry(path.to_string())
                        .or_insert_with(|| IndexLabel {
                            heading: tree.label.clone(),
                            status,
                            origin: Origin::file(
                                file.rel_path.clone(),
                                Some(tree.line),
                                "index page",
                            ),
                        });
                }
            }
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileRole, Format};

    const NOVA_INDEX: &str = "=====\nNova\n=====\n\nTemplate:\n\n.. toctree::\n   :maxdepth: 1\n\n   Specification Template (Kilo) <template>\n\nKilo implemented specs:\n\n.. toctree::\n   :glob:\n\n   implemented/*\n\nKilo approved (but not implemented) specs\n-----------------------------------------\n\n.. toctree::\n   :glob:\n\n   approved/*\n";

    #[test]
    fn labels_and_entries_of_toctrees() {
        let trees = toctrees(NOVA_INDEX);
        assert_eq!(trees.len(), 3);
        assert_eq!(trees[0].entries, ["template"]);
        assert_eq!(trees[1].label, "Kilo implemented specs");
        assert_eq!(trees[1].line, 12);
        assert_eq!(trees[2].label, "Kilo approved (but not implemented) specs");
        assert_eq!(trees[2].entries, ["approved/*"]);
        assert_eq!(status_in_label(&trees[2].label), Some(StatusKey::Accepted));
        assert_eq!(status_in_label("Template"), None);
    }

    #[test]
    fn entries_resolve_through_a_missing_doc_source_symlink() {
        let index = SourceFile::new(
            "doc/source/specs/kilo/index.rst".into(),
            "x".into(),
            Format::Rst,
            FileRole::Index,
            NOVA_INDEX.into(),
        );
        let specs = [
            "specs/kilo/implemented/a.rst",
            "specs/kilo/approved/b.rst",
            "specs/liberty/approved/c.rst",
        ];
        let labels = read(&[&index], specs.iter().copied());
        assert_eq!(labels.len(), 2);
        let a = &labels["specs/kilo/implemented/a.rst"];
        assert_eq!(a.status, Some(StatusKey::Implemented));
        assert_eq!(
            a.origin.to_string(),
            "doc/source/specs/kilo/index.rst:12 (index page)"
        );
        assert_eq!(
            labels["specs/kilo/approved/b.rst"].status,
            Some(StatusKey::Accepted)
        );
    }
}
