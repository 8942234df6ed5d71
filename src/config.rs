//! `specsite.toml`: the repository's settings, validated into a [`Config`].
//!
//! First stage of the pipeline. The file is optional: without it the
//! defaults work on any of the spec repositories we know (OpenStack
//! `*-specs`, PEPs, RFC folders, OME proposals). The file is parsed into a
//! spanned TOML tree and walked by hand rather than deserialised with serde,
//! so that *every* unknown key and bad value is reported, each at its own
//! file:line, instead of stopping at the first.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diag::Diagnostic;
use crate::link::settings::{
    normalise_section, IdentifierPattern, LintLevel, LintsConfig, ReferencesConfig, UrlPattern,
    LINT_RULES,
};
use crate::markup::RawHtmlPolicy;
use crate::model::StatusKey;
use crate::preset::{MetadataConfig, MetadataSource, Preset};
use crate::source::Span;

/// The name of the configuration file at the repository root.
pub const CONFIG_FILE: &str = "specsite.toml";

/// Spec-template file names recognised when the config names none.
pub const DEFAULT_TEMPLATES: &[&str] = &[
    "template.rst",
    "*-template.rst",
    "template.md",
    "*-template.md",
    "0000-template.md",
];

/// Paths never read as content, relative to the root, whatever the config says.
/// Top-level project files are not specs; `doc/` holds a Sphinx project's
/// scaffolding in OpenStack repositories.
pub const DEFAULT_EXCLUDES: &[&str] = &[
    "README.*",
    "CONTRIBUTING.*",
    "CHANGELOG.*",
    "SOURCE.md",
    "LICENSE*",
    "CODE_OF_CONDUCT.*",
    "SECURITY.*",
    "templates/**",
    "static/**",
];

/// Settings for how markup is read and shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkupConfig {
    pub raw_html: RawHtmlPolicy,
    /// Read `.txt` files as reStructuredText specs (PEP repositories).
    pub txt_as_rst: bool,
    /// Accept Sphinx's roles and directives in RST.
    pub sphinx: bool,
    /// URL for `:pep:` references; `{number}` or `{number:04}` is replaced.
    pub pep_url: String,
    /// URL for `:rfc:` references; `{number}` is replaced.
    pub rfc_url: String,
}

impl Default for MarkupConfig {
    fn default() -> Self {
        MarkupConfig {
            raw_html: RawHtmlPolicy::Sanitize,
            txt_as_rst: false,
            sphinx: true,
            pep_url: "https://peps.python.org/pep-{number:04}/".into(),
            rfc_url: "https://datatracker.ietf.org/doc/html/rfc{number}".into(),
        }
    }
}

/// The validated configuration of one build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The repository root, canonicalised.
    pub root: PathBuf,
    /// Whether a `specsite.toml` was found.
    pub has_file: bool,
    pub title: String,
    pub description: String,
    /// Absolute URL of the published site, ending in `/`; `None` means
    /// relative links only.
    pub base_url: Option<String>,
    /// Where `build` writes (absolute).
    pub output_dir: PathBuf,
    /// Globs (relative to the root) of files to read; empty = every supported file.
    pub include: Vec<String>,
    /// Globs of files to skip, in addition to [`DEFAULT_EXCLUDES`].
    pub exclude: Vec<String>,
    /// Globs of file names or paths that are spec templates, not specs.
    pub templates: Vec<String>,
    /// "Edit this spec" URL with `{path}`.
    pub edit_url: Option<String>,
    /// "View source" URL with `{path}`.
    pub source_url: Option<String>,
    /// Directory of template overrides, relative to the root.
    pub template_dir: PathBuf,
    /// Directory of extra static files, relative to the root.
    pub static_dir: PathBuf,
    pub markup: MarkupConfig,
    /// Where status, milestone, authors and dates come from (`[metadata]`,
    /// `[status]`).
    pub metadata: MetadataConfig,
    /// What `specsite check` requires of specs (`[check]`).
    pub check: crate::check::CheckConfig,
    /// Where references come from and how they name specs (`[references]`).
    pub references: ReferencesConfig,
    /// The level of each graph lint (`[lints]`).
    pub lints: LintsConfig,
}

/// Values given on the command line, which win over the file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub output_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    /// Where to keep highlighted code between builds (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
}

