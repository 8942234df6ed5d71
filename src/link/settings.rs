//! The link stage's settings: `[references]` and `[lints]` in specsite.toml.
//!
//! Pure data with defaults: `config.rs` reads the TOML into these (with a
//! diagnostic for every bad key or value), and the link stage reads them.
//! Patterns are parsed once, here, into a small form that matches without
//! backtracking, so a hostile URL or a long line costs linear time.

use crate::preset::Preset;

/// The reference sections every repository gets unless the config says
/// otherwise: mentions inside them are what a spec depends on or relates to.
pub const DEFAULT_SECTIONS: &[&str] = &["References", "Dependencies", "See also", "Related"];

/// Placeholders a URL pattern may use. `{any}` matches anything (several
/// path segments, or a host) and names nothing.
pub const URL_PLACEHOLDERS: &[&str] = &[
    "project", "release", "state", "name", "number", "owner", "repo", "branch", "path", "any",
];

/// A section title as compared: lower case, single spaces, without a
/// leading number ("5.2 ") or trailing colon.
pub fn normalise_section(title: &str) -> String {
    let trimmed = title
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        .trim()
        .trim_end_matches(':')
        .trim();
    trimmed
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// One piece of a URL pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlPart {
    /// Text that must appear as written (compared case-insensitively).
    Literal(String),
    /// A named placeholder (one of [`URL_PLACEHOLDERS`]).
    Placeholder(String),
}

/// A URL pattern such as
/// `https://blueprints.launchpad.net/{project}/+spec/{name}`, stored
/// without its scheme (http and https both match).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlPattern {
    /// As written in the config, for messages.
    pub text: String,
    pub parts: Vec<UrlPart>,
}

/// What a URL pattern captured, by placeholder name.
pub type Captures = Vec<(String, String)>;

impl UrlPattern {
    /// Parse a pattern; the error says what is wrong, for the config reader.
    pub fn parse(text: &str) -> Result<UrlPattern, String> {
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or("must start with https:// or http://")?;
        let mut parts = Vec::new();
        let mut remaining = rest;
        while !remaining.is_empty() {
            match remaining.find('{') {
                Some(0) => {
                    let close = remaining
                        .find('}')
                        .ok_or("has a `{` without its closing `}`")?;
                    let name = &remaining[1..close];
                    if !URL_PLACEHOLDERS.contains(&name) {
                        let hint = crate::suggest::nearest(name, URL_PLACEHOLDERS.iter().copied())
                            .map(|near| format!(" (did you mean {{{near}}}?)"))
                            .unwrap_or_default();
                        return Err(format!(
                            "has an unknown placeholder {{{name}}}{hint}; known: {{{}}}",
                            URL_PLACEHOLDERS.join("}, {")
                        ));
                    }
                    if matches!(parts.last(), Some(UrlPart::Placeholder(_))) {
                        return Err("has two placeholders with nothing between them".into());
                    }
                    parts.push(UrlPart::Placeholder(name.to_string()));
                    remaining = &remaining[close + 1..];
                }
                found => {
                    let end = found.unwrap_or(remaining.len());
                    if remaining[..end].contains('}') {
                        return Err("has a `}` without its opening `{`".into());
                    }
                    parts.push(UrlPart::Literal(remaining[..end].to_ascii_lowercase()));
                    remaining = &remaining[end..];
                }
            }
        }
        let names = |name: &str| {
            parts
                .iter()
                .filter(|p| matches!(p, UrlPart::Placeholder(n) if n == name))
                .count()
        };
        let meaningful = ["name", "number", "path"].iter().any(|n| names(n) > 0);
        if !meaningful {
            return Err("names no spec: it needs {name}, {number} or {path}".into());
        }
        if URL_PLACEHOLDERS.iter().any(|n| *n != "any" && names(n) > 1) {
            return Err("uses a placeholder twice".into());
        }
        Ok(UrlPattern {
            text: text.to_string(),
            parts,
        })
    }

