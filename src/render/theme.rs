//! The theme: HTML templates and static assets, the last step of rendering.
//!
//! `render::plan` builds one JSON context per page (its shape is documented in
//! `themes/README.md`); this module turns it into HTML with tera. The default
//! theme under `themes/default/` is compiled into the binary, so a site builds
//! with no files besides its specs; a repository may replace any template by
//! putting one of the same name in `templates/` and add or replace assets in
//! `static/`.
//!
//! Templates may come from a pull request, so they are untrusted like the
//! content: tera 2 registers no function that reads files or the environment
//! (there is no `get_env`, `read_file` or `now`, and `include` resolves only
//! among templates we loaded ourselves), and override files are read only if
//! they lie inside the repository root after resolving symlinks. Everything
//! that goes wrong becomes a [`Diagnostic`] pointing into the template file.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::source::Span;

/// Templates of the default theme: (template name, source).
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "components.html",
        include_str!("../../themes/default/templates/components.html"),
    ),
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "spec.html",
        include_str!("../../themes/default/templates/spec.html"),
    ),
    (
        "index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "graph.html",
        include_str!("../../themes/default/templates/graph.html"),
    ),
    (
        "search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
];

/// Static assets of the default theme: (path under the site's `static/`, bytes).
const DEFAULT_ASSETS: &[(&str, &[u8])] = &[
    (
        "specsite.css",
        include_bytes!("../../themes/default/static/specsite.css"),
    ),
    (
        "specsite.js",
        include_bytes!("../../themes/default/static/specsite.js"),
    ),
    (
        "graph.js",
        include_bytes!("../../themes/default/static/graph.js"),
    ),
    (
        "search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
];

/// How deep we follow directories under `templates/` and `static/`: deep
/// enough for any real theme, shallow enough that a hostile tree cannot make
/// the walk run away.
const MAX_DIR_DEPTH: usize = 16;
/// How many files we accept from one override directory.
const MAX_FILES: usize = 10_000;

/// How diagnostics name a template of the built-in theme.
const DEFAULT_THEME_PREFIX: &str = "(default theme)/";

/// Where a loaded template came from, to point diagnostics at it.
#[derive(Clone, Debug)]
struct TemplateOrigin {
    /// Repository-relative path of an override, or `(default theme)/NAME`.
    display_path: String,
    source: String,
}

/// A loaded theme: compiled templates and the static files to publish.
pub struct Theme {
    tera: tera::Tera,
    origins: BTreeMap<String, TemplateOrigin>,
    assets: Vec<(String, Cow<'static, [u8]>)>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("templates", &self.origins.keys().collect::<Vec<_>>())
            .field(
                "assets",
                &self.assets.iter().map(|(path, _)| path).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Theme {
    /// The default theme embedded in the binary, with any template in
    /// `override_dir` (ROOT/templates/) replacing the one of the same name and
    /// any file in `static_dir` (ROOT/static/) added to or replacing the assets.
    ///
    /// A broken override is reported and left out, so the default template of
    /// that name (if any) stays in use and the rest of the site still renders.
    pub fn load(
        override_dir: Option<&Path>,
        static_dir: Option<&Path>,
        root: &Path,
    ) -> (Theme, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut theme = Theme {
            tera: new_sandboxed_tera(),
            origins: BTreeMap::new(),
            assets: DEFAULT_ASSETS
                .iter()
                .map(|(path, bytes)| (path.to_string(), Cow::Borrowed(*bytes)))
                .collect(),
        };

        for (name, source) in DEFAULT_TEMPLATES {
            theme.origins.insert(
                name.to_string(),
                TemplateOrigin {
                    display_path: format!("{DEFAULT_THEME_PREFIX}{name}"),
                    source: source.to_string(),
                },
            );
        }
        if let Err(error) = theme
            .tera
            .add_raw_templates(DEFAULT_TEMPLATES.iter().copied())
        {
            // Only a bug in the shipped theme gets here; say so rather than panic.
            diagnostics.push(theme.diagnostic_from(
                &error,
                "theme/template-invalid",
                "default theme template",
            ));
        }

        let canonical_root = match root.canonicalize() {
            Ok(path) => Some(path),
            Err(error) => {
                if override_dir.is_some() || static_dir.is_some() {
                    diagnostics.push(
                        Diagnostic::error(
                            "theme/unreadable",
                            format!("cannot resolve the repository root: {error}"),
                        )
                        .in_file(&root.display().to_string()),
                    );
                }
                None
            }
        };
        let Some(canonical_root) = canonical_root else {
            return (theme, diagnostics);
        };

        if let Some(dir) = override_dir {
            let files = collect_files_inside_root(dir, root, &canonical_root, &mut diagnostics);
            theme.add_overrides(files, &mut diagnostics);
        }
        if let Some(dir) = static_dir {
            let files = collect_files_inside_root(dir, root, &canonical_root, &mut diagnostics);
            theme.add_assets(files, &mut diagnostics);
        }
        (theme, diagnostics)
    }

    /// Render `template` with `context`, which must be a JSON object.
    // The error is the project-wide `Diagnostic`, returned once per failed
    // page: its size does not matter on this cold path.
    #[allow(clippy::result_large_err)]
    pub fn render(
        &self,
        template: &str,
        context: &serde_json::Value,
    ) -> Result<String, Diagnostic> {
        if !context.is_object() {
            return Err(Diagnostic::error(
                "theme/template-render",
                format!("the context for template `{template}` is not a JSON object"),
            ));
        }
        let context = tera::Context::from_serialize(context)
            .map_err(|error| self.diagnostic_from(&error, "theme/template-render", template))?;
        self.tera
            .render(template, &context)
            .map_err(|error| self.diagnostic_from(&error, "theme/template-render", template))
    }

    /// Static assets: path relative to the site's `static/` dir → bytes.
    pub fn assets(&self) -> &[(String, Cow<'static, [u8]>)] {
        &self.assets
    }

    /// Whether a template of this name is loaded (default or override).
    pub fn has_template(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// Add override templates. Tera checks a batch as a whole (an override
    /// may extend another override), so try them all at once first; if that
    /// fails, add them one by one until no more succeed, and report the rest.
    fn add_overrides(&mut self, files: Vec<CollectedFile>, diagnostics: &mut Vec<Diagnostic>) {
        let mut pending: Vec<(String, String, String)> = Vec::new();
        for file in files {
            match String::from_utf8(file.bytes) {
                Ok(source) => pending.push((file.name, file.display_path, source)),
                Err(_) => diagnostics.push(
                    Diagnostic::error("theme/not-utf8", "template is not valid UTF-8")
                        .in_file(&file.display_path)
                        .with_help("save the template as UTF-8, or remove it to use the default theme's template of that name"),
                ),
            }
        }
        if pending.is_empty() {
            return;
        }
        let previous_origins = self.origins.clone();
        for (name, display_path, source) in &pending {
            self.origins.insert(
                name.clone(),
                TemplateOrigin {
                    display_path: display_path.clone(),
                    source: source.clone(),
                },
            );
        }
        let batch = pending
            .iter()
            .map(|(name, _, source)| (name.as_str(), source.as_str()));
        if self.tera.add_raw_templates(batch).is_ok() {
            return;
        }

        let mut failures: Vec<(String, tera::Error)> = Vec::new();
        let mut progress = true;
        while progress && !pending.is_empty() {
            progress = false;
            failures.clear();
            let mut still_pending = Vec::new();
            for (name, display_path, source) in pending {
                match self.tera.add_raw_template(&name, &source) {
                    Ok(()) => progress = true,
                    Err(error) => {
                        failures.push((name.clone(), error));
                        still_pending.push((name, display_path, source));
                    }
                }
            }
            pending = still_pending;
        }
        for (name, error) in &failures {
            diagnostics.push(
                self.diagnostic_from(error, "theme/template-invalid", name)
                    .with_help("fix the template; until then the default theme's template of this name, if any, is used instead (remove it to keep the default)"),
            );
        }
        // Failed overrides are not loaded: point later errors at what is.
        for (name, _) in failures {
            match previous_origins.get(&name) {
                Some(origin) => self.origins.insert(name, origin.clone()),
                None => self.origins.remove(&name),
            };
        }
    }

    fn add_assets(&mut self, files: Vec<CollectedFile>, _diagnostics: &mut [Diagnostic]) {
        for file in files {
            let bytes = Cow::Owned(file.bytes);
            match self.assets.iter_mut().find(|(path, _)| *path == file.name) {
                Some(existing) => existing.1 = bytes,
                None => self.assets.push((file.name, bytes)),
            }
        }
        self.assets.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// Turn a tera error into a diagnostic pointing at the template file and
    /// line. `fallback_template` names the template when tera does not.
    fn diagnostic_from(
        &self,
        error: &tera::Error,
        code: &str,
        fallback_template: &str,
    ) -> Diagnostic {
        match error.kind() {
            tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                let template = if report.filename().is_empty() {
                    fallback_template
                } else {
                    report.filename()
                };
                let span = report.span();
                self.located(
                    Diagnostic::error(code, first_line(report.message())),
                    template,
                    span.range.start..span.range.end,
                    span.start_line,
                    span.start_col + 1,
                )
            }
            tera::ErrorKind::Msg(text) => {
                // Reference errors (unknown function, filter, include…) come as
                // rendered reports; recover the first one's message and place.
                let message = text
                    .lines()
                    .find_map(|line| line.strip_prefix("error: "))
                    .unwrap_or_else(|| first_line(text));
                let diagnostic = Diagnostic::error(code, message.to_string());
                match report_position(text) {
                    Some((template, line, column)) => {
                        let start = self
                            .origins
                            .get(template)
                            .and_then(|origin| byte_offset(&origin.source, line, column))
                            .unwrap_or(0);
                        self.located(diagnostic, template, start..start, line, column)
                    }
                    None => self.in_template(diagnostic, fallback_template),
                }
            }
            other => self.in_template(
                Diagnostic::error(code, first_line(&other.to_string()).to_string()),
                fallback_template,
            ),
        }
    }

    fn located(
        &self,
        diagnostic: Diagnostic,
        template: &str,
        range: std::ops::Range<usize>,
        line: usize,
        column: usize,
    ) -> Diagnostic {
        let diagnostic = match self.origins.get(template) {
            Some(origin) => diagnostic.at(
                origin.display_path.clone(),
                Span::new(range.start, range.end).clamp_to(origin.source.len()),
            ),
            None => diagnostic.in_file(template),
        };
        self.with_template_help(
            diagnostic.with_label(format!(
                "template `{template}`, line {line}, column {column}"
            )),
            template,
        )
    }

    fn in_template(&self, diagnostic: Diagnostic, template: &str) -> Diagnostic {
        let diagnostic = match self.origins.get(template) {
            Some(origin) => diagnostic.in_file(&origin.display_path),
            None => diagnostic.with_label(format!("template `{template}`")),
        };
        self.with_template_help(diagnostic, template)
    }

    /// What to do about a template error: an override can be fixed or
    /// removed (the default theme has a template of most names); an error
    /// in the default theme itself is ours.
    fn with_template_help(&self, diagnostic: Diagnostic, template: &str) -> Diagnostic {
        if diagnostic.help.is_some() {
            return diagnostic;
        }
        let is_override = self
            .origins
            .get(template)
            .is_some_and(|origin| !origin.display_path.starts_with(DEFAULT_THEME_PREFIX));
        if is_override {
            diagnostic.with_help(
                "fix the template (themes/README.md lists the context it receives), or remove it to use the default theme's",
            )
        } else {
            diagnostic.with_help("this is a bug in specsite's default theme; please report it")
        }
    }
}

/// A tera instance with only pure functions: tera 2 ships `range` and
/// `throw`, neither of which touches the outside world. We register nothing
/// else, so a template cannot read the environment, files or the clock.
fn new_sandboxed_tera() -> tera::Tera {
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml", ".svg"]);
    tera.set_escape_fn(escape_for_html);
    tera
}

/// Tera's HTML escaping (`& < > " '`), and the `=` of anything shaped like
/// an event-handler assignment (`onerror=`, `onload =`) written `&#61;`.
///
/// Quoted attributes need nothing more, but a template may come from a pull
/// request and put a value in an unquoted attribute, where a space ends the
/// value and `onerror=…` would start a handler. A handler needs its `=`;
/// without it the rest is inert attribute names. Escaping every `=` would
/// also close that hole, but rewrites our own asset URLs (`?v=…`), which
/// the server and other tools match as written. Browsers decode `&#61;`
/// back to `=`, so readers see the title as typed.
fn escape_for_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut plain_from = 0;
    for (index, byte) in bytes.iter().enumerate() {
        let reference: &[u8] = match byte {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            b'=' if assigns_handler(bytes.get(..index).unwrap_or_default()) => b"&#61;",
            _ => continue,
        };
        out.write_all(bytes.get(plain_from..index).unwrap_or_default())?;
        out.write_all(reference)?;
        plain_from = index + 1;
    }
    out.write_all(bytes.get(plain_from..).unwrap_or_default())
}

/// Whether the text before an `=` ends with a handler-like name: a word
/// starting `on` (any case), maybe followed by spaces.
fn assigns_handler(before: &[u8]) -> bool {
    let name_end = before
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |last| last + 1);
    let name = before.get(..name_end).unwrap_or_default();
    let name_start = name
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .map_or(0, |last| last + 1);
    let word = name.get(name_start..).unwrap_or_default();
    word.len() > 2
        && word
            .get(..2)
            .is_some_and(|on| on.eq_ignore_ascii_case(b"on"))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The first `--> NAME:LINE:COL` of a tera report.
fn report_position(text: &str) -> Option<(&str, usize, usize)> {
    let locus = text
        .lines()
        .find_map(|line| line.trim_start().strip_prefix("--> "))?;
    let (rest, column) = locus.rsplit_once(':')?;
    let (template, line) = rest.rsplit_once(':')?;
    Some((template, line.parse().ok()?, column.parse().ok()?))
}

/// Byte offset of a 1-based line and 1-based character column.
fn byte_offset(source: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        source
            .match_indices('\n')
            .nth(line - 2)
            .map(|(index, _)| index + 1)?
    };
    let rest = source.get(line_start..)?;
    let within = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map(|(index, _)| index)
        .unwrap_or(rest.len());
    Some(line_start + within)
}

/// One file found under an override directory.
struct CollectedFile {
    /// Path relative to the override directory, `/`-separated: the template
    /// or asset name.
    name: String,
    /// Path relative to the repository root, for diagnostics.
    display_path: String,
    bytes: Vec<u8>,
}

/// Read every regular file under `dir` that resolves to a place inside
/// `canonical_root`. Symlinks are followed only when their target stays
/// inside; anything else is skipped with a warning and never read.
fn collect_files_inside_root(
    dir: &Path,
    root: &Path,
    canonical_root: &Path,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<CollectedFile> {
    let display = |path: &Path| -> String {
        path.strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let mut files = Vec::new();
    let Ok(canonical_dir) = dir.canonicalize() else {
        // A missing override directory is the common case: nothing to add.
        return files;
    };
    if !canonical_dir.starts_with(canonical_root) {
        diagnostics.push(outside_root_warning(&display(dir)));
        return files;
    }

    let mut visited: HashSet<PathBuf> = HashSet::new();
    visited.insert(canonical_dir.clone());
    // Explicit stack of (path as written, relative name, depth): no recursion.
    let mut stack: Vec<(PathBuf, String, usize)> = vec![(dir.to_path_buf(), String::new(), 0)];
    while let Some((current, prefix, depth)) = stack.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(error) => {
                diagnostics.push(
                    Diagnostic::warning(
                        "theme/unreadable",
                        format!("cannot list the template or static directory: {error}"),
                    )
                    .in_file(&display(&current))
                    .with_help("check the directory's permissions; its templates and files are left out until it can be read"),
                );
                continue;
            }
        };
        let mut names: Vec<(PathBuf, String)> = entries
            .filter_map(Result::ok)
            .map(|entry| {
                (
                    entry.path(),
                    entry.file_name().to_string_lossy().into_owned(),
                )
            })
            .collect();
        names.sort();
        for (path, file_name) in names {
            let name = if prefix.is_empty() {
                file_name.clone()
            } else {
                format!("{prefix}/{file_name}")
            };
            if file_name.contains('\\') {
                // Published as is, it would be a site path the output
                // writer refuses, failing the whole build.
                diagnostics.push(
                    Diagnostic::warning(
                        "theme/bad-name",
                        "skipped: the name contains a backslash, which a URL cannot hold",
                    )
                    .in_file(&display(&path))
                    .with_help("rename it without `\\`"),
                );
                continue;
            }
            let Ok(canonical) = path.canonicalize() else {
                diagnostics.push(
                    Diagnostic::warning(
                        "theme/unreadable",
                        "skipped: the path cannot be resolved (a broken symlink?)",
                    )
                    .in_file(&display(&path))
                    .with_help("remove the link or point it at a file inside the repository"),
                );
                continue;
            };
            if !canonical.starts_with(canonical_root) {
                diagnostics.push(outside_root_warning(&display(&path)));
                continue;
            }
            if canonical.is_dir() {
                if depth + 1 >= MAX_DIR_DEPTH {
                    diagnostics.push(
                        Diagnostic::warning(
                            "theme/too-deep",
                            format!(
                                "skipped: directory nested more than {MAX_DIR_DEPTH} levels deep"
                            ),
                        )
                        .in_file(&display(&path))
                        .with_help("move the files it holds to a shallower directory"),
                    );
                } else if visited.insert(canonical) {
                    stack.push((path, name, depth + 1));
                }
                continue;
            }
            if !canonical.is_file() || file_name.starts_with('.') {
                continue;
            }
            if files.len() >= MAX_FILES {
                diagnostics.push(
                    Diagnostic::warning(
                        "theme/too-many-files",
                        format!("more than {MAX_FILES} files: the rest are skipped"),
                    )
                    .in_file(&display(dir))
                    .with_help("keep only templates and static assets in this directory"),
                );
                return files;
            }
            // Read through the resolved path, so what we checked is what we read.
            match std::fs::read(&canonical) {
                Ok(bytes) => files.push(CollectedFile {
                    name,
                    display_path: display(&path),
                    bytes,
                }),
                Err(error) => diagnostics.push(
                    Diagnostic::warning(
                        "theme/unreadable",
                        format!("skipped: cannot read the file: {error}"),
                    )
                    .in_file(&display(&path))
                    .with_help("check the file's permissions"),
                ),
            }
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    files
}

fn outside_root_warning(display_path: &str) -> Diagnostic {
    Diagnostic::warning(
        "theme/outside-root",
        "file resolves to a place outside the repository; skipped",
    )
    .in_file(display_path)
    .with_help("templates and static files must lie inside the repository (symlinks included)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(input: &str) -> String {
        let mut out = Vec::new();
        escape_for_html(input, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("escaping keeps UTF-8")
    }

    #[test]
    fn escaping_disarms_handler_assignments_only() {
        assert_eq!(
            escaped("<img src=x onerror=alert('é')> x/onLoad =1"),
            "&lt;img src=x onerror&#61;alert(&#39;é&#39;)&gt; x/onLoad &#61;1"
        );
        // Asset URLs and ordinary text keep their `=`.
        assert_eq!(escaped("s.css?v=0a1b"), "s.css?v=0a1b");
        assert_eq!(escaped("a = b, on = off, on"), "a = b, on = off, on");
    }

    #[test]
    fn byte_offset_counts_lines_and_characters() {
        let source = "ab\ncé{{x}}\n";
        assert_eq!(byte_offset(source, 1, 1), Some(0));
        assert_eq!(byte_offset(source, 2, 1), Some(3));
        // 'é' is two bytes: column 3 starts after it.
        assert_eq!(byte_offset(source, 2, 3), Some(6));
        assert_eq!(byte_offset(source, 9, 1), None);
    }

    #[test]
    fn report_position_reads_the_first_locus() {
        let text = "error: Unknown function `get_env`\n --> page.html:3:4\n  |";
        assert_eq!(report_position(text), Some(("page.html", 3, 4)));
        assert_eq!(report_position("no locus here"), None);
    }
}
