//! The output tree and how it reaches the disk.
//!
//! Rendering produces an [`OutputTree`] in memory (path → bytes); `serve`
//! serves it from there and `build` hands it to [`write_atomically`]. Writing
//! goes to a staging directory beside the output and is swapped in only when
//! complete, so a failed or killed build leaves the previous site intact.
//! Files the previous site already holds byte for byte are hard-linked into
//! the staging directory rather than written again.
//! specsite deletes only what it wrote: every output directory carries a
//! manifest of its files, and a directory holding anything else is refused.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file in every output directory that lists what specsite wrote there.
pub const MANIFEST_FILE: &str = ".specsite-manifest";

const MANIFEST_HEADER: &str =
    "# written by specsite; every file below belongs to the generated site\n";

/// A whole site in memory: site-relative path (with `/`) → contents.
/// A `BTreeMap` so iteration, and therefore every listing, is deterministic.
/// Contents are shared (`Arc`) so that `serve` can carry unchanged pages
/// from one build to the next without copying them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutputTree {
    files: BTreeMap<String, Arc<Vec<u8>>>,
}

impl OutputTree {
    pub fn insert(&mut self, path: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), Arc::new(contents.into()));
    }

    /// Insert contents shared with another tree.
    pub fn insert_shared(&mut self, path: impl Into<String>, contents: Arc<Vec<u8>>) {
        self.files.insert(path.into(), contents);
    }

    /// Move every file of `other` into this tree (its paths win).
    pub fn absorb(&mut self, other: OutputTree) {
        self.files.extend(other.files);
    }

    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(|contents| contents.as_slice())
    }

    /// The shared contents at `path`, for [`OutputTree::insert_shared`].
    pub fn get_shared(&self, path: &str) -> Option<&Arc<Vec<u8>>> {
        self.files.get(path)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }
}

/// Why the output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "the output directory {0} is the repository itself; choose a subdirectory such as _site"
    )]
    IsRoot(PathBuf),
    #[error("the output directory {0} contains the repository; choose a directory inside it or beside it")]
    ContainsRoot(PathBuf),
    #[error("the output directory {dir} holds files specsite did not write (for example {example}); empty it, or choose another --out")]
    NotOurs { dir: PathBuf, example: String },
    #[error(
        "the output path {0} exists and is not a directory; remove it, or choose another --out"
    )]
    NotADirectory(PathBuf),
    #[error("a site path {0:?} would leave the output directory; this is a bug in specsite or a theme, please report it")]
    BadPath(String),
    #[error("cannot write the site: {0}; check that the output directory's disk has room and is writable")]
    Io(#[from] std::io::Error),
}

/// Check that `output` may be (over)written by a build of `root`.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), OutputError> {
    let root_canonical = std::fs::canonicalize(root)?;
    let output_resolved = resolve_existing_prefix(output);
    if output_resolved == root_canonical {
        return Err(OutputError::IsRoot(output.to_path_buf()));
    }
    if root_canonical.starts_with(&output_resolved) {
        return Err(OutputError::ContainsRoot(output.to_path_buf()));
    }
    match std::fs::symlink_metadata(output) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error.into()),
        Ok(meta) if !meta.is_dir() => Err(OutputError::NotADirectory(output.to_path_buf())),
        Ok(_) => match foreign_file(output)? {
            Some(example) => Err(OutputError::NotOurs {
                dir: output.to_path_buf(),
                example,
            }),
            None => Ok(()),
        },
    }
}

/// Canonicalise the longest existing ancestor of `path` and append the rest,
/// so a not-yet-existing output directory can still be compared with the root.
fn resolve_existing_prefix(path: &Path) -> PathBuf {
    let mut existing = path.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(name), Some(parent)) => {
                rest.push(name.to_owned());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = std::fs::canonicalize(&existing).unwrap_or(existing);
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    resolved
}

/// The files specsite recorded in `dir`'s manifest, if it has one.
fn read_manifest(dir: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok()?;
    Some(
        text.lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The first file (relative path) in `dir` that the manifest does not list;
/// `None` when everything there is ours (or the directory is empty).
fn foreign_file(dir: &Path) -> Result<Option<String>, OutputError> {
    let ours: std::collections::HashSet<String> =
        read_manifest(dir).unwrap_or_default().into_iter().collect();
    for entry in walkdir_files(dir)? {
        if entry != MANIFEST_FILE && !ours.contains(&entry) {
            return Ok(Some(entry));
        }
    }
    Ok(None)
}

/// Every file (not directory) below `dir`, as relative `/` paths, without following symlinks.
fn walkdir_files(dir: &Path) -> Result<Vec<String>, OutputError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else if let Some(rel) = crate::load::relative_path(dir, &path) {
                files.push(rel);
            } else {
                files.push(path.display().to_string());
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A site path must be a plain relative path: no `..`, no absolute paths, no backslashes.
fn checked_site_path(path: &str) -> Result<&str, OutputError> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || path
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        Err(OutputError::BadPath(path.to_string()))
    } else {
        Ok(path)
    }
}

fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".to_string());
    output.with_file_name(format!("{name}.specsite-{suffix}"))
}