    /// Match `url` (scheme, query and fragment are ignored; a trailing `/`
    /// is optional). Placeholders take the shortest text up to the next
    /// literal, except `{path}` and `{any}`, which take the longest; none
    /// crosses a `/` except those two, and `{number}` is digits only.
    pub fn matches(&self, url: &str) -> Option<Captures> {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        let rest = rest.split(['#', '?']).next().unwrap_or(rest);
        let lowered = rest.to_ascii_lowercase();
        let captures = self.match_from(rest, &lowered);
        if captures.is_none() {
            if let Some(trimmed) = rest.strip_suffix('/') {
                return self.match_from(trimmed, &lowered[..trimmed.len()]);
            }
            if matches!(self.parts.last(), Some(UrlPart::Literal(l)) if l.ends_with('/')) {
                let with_slash = format!("{rest}/");
                let lowered = with_slash.to_ascii_lowercase();
                return self.match_from(&with_slash, &lowered);
            }
        }
        captures
    }

    fn match_from(&self, text: &str, lowered: &str) -> Option<Captures> {
        let mut at = 0usize;
        let mut captures = Vec::new();
        let mut parts = self.parts.iter().peekable();
        while let Some(part) = parts.next() {
            match part {
                UrlPart::Literal(literal) => {
                    if !lowered.get(at..)?.starts_with(literal.as_str()) {
                        return None;
                    }
                    at += literal.len();
                }
                UrlPart::Placeholder(name) => {
                    let rest = text.get(at..)?;
                    let rest_lowered = lowered.get(at..)?;
                    let next = match parts.peek() {
                        Some(UrlPart::Literal(literal)) => Some(literal.as_str()),
                        _ => None,
                    };
                    let wide = name == "path" || name == "any";
                    let end = match (next, wide) {
                        (None, _) => rest.len(),
                        (Some(literal), true) => rest_lowered.rfind(literal)?,
                        (Some(literal), false) => rest_lowered.find(literal)?,
                    };
                    let value = rest.get(..end)?;
                    let valid = !value.is_empty()
                        && (wide || !value.contains('/'))
                        && (name != "number" || value.bytes().all(|b| b.is_ascii_digit()));
                    if !valid {
                        return None;
                    }
                    captures.push((name.clone(), value.to_string()));
                    at += end;
                }
            }
        }
        (at == text.len()).then_some(captures)
    }
}

/// An identifier pattern such as `PEP {number}` or `rust-lang/rfcs#{number}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentifierPattern {
    /// `WORD {number}` / `WORD-{number}`: the word, lower case.
    Prefix(String),
    /// `owner/repo#{number}`: a pull request whose number is a spec number.
    PullRequest(String),
}

impl IdentifierPattern {
    pub fn parse(text: &str) -> Result<IdentifierPattern, String> {
        let shape = "must look like `PEP {number}`, `KEP-{number}` or `owner/repo#{number}`";
        let prefix = text.strip_suffix("{number}").ok_or(shape)?;
        if let Some(repo) = prefix.strip_suffix('#') {
            let valid = repo.split_once('/').is_some_and(|(owner, name)| {
                let part = |s: &str| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                };
                part(owner) && part(name)
            });
            return if valid {
                Ok(IdentifierPattern::PullRequest(repo.to_string()))
            } else {
                Err(shape.into())
            };
        }
        let word = prefix
            .strip_suffix(' ')
            .or_else(|| prefix.strip_suffix('-'))
            .ok_or(shape)?;
        if word.is_empty() || !word.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(shape.into());
        }
        Ok(IdentifierPattern::Prefix(word.to_ascii_lowercase()))
    }
}

/// `[references]`: where references come from and how they name specs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferencesConfig {
    /// Reference section titles, normalised ([`normalise_section`]): spec
    /// titles are matched as plain text inside these.
    pub sections: Vec<String>,
    /// Sections (normalised) whose mentions are `requires` edges; every
    /// other mention is a `references` edge.
    pub requires_sections: Vec<String>,
    /// URL patterns; `None` means the presets' defaults.
    pub urls: Option<Vec<UrlPattern>>,
    /// Identifier patterns; `None` means the presets' defaults.
    pub identifiers: Option<Vec<IdentifierPattern>>,
    /// The project `{project}` must equal (e.g. `nova`); `None` means the
    /// root directory's name without `-specs` when it has that suffix,
    /// else any project.
    pub project: Option<String>,
}