/// The outcome of reading the configuration: the config (defaults filled in
/// where the file was wrong), the file's text for showing diagnostics, and
/// the problems found.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub file_text: Option<String>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Config {
    /// Defaults for a repository at `root` (already canonical).
    pub fn defaults(root: &Path) -> Config {
        let title = root
            .file_name()
            .map(|name| title_from_dir_name(&name.to_string_lossy()))
            .unwrap_or_else(|| "Specs".to_string());
        Config {
            root: root.to_path_buf(),
            has_file: false,
            title,
            description: String::new(),
            base_url: None,
            output_dir: root.join("_site"),
            include: Vec::new(),
            exclude: Vec::new(),
            templates: DEFAULT_TEMPLATES.iter().map(|s| s.to_string()).collect(),
            edit_url: None,
            source_url: None,
            template_dir: PathBuf::from("templates"),
            static_dir: PathBuf::from("static"),
            markup: MarkupConfig::default(),
            metadata: MetadataConfig::default(),
            check: crate::check::CheckConfig::default(),
            references: ReferencesConfig::default(),
            lints: LintsConfig::default(),
        }
    }

    /// Read `ROOT/specsite.toml` if present and apply command-line overrides.
    /// `cwd` resolves a relative `--out`.
    pub fn load(root: &Path, overrides: &Overrides, cwd: &Path) -> Loaded {
        let mut config = Config::defaults(root);
        let mut diagnostics = Vec::new();
        let path = root.join(CONFIG_FILE);
        let file_text = match fs_err::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => {
                diagnostics.push(
                    Diagnostic::error(
                        "config/unreadable",
                        format!("cannot read {CONFIG_FILE}: {error}"),
                    )
                    .at(CONFIG_FILE, Span::default())
                    .with_help("check the file's permissions and that it is UTF-8 text"),
                );
                None
            }
        };
        if let Some(text) = &file_text {
            config.has_file = true;
            apply_file(&mut config, text, &mut diagnostics);
        }
        if let Some(out) = &overrides.output_dir {
            config.output_dir = cwd.join(out);
        }
        if let Some(url) = &overrides.base_url {
            match normalise_base_url(url) {
                Ok(url) => config.base_url = url,
                Err(message) => diagnostics.push(
                    Diagnostic::error("cli/bad-base-url", format!("--base-url {url:?}: {message}"))
                        .with_help(
                            "give an absolute http(s) URL such as https://owner.github.io/repo/",
                        ),
                ),
            }
        }
        config.output_dir = normalise_path(&config.output_dir);
        Loaded {
            config,
            file_text,
            diagnostics,
        }
    }

    /// The URL path of the site root: `/repo/` for a project Pages site, `/` otherwise.
    pub fn base_path(&self) -> String {
        match &self.base_url {
            Some(url) => {
                let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
                match after_scheme.find('/') {
                    Some(index) => after_scheme[index..].to_string(),
                    None => "/".to_string(),
                }
            }
            None => "/".to_string(),
        }
    }
}

/// "nova-specs" → "Nova specs"; "content-example" → "Content example".
fn title_from_dir_name(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Specs".to_string(),
    }
}

/// Remove `.` and `..` components without touching the file system (the
/// output directory may not exist yet).
fn normalise_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Validate a base URL: absolute http(s), ending in `/` (added if missing).
/// An empty string means "no base URL".
pub fn normalise_base_url(url: &str) -> Result<Option<String>, String> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err("has no host name".into());
    }
    if url.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err("must not contain a query, fragment, spaces or quotes".into());
    }
    let mut url = url.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(Some(url))
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

fn config_error(code: &str, message: String, span: Span) -> Diagnostic {
    Diagnostic::error(code, message).at(CONFIG_FILE, span)
}

