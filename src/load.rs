//! Loading: walk the repository and read the files that hold specs.
//!
//! Second stage. Produces the sorted list of [`SourceFile`]s every later
//! stage works from, each classified as a spec, a template or an index page.
//! It is the only stage that looks at the file system for content, so the
//! containment rule lives here: nothing outside the repository root is read,
//! whether reached through a symlink or a configured path. Files are read
//! in parallel; walking is cheap next to parsing.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::{Config, DEFAULT_EXCLUDES};
use crate::diag::Diagnostic;
use crate::output::MANIFEST_FILE;
use crate::source::{FileRole, Format, SharedSource, SourceFile, Span};

/// Directory names that hold build products or tooling, never content.
const SKIPPED_DIRS: &[&str] = &[
    "_build",
    "target",
    "node_modules",
    "__pycache__",
    "venv",
    "site-packages",
    "_site",
];

/// Files larger than this are not read (a spec is text written by people;
/// anything bigger is an accident or an attack).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The files of a repository and the problems met while reading them.
#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<SharedSource>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files that are not UTF-8, as (path, text up to the end of the line
    /// with the first bad byte): enough for a diagnostic to show its line
    /// and column, never used as content.
    pub undecodable: Vec<(String, String)>,
}

impl Sources {
    pub fn get(&self, rel_path: &str) -> Option<&SharedSource> {
        self.files
            .binary_search_by(|file| file.rel_path.as_str().cmp(rel_path))
            .ok()
            .and_then(|index| self.files.get(index))
    }
}

/// Compiled path filters from the config.
struct Filters {
    include: Option<GlobSet>,
    exclude: GlobSet,
    templates: GlobSet,
}

fn glob_set<'a>(patterns: impl IntoIterator<Item = &'a str>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // Patterns were validated when the config was read; a pattern that
        // still fails to compile is simply left out.
        if let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

impl Filters {
    fn new(config: &Config) -> Filters {
        let include = (!config.include.is_empty())
            .then(|| glob_set(config.include.iter().map(String::as_str)));
        let exclude = glob_set(
            DEFAULT_EXCLUDES
                .iter()
                .copied()
                .chain(config.exclude.iter().map(String::as_str)),
        );
        let templates = glob_set(config.templates.iter().map(String::as_str));
        Filters {
            include,
            exclude,
            templates,
        }
    }

    fn is_template(&self, rel_path: &str) -> bool {
        let file_name = rel_path.rsplit('/').next().unwrap_or(rel_path);
        self.templates.is_match(file_name) || self.templates.is_match(rel_path)
    }
}

fn format_of(path: &Path, config: &Config) -> Option<Format> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "md" | "markdown" => Some(Format::Markdown),
        "rst" => Some(Format::Rst),
        "txt" if config.markup.txt_as_rst => Some(Format::Rst),
        _ => None,
    }
}

/// Repository-relative path with `/` separators, or `None` when `path` is
/// not below `root` or is not valid UTF-8.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            std::path::Component::Normal(part) => parts.push(part.to_str()?),
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

/// A file found by the walk, before reading.
struct Candidate {
    rel_path: String,
    /// The path to read: the file itself or, for a symlink, its resolved target.
    read_path: PathBuf,
    format: Format,
    role: FileRole,
}

