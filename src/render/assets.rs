//! Files the content links to (images, example files) copied into the site.
//!
//! Rendering is pure and knows only the specs; this step runs right after
//! it, in the build, and is the one place that reads other repository files
//! for the output. It scans the rendered pages for local references that
//! nothing produced and copies each from the repository, so
//! `![diagram](../images/x.svg)` works on the published site. Only regular
//! files inside the root are copied (symlinks are followed, then checked),
//! never dotfiles or anything under a dot-directory, and nothing larger
//! than [`MAX_ASSET_BYTES`].

use std::collections::BTreeSet;
use std::path::Path;

use rayon::prelude::*;

use crate::check::links::{is_external, resolve, scan_html};
use crate::diag::Diagnostic;
use crate::output::OutputTree;
use crate::source::Span;

/// The largest file copied for a link (a guard against linking a dataset).
pub const MAX_ASSET_BYTES: u64 = 20 * 1024 * 1024;

/// Extensions of sources: a link to a missing one is a dangling spec
/// reference (reported by the reference lints), not an asset.
const SOURCE_EXTENSIONS: &[&str] = &["md", "markdown", "rst", "txt", "html"];

/// Targets of `page`'s local links that the tree lacks and that may be
/// copied: not sources, not under a dot-directory.
fn local_references(
    tree: &OutputTree,
    page: &str,
    bytes: &[u8],
    base_path: &str,
) -> BTreeSet<String> {
    let mut wanted = BTreeSet::new();
    for reference in scan_html(&String::from_utf8_lossy(bytes)).references {
        if reference.is_empty() || is_external(&reference) {
            continue;
        }
        if let Some((target, _)) = resolve(page, &reference, base_path) {
            let extension = target.rsplit_once('.').map_or("", |(_, e)| e);
            // A backslash would be refused by the output writer (and read as
            // `/` by browsers); such a link stays for the link checker.
            if !tree.contains(&target)
                && !target.contains('\\')
                && !SOURCE_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
                && !target.split('/').any(|part| part.starts_with('.'))
            {
                wanted.insert(target);
            }
        }
    }
    wanted
}

/// Copy every locally linked file the tree lacks from `root`.
pub fn copy_referenced_files(
    tree: &mut OutputTree,
    root: &Path,
    base_path: &str,
) -> Vec<Diagnostic> {
    // Scanning every page is a few percent of a build: do it on all cores.
    let pages: Vec<(&str, &[u8])> = tree
        .iter()
        .filter(|(page, _)| page.ends_with(".html"))
        .collect();
    let wanted: BTreeSet<String> = pages
        .par_iter()
        .map(|(page, bytes)| local_references(tree, page, bytes, base_path))
        .reduce(BTreeSet::new, |mut all, mut some| {
            all.append(&mut some);
            all
        });
    let mut diagnostics = Vec::new();
    let Ok(canonical_root) = std::fs::canonicalize(root) else {
        return diagnostics;
    };
    for target in wanted {
        let Ok(path) = std::fs::canonicalize(root.join(&target)) else {
            continue; // Missing: the link checker reports it.
        };
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if !path.starts_with(&canonical_root) || !metadata.is_file() {
            continue;
        }
        if metadata.len() > MAX_ASSET_BYTES {
            diagnostics.push(
                Diagnostic::warning(
                    "render/asset-too-large",
                    format!(
                        "{target} is linked from a page but is {} MB; it was not copied into the site",
                        metadata.len() / (1024 * 1024)
                    ),
                )
                .at(target.clone(), Span::default())
                .with_help(format!(
                    "keep files linked from specs under {} MB, or publish the file elsewhere and link to its URL",
                    MAX_ASSET_BYTES / (1024 * 1024)
                )),
            );
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) => tree.insert(target, bytes),
            Err(error) => diagnostics.push(
                Diagnostic::warning(
                    "render/asset-unreadable",
                    format!("{target} is linked from a page but cannot be read: {error}"),
                )
                .at(target.clone(), Span::default())
                .with_help("check the file's permissions, or remove the link to it"),
            ),
        }
    }
    diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_files_inside_the_root_are_copied_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("images")).expect("mkdir");
        std::fs::write(root.join("images/a.svg"), "<svg/>").expect("write");
        std::fs::write(root.join(".env"), "SECRET").expect("write");
        std::fs::write(dir.path().join("outside.txt"), "x").expect("write");
        let mut tree = OutputTree::default();
        tree.insert(
            "text/p.html",
            r#"<img src="../images/a.svg"><a href="../.env">e</a><img src="../../outside.png"><a href="missing.md">m</a>"#,
        );
        let diagnostics = copy_referenced_files(&mut tree, &root, "/");
        assert!(diagnostics.is_empty());
        assert_eq!(tree.get("images/a.svg"), Some(&b"<svg/>"[..]));
        assert!(!tree.contains(".env"));
        assert_eq!(tree.len(), 2);
    }
}