impl Default for ReferencesConfig {
    fn default() -> Self {
        ReferencesConfig {
            sections: DEFAULT_SECTIONS
                .iter()
                .map(|s| normalise_section(s))
                .collect(),
            requires_sections: Vec::new(),
            urls: None,
            identifiers: None,
            project: None,
        }
    }
}

/// Default URL patterns of a preset.
fn preset_urls(preset: Preset) -> &'static [&'static str] {
    match preset {
        Preset::OpenStack => &[
            "https://specs.openstack.org/openstack/{project}-specs/specs/{release}/{state}/{name}.html",
            "https://{any}/specs/{release}/{state}/{name}.html",
            "https://blueprints.launchpad.net/{project}/+spec/{name}",
        ],
        Preset::Pep => &[
            "https://peps.python.org/pep-{number}/",
            "https://www.python.org/dev/peps/pep-{number}/",
        ],
        Preset::RfcFolder => &["https://github.com/rust-lang/rfcs/pull/{number}"],
        Preset::SwiftEvolution | Preset::Kep | Preset::Ome | Preset::FrontMatter => &[],
    }
}

/// Patterns every repository gets: links to a file of this repository on GitHub.
const COMMON_URLS: &[&str] = &[
    "https://github.com/{owner}/{repo}/blob/{branch}/{path}",
    "https://github.com/{owner}/{repo}/tree/{branch}/{path}",
];

fn preset_identifiers(preset: Preset) -> &'static [&'static str] {
    match preset {
        Preset::Pep => &["PEP {number}"],
        Preset::SwiftEvolution => &["SE-{number}"],
        Preset::Kep => &["KEP-{number}"],
        Preset::RfcFolder => &["rust-lang/rfcs#{number}"],
        Preset::OpenStack | Preset::Ome | Preset::FrontMatter => &[],
    }
}

/// The presets whose defaults apply: the named ones, or all when none is.
fn effective(presets: &[Preset]) -> Vec<Preset> {
    if presets.is_empty() {
        Preset::ALL.to_vec()
    } else {
        presets.to_vec()
    }
}

impl ReferencesConfig {
    /// The URL patterns in force.
    pub fn url_patterns(&self, presets: &[Preset]) -> Vec<UrlPattern> {
        if let Some(urls) = &self.urls {
            return urls.clone();
        }
        effective(presets)
            .into_iter()
            .flat_map(|p| preset_urls(p).iter())
            .chain(COMMON_URLS)
            .filter_map(|text| UrlPattern::parse(text).ok())
            .collect()
    }

    /// The identifier patterns in force.
    pub fn identifier_patterns(&self, presets: &[Preset]) -> Vec<IdentifierPattern> {
        if let Some(identifiers) = &self.identifiers {
            return identifiers.clone();
        }
        effective(presets)
            .into_iter()
            .flat_map(|p| preset_identifiers(p).iter())
            .filter_map(|text| IdentifierPattern::parse(text).ok())
            .collect()
    }
}

/// How loud a lint is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LintLevel {
    Allow,
    Warn,
    Error,
}

impl LintLevel {
    pub const NAMES: &'static [&'static str] = &["allow", "warn", "error"];

    pub fn from_name(name: &str) -> Option<LintLevel> {
        match name {
            "allow" => Some(LintLevel::Allow),
            "warn" => Some(LintLevel::Warn),
            "error" => Some(LintLevel::Error),
            _ => None,
        }
    }
}

/// The graph lints, by the name `[lints]` uses (their diagnostic code is
/// `link/<name>`).
pub const LINT_RULES: &[(&str, &str)] = &[
    (
        "dangling-reference",
        "a reference that looks like a spec but resolves to none",
    ),
    ("requires-cycle", "specs that require each other in a cycle"),
    (
        "self-reference",
        "a link or header field naming the spec's own file",
    ),
    (
        "one-sided-supersession",
        "replaces (or superseded-by) without the matching field on the other spec",
    ),
    (
        "superseded-without-successor",
        "a superseded spec that names no successor",
    ),
    (
        "requires-unready",
        "an accepted or implemented spec requiring a draft, rejected or withdrawn one",
    ),
];