/// Walk `config.root` and read every file that holds markup.
pub fn load(config: &Config) -> Sources {
    let root = &config.root;
    let filters = Filters::new(config);
    let output_dir = config.output_dir.clone();
    let output_name = output_dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut diagnostics = Vec::new();
    let mut candidates = Vec::new();

    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |entry| {
            let path = entry.path();
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name().to_string_lossy();
            // Our own output and staging directories, and any directory that
            // holds another build's output.
            let is_output = path == output_dir
                || (!output_name.is_empty()
                    && name.starts_with(&format!("{output_name}.specsite-")))
                || path.join(MANIFEST_FILE).exists();
            !(is_output || SKIPPED_DIRS.contains(&name.as_ref()))
        })
        .build();

    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                diagnostics.push(
                    Diagnostic::warning(
                        "load/walk",
                        format!("could not read part of the repository: {error}"),
                    )
                    .with_help("check the permissions of that directory; specs in it are not built until it can be read"),
                );
                continue;
            }
        };
        let path = entry.path();
        if entry.path_is_symlink() && format_of(path, config).is_none() {
            // Directory links are not followed; one that leads out of the
            // repository is worth a word, since its specs will be missing.
            if let Ok(target) = std::fs::canonicalize(path) {
                if target.is_dir() && !target.starts_with(root) {
                    let shown =
                        relative_path(root, path).unwrap_or_else(|| path.display().to_string());
                    diagnostics.push(
                        Diagnostic::warning(
                            "load/symlink-outside-root",
                            format!("skipped {shown}: it is a symlink to a directory outside the repository"),
                        )
                        .at(shown.clone(), Span::default())
                        .with_help("specsite reads only files inside the repository root; move the specs into the repository instead of linking to them"),
                    );
                }
            }
            continue;
        }
        let Some(format) = format_of(path, config) else {
            continue;
        };
        let Some(rel_path) = relative_path(root, path) else {
            diagnostics.push(
                Diagnostic::warning(
                    "load/bad-path",
                    format!("skipped {}: its path is not valid UTF-8", path.display()),
                )
                .with_help("rename the file with a UTF-8 name"),
            );
            continue;
        };
        if rel_path.contains('\\') {
            // Browsers read `\` in a URL as `/`, so the page could never be
            // linked, and the output writer refuses such site paths.
            diagnostics.push(
                Diagnostic::warning(
                    "load/bad-path",
                    format!("skipped {rel_path}: its path contains a backslash, which a URL cannot hold"),
                )
                .in_file(&rel_path)
                .with_help("rename the file (or directory) without `\\`"),
            );
            continue;
        }
        if filters.exclude.is_match(&rel_path)
            || filters
                .include
                .as_ref()
                .is_some_and(|include| !include.is_match(&rel_path))
        {
            continue;
        }
        let mut read_path = path.to_path_buf();
        if entry.path_is_symlink() {
            match std::fs::canonicalize(path) {
                Ok(target) if target.starts_with(root) && target.is_file() => read_path = target,
                Ok(target) if target.starts_with(root) => continue,
                _ => {
                    diagnostics.push(
                        Diagnostic::warning(
                            "load/symlink-outside-root",
                            format!("skipped {rel_path}: it is a symlink that leads outside the repository (or nowhere)"),
                        )
                        .at(rel_path.clone(), Span::default())
                        .with_help("specsite reads only files inside the repository root; copy the file in instead of linking to it"),
                    );
                    continue;
                }
            }
        } else if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let file_name = rel_path.rsplit('/').next().unwrap_or(&rel_path);
        let role = if filters.is_template(&rel_path) {
            FileRole::Template
        } else if file_name.starts_with("index.") {
            FileRole::Index
        } else {
            FileRole::Spec
        };
        candidates.push(Candidate {
            rel_path,
            read_path,
            format,
            role,
        });
    }

    let read: Vec<Result<SourceFile, Unread>> =
        candidates.into_par_iter().map(read_candidate).collect();
    let mut files = Vec::with_capacity(read.len());
    let mut undecodable = Vec::new();
    for result in read {
        match result {
            Ok(file) => files.push(Arc::new(file)),
            Err(unread) => {
                if let (Some(text), Some(location)) = (unread.text, &unread.diagnostic.location) {
                    undecodable.push((location.file.clone(), text));
                }
                diagnostics.push(unread.diagnostic);
            }
        }
    }
    files.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    Sources {
        files,
        diagnostics,
        undecodable,
    }
}

/// A file that could not be used, and (when it is not UTF-8) the text that
/// lets its diagnostic point at the bad byte.
struct Unread {
    diagnostic: Diagnostic,
    text: Option<String>,
}

impl From<Diagnostic> for Unread {
    fn from(diagnostic: Diagnostic) -> Self {
        Unread {
            diagnostic,
            text: None,
        }
    }
}