/// Walk the parsed file and fill `config`, reporting every problem.
fn apply_file(config: &mut Config, text: &str, diagnostics: &mut Vec<Diagnostic>) {
    let (table, errors) = DeTable::parse_recoverable(text);
    for error in errors {
        let span = error
            .span()
            .map(|range| Span::new(range.start, range.end))
            .unwrap_or_default();
        diagnostics.push(
            config_error(
                "config/syntax",
                format!("invalid TOML: {}", error.message().trim()),
                span,
            )
            .with_help("see https://toml.io for the syntax"),
        );
    }
    let mut reader = Reader { diagnostics };
    // The table is a hash map: visit keys in file order so diagnostics come
    // out in the order a reader meets them.
    let mut entries: Vec<_> = table.get_ref().iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    for (key, value) in entries {
        let name: &str = key.get_ref();
        match name {
            "title" => reader.string(value, name, &mut config.title),
            "description" => reader.string(value, name, &mut config.description),
            "base_url" => {
                if let Some(url) = reader.get_string(value, name) {
                    match normalise_base_url(&url) {
                        Ok(url) => config.base_url = url,
                        Err(message) => reader.diagnostics.push(
                            config_error("config/bad-value", format!("`base_url` {message}"), span_of(value))
                                .with_help("use an absolute URL such as \"https://owner.github.io/repo/\", or \"\" for relative links only"),
                        ),
                    }
                }
            }
            "output_dir" => {
                if let Some(dir) = reader.get_relative_path(value, name) {
                    let output_dir = config.root.join(dir);
                    // Checked here, not only when writing: a repository's
                    // config that points the build at its own sources or
                    // `.git` is wrong even when --out overrides it today.
                    match crate::output::check_output_dir(&config.root, &output_dir) {
                        Ok(()) | Err(crate::output::OutputError::Io(_)) => {
                            config.output_dir = output_dir
                        }
                        Err(refusal) => reader.diagnostics.push(
                            config_error(
                                "config/unsafe-output-dir",
                                format!("`output_dir` is refused: {refusal}"),
                                span_of(value),
                            )
                            .with_help(
                                "name a directory only specsite writes to, such as \"_site\"",
                            ),
                        ),
                    }
                }
            }
            "include" => reader.globs(value, name, &mut config.include),
            "exclude" => reader.globs(value, name, &mut config.exclude),
            "templates" => reader.globs(value, name, &mut config.templates),
            "edit_url" => config.edit_url = reader.url_template(value, name),
            "source_url" => config.source_url = reader.url_template(value, name),
            "template_dir" => {
                if let Some(dir) = reader.get_relative_path(value, name) {
                    config.template_dir = dir;
                }
            }
            "static_dir" => {
                if let Some(dir) = reader.get_relative_path(value, name) {
                    config.static_dir = dir;
                }
            }
            "markup" => match value.get_ref() {
                DeValue::Table(markup) => reader.markup(markup, &mut config.markup),
                other => reader.wrong_type(value, name, "a table ([markup])", other),
            },
            "metadata" => match value.get_ref() {
                DeValue::Table(table) => reader.metadata(table, &mut config.metadata),
                other => reader.wrong_type(value, name, "a table ([metadata])", other),
            },
            "status" => match value.get_ref() {
                DeValue::Table(table) => reader.status(table, &mut config.metadata),
                other => reader.wrong_type(value, name, "a table ([status])", other),
            },
            "check" => match value.get_ref() {
                DeValue::Table(table) => reader.check(table, &config.root, &mut config.check),
                other => reader.wrong_type(value, name, "a table ([check])", other),
            },
            "references" => match value.get_ref() {
                DeValue::Table(table) => reader.references(table, &mut config.references),
                other => reader.wrong_type(value, name, "a table ([references])", other),
            },
            "lints" => match value.get_ref() {
                DeValue::Table(table) => reader.lints(table, &mut config.lints),
                other => reader.wrong_type(value, name, "a table ([lints])", other),
            },
            _ => reader.unknown_key(key, "", TOP_LEVEL_KEYS),
        }
    }
}

const TOP_LEVEL_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "output_dir",
    "include",
    "exclude",
    "templates",
    "edit_url",
    "source_url",
    "template_dir",
    "static_dir",
    "markup",
    "metadata",
    "status",
    "check",
    "references",
    "lints",
];

const REFERENCES_KEYS: &[&str] = &[
    "sections",
    "requires_sections",
    "urls",
    "identifiers",
    "project",
];

const CHECK_KEYS: &[&str] = &["optional_sections", "template", "rule", "external"];

const CHECK_RULE_KEYS: &[&str] = &["status", "require", "forbid_content"];

const CHECK_EXTERNAL_KEYS: &[&str] = &["timeout_seconds", "cache_ttl_hours", "exclude"];

const METADATA_KEYS: &[&str] = &[
    "presets",
    "sources",
    "sidecars",
    "releases",
    "folder_status",
];

const STATUS_KEYS: &[&str] = &["map", "labels", "colors", "order"];

const MARKUP_KEYS: &[&str] = &["raw_html", "txt_as_rst", "sphinx", "pep_url", "rfc_url"];