/// Finish a swap that a killed build left half done: the previous site was
/// moved aside but the new one not yet moved in.
fn recover_interrupted_swap(output: &Path) -> Result<(), OutputError> {
    let parent = output.parent().unwrap_or(Path::new("."));
    let Some(name) = output.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Ok(());
    };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(suffix) = entry_name.strip_prefix(&format!("{name}.specsite-")) else {
            continue;
        };
        let path = entry.path();
        if suffix.starts_with("old-") && !output.exists() {
            fs_err::rename(&path, output)?;
        } else if suffix.starts_with("old-") || suffix.starts_with("staging-") {
            // Leftovers of a killed build: ours by name, and only ours if the
            // manifest says so (a staging dir gets its manifest last).
            if read_manifest(&path).is_some() && foreign_file(&path)?.is_none() {
                fs_err::remove_dir_all(&path)?;
            } else if suffix.starts_with("staging-") {
                remove_partial_staging(&path)?;
            }
        }
    }
    Ok(())
}

/// Swap two directory entries atomically (Linux `renameat2` with
/// `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(first: &Path, second: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let first = std::ffi::CString::new(first.as_os_str().as_bytes())?;
    let second = std::ffi::CString::new(second.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings that outlive
    // the call; renameat2 only reads them.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            first.as_ptr(),
            libc::AT_FDCWD,
            second.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Elsewhere the two-rename swap below is used.
#[cfg(not(target_os = "linux"))]
fn exchange(_first: &Path, _second: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// A staging directory whose build died before writing its manifest holds
/// only what we were writing; its name (with our suffix) is proof enough.
fn remove_partial_staging(path: &Path) -> Result<(), OutputError> {
    std::fs::remove_dir_all(path)?;
    Ok(())
}

/// Write `tree` to `output`: into a staging directory beside it, then swap.
pub fn write_atomically(tree: &OutputTree, root: &Path, output: &Path) -> Result<(), OutputError> {
    recover_interrupted_swap(output)?;
    check_output_dir(root, output)?;
    if let Some(parent) = output.parent() {
        fs_err::create_dir_all(parent)?;
    }
    let staging = sibling(output, &format!("staging-{}", std::process::id()));
    if staging.exists() {
        fs_err::remove_dir_all(&staging)?;
    }
    fs_err::create_dir_all(&staging)?;
    let result = fill_staging(tree, &staging, output).and_then(|()| swap_in(&staging, output));
    if result.is_err() && staging.exists() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn fill_staging(tree: &OutputTree, staging: &Path, previous: &Path) -> Result<(), OutputError> {
    use rayon::prelude::*;
    let mut manifest = String::from(MANIFEST_HEADER);
    let mut directories = std::collections::BTreeSet::new();
    for path in tree.paths() {
        let path = checked_site_path(path)?;
        if let Some((dir, _)) = path.rsplit_once('/') {
            directories.insert(dir);
        }
        manifest.push_str(path);
        manifest.push('\n');
    }
    // Directories first (in order, so parents exist), then the files in
    // parallel: creating hundreds of files is the kernel's work, and it
    // overlaps well across threads.
    for dir in directories {
        fs_err::create_dir_all(staging.join(dir))?;
    }
    let files: Vec<(&str, &[u8])> = tree.iter().collect();
    files.par_iter().try_for_each(|(path, contents)| {
        let target = staging.join(path);
        if link_if_unchanged(&previous.join(path), contents, &target) {
            return Ok(());
        }
        fs_err::write(target, contents)
    })?;
    // The manifest goes last: a staging directory with a manifest is complete.
    // No fsync: a killed build is what the swap guards against, and the page
    // cache survives that; syncing here flushed the journal of every file
    // just created and cost a few hundred ms on a plain disk.
    let mut file = fs_err::File::create(staging.join(MANIFEST_FILE))?;
    file.write_all(manifest.as_bytes())?;
    Ok(())
}

/// Hard-link the previous site's file at `old` to `target` when it is a
/// regular file holding exactly `contents`. Most of a rebuild is unchanged,
/// and a link costs the kernel no new data pages, where writing the same
/// bytes again costs their allocation (most of a rebuild's system time on
/// a plain disk) and then deleting the old copy. The old file is never
/// modified, so the previous site stays intact until the swap; a symlink
/// or anything but a plain file is not reused.
fn link_if_unchanged(old: &Path, contents: &[u8], target: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(old) else {
        return false;
    };
    if !meta.file_type().is_file() || meta.len() != contents.len() as u64 {
        return false;
    }
    match std::fs::read(old) {
        Ok(existing) if existing == contents => std::fs::hard_link(old, target).is_ok(),
        _ => false,
    }
}

fn swap_in(staging: &Path, output: &Path) -> Result<(), OutputError> {
    // One atomic exchange where the system has it: at no moment is there
    // no site at `output`, even if the build is killed right here.
    if output.exists() && exchange(staging, output).is_ok() {
        // `staging` now holds the previous site (with its manifest, so a
        // killed build's leftover is recognised and removed next time).
        fs_err::remove_dir_all(staging)?;
        return Ok(());
    }
    if output.exists() {
        let old = sibling(output, &format!("old-{}", std::process::id()));
        fs_err::rename(output, &old)?;
        fs_err::rename(staging, output)?;
        fs_err::remove_dir_all(&old)?;
    } else {
        fs_err::rename(staging, output)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> OutputTree {
        let mut tree = OutputTree::default();
        for (path, contents) in files {
            tree.insert(*path, contents.as_bytes());
        }
        tree
    }

    #[test]
    fn writes_replaces_and_keeps_a_manifest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        let out = dir.path().join("site");
        write_atomically(
            &tree(&[("index.html", "one"), ("a/b.html", "b")]),
            &root,
            &out,
        )
        .expect("first");
        assert_eq!(
            std::fs::read_to_string(out.join("a/b.html")).expect("read"),
            "b"
        );
        write_atomically(&tree(&[("index.html", "two")]), &root, &out).expect("second");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("read"),
            "two"
        );
        assert!(!out.join("a/b.html").exists(), "stale pages are removed");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "no staging dirs left: {leftovers:?}");
    }

    #[test]
    fn unchanged_files_are_linked_from_the_previous_site_and_changed_ones_written() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        let out = dir.path().join("site");
        let secret = dir.path().join("secret.txt");
        std::fs::write(&secret, "same").expect("write");
        let files = [
            ("same.html", "same"),
            ("changed.html", "old"),
            ("link.html", "same"),
        ];
        write_atomically(&tree(&files), &root, &out).expect("first");
        let inode = |path: &str| std::fs::metadata(out.join(path)).expect("stat").ino();
        let same_before = inode("same.html");
        let changed_before = inode("changed.html");
        // Someone swaps a page for a symlink with the same bytes behind it.
        std::fs::remove_file(out.join("link.html")).expect("rm");
        std::os::unix::fs::symlink(&secret, out.join("link.html")).expect("symlink");

        let files = [
            ("same.html", "same"),
            ("changed.html", "new"),
            ("link.html", "same"),
        ];
        write_atomically(&tree(&files), &root, &out).expect("second");
        assert_eq!(
            inode("same.html"),
            same_before,
            "unchanged: linked, not rewritten"
        );
        assert_ne!(inode("changed.html"), changed_before);
        assert_eq!(
            std::fs::read_to_string(out.join("changed.html")).expect("read"),
            "new"
        );
        let link = std::fs::symlink_metadata(out.join("link.html")).expect("lstat");
        assert!(
            link.file_type().is_file(),
            "a symlink is never carried over"
        );
        assert_eq!(std::fs::metadata(&secret).expect("stat").nlink(), 1);
    }

    #[test]
    fn refuses_root_its_parent_and_foreign_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        let site = tree(&[("index.html", "x")]);
        assert!(matches!(
            write_atomically(&site, &root, &root),
            Err(OutputError::IsRoot(_))
        ));
        assert!(matches!(
            write_atomically(&site, &root, dir.path()),
            Err(OutputError::ContainsRoot(_))
        ));
        let foreign = dir.path().join("docs");
        std::fs::create_dir(&foreign).expect("mkdir");
        std::fs::write(foreign.join("precious.txt"), "mine").expect("write");
        assert!(matches!(
            write_atomically(&site, &root, &foreign),
            Err(OutputError::NotOurs { .. })
        ));
        assert_eq!(
            std::fs::read_to_string(foreign.join("precious.txt")).expect("read"),
            "mine"
        );
    }

    #[test]
    fn a_file_added_to_our_output_blocks_the_next_build() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        let out = dir.path().join("site");
        write_atomically(&tree(&[("index.html", "one")]), &root, &out).expect("first");
        std::fs::write(out.join("CNAME"), "example.org").expect("write");
        let error =
            write_atomically(&tree(&[("index.html", "two")]), &root, &out).expect_err("refused");
        assert!(error.to_string().contains("CNAME"), "{error}");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("read"),
            "one"
        );
    }

    #[test]
    fn an_interrupted_swap_is_recovered() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).expect("mkdir");
        let out = dir.path().join("site");
        write_atomically(&tree(&[("index.html", "one")]), &root, &out).expect("first");
        // Simulate a kill between the two renames of a swap.
        std::fs::rename(&out, sibling(&out, "old-99999")).expect("rename");
        write_atomically(&tree(&[("index.html", "two")]), &root, &out).expect("second");
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).expect("read"),
            "two"
        );
    }

    #[test]
    fn site_paths_cannot_escape() {
        for bad in ["../x", "/etc/passwd", "a/../../b", "a\\b", "", "a//b"] {
            assert!(checked_site_path(bad).is_err(), "{bad}");
        }
        assert!(checked_site_path("specs/a.html").is_ok());
    }
}