/// The text of `bytes` up to the end of the line holding `bad_offset`, for
/// locating a diagnostic: valid bytes keep their offsets, the bad sequence
/// becomes U+FFFD and ASCII controls become `?` (same width), so nothing
/// from a binary file reaches a terminal raw.
fn text_for_locating(bytes: &[u8], bad_offset: usize) -> String {
    let line_end = bytes
        .get(bad_offset..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |position| bad_offset + position);
    let shown = bytes.get(..line_end).unwrap_or(bytes);
    String::from_utf8_lossy(shown)
        .chars()
        .map(|c| {
            if c.is_ascii_control() && c != '\n' && c != '\t' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn read_candidate(candidate: Candidate) -> Result<SourceFile, Unread> {
    let Candidate {
        rel_path,
        read_path,
        format,
        role,
    } = candidate;
    let unreadable = |message: String| {
        Diagnostic::error("load/unreadable", message)
            .at(rel_path.clone(), Span::default())
            .with_help("check the file's permissions, or exclude it in specsite.toml")
    };
    let size = std::fs::metadata(&read_path)
        .map_err(|error| unreadable(format!("cannot read {rel_path}: {error}")))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(Unread::from(unreadable(format!(
            "{rel_path} is {size} bytes, more than the {MAX_FILE_BYTES}-byte limit for a spec"
        ))));
    }
    let bytes = std::fs::read(&read_path)
        .map_err(|error| unreadable(format!("cannot read {rel_path}: {error}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let bad_offset = error.utf8_error().valid_up_to();
            let text = text_for_locating(error.as_bytes(), bad_offset);
            let encoding = if error.as_bytes().starts_with(&[0xff, 0xfe])
                || error.as_bytes().starts_with(&[0xfe, 0xff])
            {
                " (it starts with a UTF-16 byte order mark)"
            } else {
                ""
            };
            let diagnostic = Diagnostic::error(
                "load/not-utf8",
                format!(
                    "{rel_path} is not UTF-8 text: invalid byte at offset {bad_offset}{encoding}"
                ),
            )
            .at(rel_path.clone(), Span::at(bad_offset))
            .with_label("not UTF-8")
            .with_help(
                "re-save the file as UTF-8, or exclude it in specsite.toml if it is not a spec",
            );
            return Err(Unread {
                diagnostic,
                text: Some(text),
            });
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    Ok(SourceFile::new(rel_path, read_path, format, role, text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn load_dir(root: &Path) -> Sources {
        let root = std::fs::canonicalize(root).expect("canonical");
        let loaded = Config::load(&root, &Overrides::default(), &root);
        load(&loaded.config)
    }

    #[test]
    fn classifies_specs_templates_and_indexes_and_skips_the_rest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "README.md", "# not a spec");
        write(root, "0000-template.md", "# Template");
        write(root, "text/0001-first.md", "# First");
        write(root, "specs/kilo/approved/a.rst", "A\n=\n");
        write(root, "specs/kilo-template.rst", "T\n=\n");
        write(root, "doc/source/index.rst", "Index\n=====\n");
        write(root, "notes.txt", "not read");
        write(root, "node_modules/x/readme.md", "# no");
        write(root, ".git/HEAD.md", "# no");
        write(root, "_site/old.md", "# output");
        let sources = load_dir(root);
        let seen: Vec<(&str, FileRole)> = sources
            .files
            .iter()
            .map(|f| (f.rel_path.as_str(), f.role))
            .collect();
        assert_eq!(
            seen,
            [
                ("0000-template.md", FileRole::Template),
                ("doc/source/index.rst", FileRole::Index),
                ("specs/kilo-template.rst", FileRole::Template),
                ("specs/kilo/approved/a.rst", FileRole::Spec),
                ("text/0001-first.md", FileRole::Spec),
            ]
        );
        assert!(sources.diagnostics.is_empty(), "{:?}", sources.diagnostics);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_not_followed() {
        let outside = tempfile::tempdir().expect("tempdir");
        write(outside.path(), "secret.md", "TOP-SECRET");
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(root, "specs/a.md", "# A");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), root.join("specs/leak.md"))
            .expect("symlink");
        std::os::unix::fs::symlink(outside.path(), root.join("specs/dir")).expect("symlink");
        std::os::unix::fs::symlink(root.join("specs/a.md"), root.join("specs/alias.md"))
            .expect("symlink");
        let sources = load_dir(root);
        let paths: Vec<&str> = sources.files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(paths, ["specs/a.md", "specs/alias.md"]);
        assert!(sources.files.iter().all(|f| !f.text.contains("TOP-SECRET")));
        // One for the file link, one for the directory link.
        let codes: Vec<&str> = sources
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            codes,
            ["load/symlink-outside-root", "load/symlink-outside-root"]
        );
    }

    #[test]
    fn invalid_utf8_is_a_diagnostic_not_a_panic() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bad.md"), [b'#', b' ', 0xff, 0xfe]).expect("write");
        let sources = load_dir(dir.path());
        assert!(sources.files.is_empty());
        assert_eq!(sources.diagnostics[0].code, "load/not-utf8");
    }
}