/// `[lints]`: a level per rule; rules not named stay warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintsConfig {
    pub levels: Vec<(String, LintLevel)>,
}

impl LintsConfig {
    /// The level of the rule whose diagnostic code is `code` (`link/…`).
    pub fn level(&self, code: &str) -> LintLevel {
        let rule = code.strip_prefix("link/").unwrap_or(code);
        self.levels
            .iter()
            .rev()
            .find(|(name, _)| name == rule)
            .map_or(LintLevel::Warn, |(_, level)| *level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captures(pattern: &str, url: &str) -> Option<Vec<(String, String)>> {
        UrlPattern::parse(pattern).expect("pattern").matches(url)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn url_patterns_capture_placeholders() {
        assert_eq!(
            captures(
                "https://blueprints.launchpad.net/{project}/+spec/{name}",
                "http://Blueprints.launchpad.net/nova/+spec/cpu-pinning/#x"
            ),
            Some(pairs(&[("project", "nova"), ("name", "cpu-pinning")]))
        );
        assert_eq!(
            captures(
                "https://{any}/specs/{release}/{state}/{name}.html",
                "https://specs.openstack.org/openstack/nova-specs/specs/kilo/approved/x.html"
            ),
            Some(pairs(&[
                ("any", "specs.openstack.org/openstack/nova-specs"),
                ("release", "kilo"),
                ("state", "approved"),
                ("name", "x")
            ]))
        );
        assert_eq!(
            captures(
                "https://peps.python.org/pep-{number}/",
                "https://peps.python.org/pep-0008"
            ),
            Some(pairs(&[("number", "0008")]))
        );
        assert_eq!(
            captures(
                "https://github.com/{owner}/{repo}/blob/{branch}/{path}",
                "https://github.com/o/r/blob/main/text/0001-x.md"
            ),
            Some(pairs(&[
                ("owner", "o"),
                ("repo", "r"),
                ("branch", "main"),
                ("path", "text/0001-x.md")
            ]))
        );
        assert_eq!(
            captures(
                "https://peps.python.org/pep-{number}/",
                "https://peps.python.org/pep-abc/"
            ),
            None
        );
        assert_eq!(
            captures(
                "https://github.com/rust-lang/rfcs/pull/{number}",
                "https://github.com/rust-lang/rfcs/pull/12/files"
            ),
            None
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        assert!(UrlPattern::parse("blueprints/{name}")
            .unwrap_err()
            .contains("https://"));
        assert!(UrlPattern::parse("https://x/{nmae}")
            .unwrap_err()
            .contains("did you mean {name}"));
        assert!(UrlPattern::parse("https://x/{project}")
            .unwrap_err()
            .contains("names no spec"));
        assert!(UrlPattern::parse("https://x/{name}{number}").is_err());
        assert_eq!(
            IdentifierPattern::parse("PEP {number}"),
            Ok(IdentifierPattern::Prefix("pep".into()))
        );
        assert_eq!(
            IdentifierPattern::parse("rust-lang/rfcs#{number}"),
            Ok(IdentifierPattern::PullRequest("rust-lang/rfcs".into()))
        );
        assert!(IdentifierPattern::parse("PEP{number}").is_err());
        assert!(IdentifierPattern::parse("{number} PEP").is_err());
    }

    #[test]
    fn sections_are_normalised() {
        assert_eq!(normalise_section(" 5.2  See   Also: "), "see also");
        assert_eq!(normalise_section("Dependencies"), "dependencies");
    }

    #[test]
    fn hostile_urls_match_in_linear_time() {
        let pattern =
            UrlPattern::parse("https://{any}/specs/{release}/{state}/{name}.html").expect("ok");
        let url = format!("https://{}", "specs/".repeat(20_000));
        assert_eq!(pattern.matches(&url), None);
    }
}