/// Reads typed values out of the spanned tree, recording problems.
struct Reader<'d> {
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        section: &str,
        known: &[&str],
    ) {
        let name: &str = key.get_ref();
        let mut diagnostic = config_error(
            "config/unknown-key",
            format!("unknown key `{section}{name}` in {CONFIG_FILE}"),
            span_of(key),
        );
        diagnostic = match crate::suggest::nearest(name, known.iter().copied()) {
            Some(near) => diagnostic.with_help(format!("did you mean `{near}`?")),
            None => diagnostic.with_help(format!("known keys here: {}", known.join(", "))),
        };
        self.diagnostics.push(diagnostic);
    }

    fn wrong_type(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        name: &str,
        expected: &str,
        found: &DeValue<'_>,
    ) {
        self.diagnostics.push(
            config_error(
                "config/bad-value",
                format!("`{name}` must be {expected}, not {}", found.type_str()),
                span_of(value),
            )
            .with_help(format!(
                "see the `{name}` entry in the README's configuration reference"
            )),
        );
    }

    fn get_string(&mut self, value: &Spanned<DeValue<'_>>, name: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.wrong_type(value, name, "a string", other);
                None
            }
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, name: &str, slot: &mut String) {
        if let Some(s) = self.get_string(value, name) {
            *slot = s;
        }
    }

    fn bool(&mut self, value: &Spanned<DeValue<'_>>, name: &str, slot: &mut bool) {
        match value.get_ref() {
            DeValue::Boolean(b) => *slot = *b,
            other => self.wrong_type(value, name, "true or false", other),
        }
    }

    /// A path that must stay inside the repository (no absolute paths, no `..`).
    fn get_relative_path(&mut self, value: &Spanned<DeValue<'_>>, name: &str) -> Option<PathBuf> {
        let text = self.get_string(value, name)?;
        let path = PathBuf::from(&text);
        let escapes = path.is_absolute()
            || path.components().any(|c| {
                matches!(
                    c,
                    std::path::Component::ParentDir | std::path::Component::Prefix(_)
                )
            });
        if text.trim().is_empty() || escapes {
            self.diagnostics.push(
                config_error(
                    "config/bad-value",
                    format!("`{name}` must be a relative path inside the repository, not {text:?}"),
                    span_of(value),
                )
                .with_help("paths in specsite.toml are relative to the file and may not use `..`; to write elsewhere, pass --out on the command line"),
            );
            return None;
        }
        Some(path)
    }

    fn globs(&mut self, value: &Spanned<DeValue<'_>>, name: &str, slot: &mut Vec<String>) {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, name, "an array of glob strings", value.get_ref());
            return;
        };
        let mut globs = Vec::new();
        for item in items.iter() {
            let Some(glob) = self.get_string(item, name) else {
                continue;
            };
            match globset::Glob::new(&glob) {
                Ok(_) => globs.push(glob),
                Err(error) => self.diagnostics.push(
                    config_error(
                        "config/bad-glob",
                        format!("invalid glob {glob:?} in `{name}`: {}", error.kind()),
                        span_of(item),
                    )
                    .with_help("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`"),
                ),
            }
        }
        *slot = globs;
    }

    fn url_template(&mut self, value: &Spanned<DeValue<'_>>, name: &str) -> Option<String> {
        let url = self.get_string(value, name)?;
        if url.is_empty() {
            return None;
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) || !url.contains("{path}") {
            self.diagnostics.push(
                config_error(
                    "config/bad-value",
                    format!("`{name}` must be an http(s) URL containing {{path}}, not {url:?}"),
                    span_of(value),
                )
                .with_help("for example \"https://github.com/owner/repo/edit/main/{path}\""),
            );
            return None;
        }
        Some(url)
    }

    fn markup(&mut self, table: &DeTable<'_>, markup: &mut MarkupConfig) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let name: &str = key.get_ref();
            match name {
                "raw_html" => {
                    if let Some(policy) = self.get_string(value, "markup.raw_html") {
                        match policy.as_str() {
                            "sanitize" => markup.raw_html = RawHtmlPolicy::Sanitize,
                            "escape" => markup.raw_html = RawHtmlPolicy::Escape,
                            "allow" => markup.raw_html = RawHtmlPolicy::Allow,
                            other => self.diagnostics.push(
                                config_error(
                                    "config/bad-value",
                                    format!("`markup.raw_html` must be \"sanitize\", \"escape\" or \"allow\", not {other:?}"),
                                    span_of(value),
                                )
                                .with_help("\"sanitize\" (the default) keeps safe HTML; \"allow\" is only for repositories whose every author is trusted"),
                            ),
                        }
                    }
                }
                "txt_as_rst" => self.bool(value, "markup.txt_as_rst", &mut markup.txt_as_rst),
                "sphinx" => self.bool(value, "markup.sphinx", &mut markup.sphinx),
                "pep_url" => self.number_url(value, "markup.pep_url", &mut markup.pep_url),
                "rfc_url" => self.number_url(value, "markup.rfc_url", &mut markup.rfc_url),
                _ => self.unknown_key(key, "markup.", MARKUP_KEYS),
            }
        }
    }

    /// A string that must be one of `known`; otherwise an error with a
    /// did-you-mean.
    fn one_of<T>(
        &mut self,
        item: &Spanned<DeValue<'_>>,
        name: &str,
        known: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.get_string(item, name)?;
        if let Some(value) = parse(&text) {
            return Some(value);
        }
        let mut diagnostic = config_error(
            "config/bad-value",
            format!("`{name}`: unknown value {text:?}"),
            span_of(item),
        );
        diagnostic = match crate::suggest::nearest(&text, known.iter().copied()) {
            Some(near) => diagnostic.with_help(format!("did you mean {near:?}?")),
            None => diagnostic.with_help(format!("known values: {}", known.join(", "))),
        };
        self.diagnostics.push(diagnostic);
        None
    }

    fn list_of<T>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        name: &str,
        known: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Vec<T>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, name, "an array of strings", value.get_ref());
            return None;
        };
        Some(
            items
                .iter()
                .filter_map(|item| self.one_of(item, name, known, &parse))
                .collect(),
        )
    }

    fn strings(&mut self, value: &Spanned<DeValue<'_>>, name: &str) -> Option<Vec<String>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, name, "an array of strings", value.get_ref());
            return None;
        };
        Some(
            items
                .iter()
                .filter_map(|item| self.get_string(item, name))
                .collect(),
        )
    }

    fn status_key(&mut self, item: &Spanned<DeValue<'_>>, name: &str) -> Option<StatusKey> {
        let keys: Vec<&str> = StatusKey::ALL.iter().map(|k| k.key()).collect();
        self.one_of(item, name, &keys, StatusKey::from_key)
    }

    /// Entries of an inline or sub-table, in file order.
    fn table_entries<'t, 'v>(
        &mut self,
        value: &'t Spanned<DeValue<'v>>,
        name: &str,
    ) -> Vec<(
        &'t Spanned<std::borrow::Cow<'v, str>>,
        &'t Spanned<DeValue<'v>>,
    )> {
        let DeValue::Table(table) = value.get_ref() else {
            self.wrong_type(value, name, "a table", value.get_ref());
            return Vec::new();
        };
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        entries
    }

    fn metadata(&mut self, table: &DeTable<'_>, metadata: &mut MetadataConfig) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let mut explicit_sources = false;
        for (key, value) in entries {
            let name: &str = key.get_ref();
            match name {
                "presets" => {
                    if let Some(presets) = self.list_of(
                        value,
                        "metadata.presets",
                        &Preset::names(),
                        Preset::from_name,
                    ) {
                        metadata.presets = presets;
                    }
                }
                "sources" => {
                    if let Some(sources) = self.list_of(
                        value,
                        "metadata.sources",
                        &MetadataSource::names(),
                        MetadataSource::from_name,
                    ) {
                        metadata.sources = sources;
                        explicit_sources = true;
                    }
                }
                "sidecars" => {
                    if let Some(names) = self.strings(value, "metadata.sidecars") {
                        metadata.sidecars = names;
                    }
                }
                "releases" => {
                    if let Some(names) = self.strings(value, "metadata.releases") {
                        metadata.releases = names;
                    }
                }
                "folder_status" => {
                    for (folder, status) in self.table_entries(value, "metadata.folder_status") {
                        if let Some(key) = self.status_key(status, "metadata.folder_status") {
                            let folder: &str = folder.get_ref();
                            metadata
                                .folder_status
                                .insert(folder.trim_matches('/').to_string(), key);
                        }
                    }
                }
                _ => self.unknown_key(key, "metadata.", METADATA_KEYS),
            }
        }
        if !explicit_sources && !metadata.presets.is_empty() {
            metadata.sources = MetadataConfig::sources_of(&metadata.presets);
        }
    }

    fn status(&mut self, table: &DeTable<'_>, metadata: &mut MetadataConfig) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let name: &str = key.get_ref();
            match name {
                "map" => {
                    for (raw, status) in self.table_entries(value, "status.map") {
                        if let Some(key) = self.status_key(status, "status.map") {
                            let raw: &str = raw.get_ref();
                            metadata
                                .status
                                .map
                                .insert(crate::model::normalise_status(raw), key);
                        }
                    }
                }
                "labels" | "colors" => {
                    let section = format!("status.{name}");
                    for (status, text) in self.table_entries(value, &section) {
                        let keys: Vec<&str> = StatusKey::ALL.iter().map(|k| k.key()).collect();
                        let status_name: &str = status.get_ref();
                        let Some(status_key) = StatusKey::from_key(status_name) else {
                            self.unknown_key(status, &format!("{section}."), &keys);
                            continue;
                        };
                        let Some(text) = self.get_string(text, &section) else {
                            continue;
                        };
                        if name == "labels" {
                            metadata.status.labels.insert(status_key, text);
                        } else if is_css_colour(&text) {
                            metadata.status.colors.insert(status_key, text);
                        } else {
                            self.diagnostics.push(
                                config_error(
                                    "config/bad-value",
                                    format!("`{section}.{status_name}` must be a colour like \"#1a7f37\", not {text:?}"),
                                    span_of(value),
                                )
                                .with_help("use #rgb or #rrggbb"),
                            );
                        }
                    }
                }
                "order" => {
                    let keys: Vec<&str> = StatusKey::ALL.iter().map(|k| k.key()).collect();
                    if let Some(order) =
                        self.list_of(value, "status.order", &keys, StatusKey::from_key)
                    {
                        metadata.status.order = order;
                    }
                }
                _ => self.unknown_key(key, "status.", STATUS_KEYS),
            }
        }
    }

    /// `[check]`: template conformance and external-link settings.
    fn check(&mut self, table: &DeTable<'_>, root: &Path, check: &mut crate::check::CheckConfig) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let name: &str = key.get_ref();
            match name {
                "optional_sections" => {
                    if let Some(titles) = self.strings(value, "check.optional_sections") {
                        check.optional_sections = titles;
                    }
                }
                "template" => {
                    let Some(path) = self.get_relative_path(value, "check.template") else {
                        continue;
                    };
                    if root.join(&path).is_file() {
                        check.template = Some(path.to_string_lossy().replace('\\', "/"));
                    } else {
                        self.diagnostics.push(
                            config_error(
                                "config/bad-value",
                                format!("`check.template` names {}, which is not a file", path.display()),
                                span_of(value),
                            )
                            .with_help("give the template's path relative to specsite.toml, e.g. \"proposals/0000-template.md\""),
                        );
                    }
                }
                "rule" => {
                    let DeValue::Array(rules) = value.get_ref() else {
                        self.wrong_type(
                            value,
                            "check.rule",
                            "an array of tables ([[check.rule]])",
                            value.get_ref(),
                        );
                        continue;
                    };
                    for rule in rules.iter() {
                        if let Some(rule) = self.check_rule(rule) {
                            check.rules.push(rule);
                        }
                    }
                }
                "external" => {
                    for (key, item) in self.table_entries(value, "check.external") {
                        let item_name: &str = key.get_ref();
                        match item_name {
                            "timeout_seconds" => {
                                if let Some(n) =
                                    self.integer(item, "check.external.timeout_seconds", 1, 300)
                                {
                                    check.external.timeout_seconds = n;
                                }
                            }
                            "cache_ttl_hours" => {
                                if let Some(n) = self.integer(
                                    item,
                                    "check.external.cache_ttl_hours",
                                    0,
                                    24 * 365,
                                ) {
                                    check.external.cache_ttl_hours = n;
                                }
                            }
                            "exclude" => {
                                if let Some(prefixes) = self.strings(item, "check.external.exclude")
                                {
                                    check.external.exclude = prefixes;
                                }
                            }
                            _ => self.unknown_key(key, "check.external.", CHECK_EXTERNAL_KEYS),
                        }
                    }
                }
                _ => self.unknown_key(key, "check.", CHECK_KEYS),
            }
        }
    }

    fn references(&mut self, table: &DeTable<'_>, references: &mut ReferencesConfig) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let name: &str = key.get_ref();
            let full = format!("references.{name}");
            match name {
                "sections" | "requires_sections" => {
                    let Some(titles) = self.strings(value, &full) else {
                        continue;
                    };
                    let titles: Vec<String> = titles
                        .iter()
                        .map(|t| normalise_section(t))
                        .filter(|t| !t.is_empty())
                        .collect();
                    if name == "sections" {
                        references.sections = titles;
                    } else {
                        references.requires_sections = titles;
                    }
                }
                "urls" => {
                    references.urls = self.patterns(value, &full, UrlPattern::parse);
                }
                "identifiers" => {
                    references.identifiers = self.patterns(value, &full, IdentifierPattern::parse);
                }
                "project" => {
                    if let Some(project) = self.get_string(value, &full) {
                        references.project = Some(project.trim().to_ascii_lowercase());
                    }
                }
                _ => self.unknown_key(key, "references.", REFERENCES_KEYS),
            }
        }
        // A requires section is a reference section too.
        for title in &references.requires_sections {
            if !references.sections.contains(title) {
                references.sections.push(title.clone());
            }
        }
    }

    /// One `[[check.rule]]`; `None` (after reporting) when it has no valid status.
    fn check_rule(&mut self, rule: &Spanned<DeValue<'_>>) -> Option<crate::check::StatusRule> {
        let mut status = None;
        let mut require = Vec::new();
        let mut forbid_content = Vec::new();
        let mut saw_status = false;
        for (key, value) in self.table_entries(rule, "check.rule") {
            let name: &str = key.get_ref();
            match name {
                "status" => {
                    saw_status = true;
                    status = self.status_key(value, "check.rule.status");
                }
                "require" => {
                    require = self
                        .strings(value, "check.rule.require")
                        .unwrap_or_default()
                }
                "forbid_content" => {
                    forbid_content = self
                        .strings(value, "check.rule.forbid_content")
                        .unwrap_or_default()
                }
                _ => self.unknown_key(key, "check.rule.", CHECK_RULE_KEYS),
            }
        }
        if !saw_status && matches!(rule.get_ref(), DeValue::Table(_)) {
            self.diagnostics.push(
                config_error(
                    "config/missing-key",
                    "a [[check.rule]] needs `status`, the lifecycle state it applies to"
                        .to_string(),
                    span_of(rule),
                )
                .with_help(
                    "for example status = \"implemented\" with require = [\"Implementation\"]",
                ),
            );
        }
        Some(crate::check::StatusRule {
            status: status?,
            require,
            forbid_content,
        })
    }

    /// A whole number in `min..=max`.
    fn integer(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        name: &str,
        min: u64,
        max: u64,
    ) -> Option<u64> {
        let DeValue::Integer(integer) = value.get_ref() else {
            self.wrong_type(value, name, "a whole number", value.get_ref());
            return None;
        };
        let digits = integer.as_str().replace('_', "");
        let parsed = u64::from_str_radix(&digits, integer.radix())
            .ok()
            .filter(|n| (min..=max).contains(n));
        if parsed.is_none() {
            self.diagnostics.push(
                config_error(
                    "config/bad-value",
                    format!(
                        "`{name}` must be between {min} and {max}, not {}",
                        integer.as_str()
                    ),
                    span_of(value),
                )
                .with_help(format!("use a whole number from {min} to {max}")),
            );
        }
        parsed
    }

    /// An array of patterns, each parsed; a bad one is reported at its own
    /// span and left out.
    fn patterns<T>(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<T>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(value, name, "an array of strings", value.get_ref());
            return None;
        };
        let mut out = Vec::new();
        for item in items {
            let Some(text) = self.get_string(item, name) else {
                continue;
            };
            match parse(&text) {
                Ok(pattern) => out.push(pattern),
                Err(message) => self.diagnostics.push(
                    config_error(
                        "config/bad-value",
                        format!("`{name}`: {text:?} {message}"),
                        span_of(item),
                    )
                    .with_help(
                        "see the `[references]` entry in the README's configuration reference",
                    ),
                ),
            }
        }
        Some(out)
    }

    fn lints(&mut self, table: &DeTable<'_>, lints: &mut LintsConfig) {
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        let rules: Vec<&str> = LINT_RULES.iter().map(|(rule, _)| *rule).collect();
        for (key, value) in entries {
            let rule: &str = key.get_ref();
            if !rules.contains(&rule) {
                self.unknown_key(key, "lints.", &rules);
                continue;
            }
            let name = format!("lints.{rule}");
            if let Some(level) = self.one_of(value, &name, LintLevel::NAMES, LintLevel::from_name) {
                lints.levels.push((rule.to_string(), level));
            }
        }
    }

    fn number_url(&mut self, value: &Spanned<DeValue<'_>>, name: &str, slot: &mut String) {
        let Some(url) = self.get_string(value, name) else {
            return;
        };
        if !url.contains("{number") || !(url.starts_with("https://") || url.starts_with("http://"))
        {
            self.diagnostics.push(
                config_error(
                    "config/bad-value",
                    format!("`{name}` must be an http(s) URL containing {{number}} or {{number:04}}, not {url:?}"),
                    span_of(value),
                )
                .with_help("for example \"https://peps.python.org/pep-{number:04}/\""),
            );
            return;
        }
        *slot = url;
    }
}

/// `#rgb` or `#rrggbb`: the only colours accepted, so a config value can
/// never inject CSS.
fn is_css_colour(text: &str) -> bool {
    text.strip_prefix('#').is_some_and(|hex| {
        (hex.len() == 3 || hex.len() == 6) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Loaded {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), text).expect("write config");
        Config::load(dir.path(), &Overrides::default(), dir.path())
    }

    fn line_of(loaded: &Loaded, diagnostic: &Diagnostic) -> usize {
        let text = loaded.file_text.as_deref().unwrap_or_default();
        let span = diagnostic
            .location
            .as_ref()
            .map(|l| l.span)
            .unwrap_or_default();
        crate::source::LineIndex::new(text)
            .line_col(text, span.start)
            .line
    }

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let loaded = Config::load(dir.path(), &Overrides::default(), dir.path());
        assert!(loaded.diagnostics.is_empty());
        assert!(!loaded.config.has_file);
        assert_eq!(loaded.config.output_dir, dir.path().join("_site"));
        assert_eq!(loaded.config.markup.raw_html, RawHtmlPolicy::Sanitize);
        assert_eq!(loaded.config.base_path(), "/");
    }

    #[test]
    fn reads_every_documented_key() {
        let loaded = load_text(
            r#"
title = "Lumen"
description = "Design proposals"
base_url = "https://example.github.io/lumen"
output_dir = "public"
include = ["specs/**/*.rst"]
exclude = ["specs/old/**"]
templates = ["tmpl.rst"]
edit_url = "https://github.com/o/r/edit/main/{path}"
source_url = "https://github.com/o/r/blob/main/{path}"
template_dir = "tpl"
static_dir = "assets"
[markup]
raw_html = "escape"
txt_as_rst = true
sphinx = false
pep_url = "https://example.org/pep/{number}"
rfc_url = "https://example.org/rfc/{number}"
"#,
        );
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let config = loaded.config;
        assert_eq!(config.title, "Lumen");
        assert_eq!(
            config.base_url.as_deref(),
            Some("https://example.github.io/lumen/")
        );
        assert_eq!(config.base_path(), "/lumen/");
        assert!(config.output_dir.ends_with("public"));
        assert_eq!(config.include, ["specs/**/*.rst"]);
        assert_eq!(config.templates, ["tmpl.rst"]);
        assert_eq!(config.template_dir, PathBuf::from("tpl"));
        assert_eq!(config.markup.raw_html, RawHtmlPolicy::Escape);
        assert!(config.markup.txt_as_rst);
        assert!(!config.markup.sphinx);
    }

    #[test]
    fn every_problem_is_reported_at_its_line() {
        let loaded = load_text(
            "titel = \"x\"\noutput_dir = \"../elsewhere\"\n[markup]\nraw_html = \"maybe\"\nsphinks = true\n",
        );
        let found: Vec<(String, usize)> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.clone(), line_of(&loaded, d)))
            .collect();
        assert_eq!(
            found,
            [
                ("config/unknown-key".to_string(), 1),
                ("config/bad-value".to_string(), 2),
                ("config/bad-value".to_string(), 4),
                ("config/unknown-key".to_string(), 5),
            ]
        );
        assert_eq!(
            loaded.diagnostics[0].help.as_deref(),
            Some("did you mean `title`?")
        );
    }

    #[test]
    fn syntax_errors_and_wrong_types_are_diagnostics() {
        let loaded = load_text("title = 3\ninclude = \"*.md\"\nbroken = \n");
        let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert!(codes.contains(&"config/syntax"), "{codes:?}");
        assert!(
            codes.iter().filter(|c| **c == "config/bad-value").count() >= 2,
            "{codes:?}"
        );
    }

    #[test]
    fn base_url_validation() {
        assert_eq!(normalise_base_url(""), Ok(None));
        assert_eq!(
            normalise_base_url("https://o.github.io/r"),
            Ok(Some("https://o.github.io/r/".into()))
        );
        assert!(normalise_base_url("o.github.io/r").is_err());
        assert!(normalise_base_url("javascript:alert(1)").is_err());
        assert!(normalise_base_url("https://x/\"><script>").is_err());
    }

    #[test]
    fn metadata_and_status_tables_with_a_did_you_mean_for_each_mistake() {
        let loaded = load_text(
            "[metadata]\npresets = [\"openstak\"]\nreleases = [\"aurora\"]\nfolder_status = { text = \"accepted\" }\nsidecar = []\n\n[status]\nmap = { shipped = \"implemnted\", wip = \"draft\" }\nlabels = { accepted = \"Approved\" }\ncolors = { accepted = \"red; x\" }\norder = [\"implemented\"]\n",
        );
        let metadata = &loaded.config.metadata;
        assert_eq!(metadata.releases, ["aurora"]);
        assert_eq!(
            metadata.folder_status.get("text"),
            Some(&crate::model::StatusKey::Accepted)
        );
        assert_eq!(
            metadata.status.canonical("WIP"),
            Some(crate::model::StatusKey::Draft)
        );
        assert_eq!(
            metadata.status.label(crate::model::StatusKey::Accepted),
            "Approved"
        );
        assert!(metadata.status.colors.is_empty(), "CSS injection refused");
        let found: Vec<(usize, &str)> = loaded
            .diagnostics
            .iter()
            .map(|d| (line_of(&loaded, d), d.help.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(found[0].1.contains("\"openstack\""));
        assert_eq!(found[1].0, 5);
        assert!(found[1].1.contains("`sidecars`"));
        assert_eq!(found[2].0, 8);
        assert!(found[2].1.contains("\"implemented\""));
        assert_eq!(found[3].0, 10);
    }
}
