//! Reporting diagnostics to people and tools.
//!
//! The pipeline only collects [`Diagnostic`] values; this module turns them
//! into text for a terminal (source snippets drawn by annotate-snippets) or
//! JSON for tools. Line and column are resolved here, against the files the
//! build loaded (or the config file's text).

use std::collections::HashMap;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diag::{Diagnostic, ResolvedLocation, Severity, Tally};
use crate::source::{LineIndex, Span};

/// Output formats for diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ReportFormat {
    #[default]
    Text,
    /// One line per diagnostic, `path:line:col: severity[code]: message`
    /// (the compiler convention editors, grep and log scanners read).
    Short,
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// The texts diagnostics may point into, by repository-relative path.
#[derive(Default)]
pub struct SourceTexts<'a> {
    texts: HashMap<&'a str, (&'a str, LineIndex)>,
}

impl<'a> SourceTexts<'a> {
    pub fn add(&mut self, path: &'a str, text: &'a str) {
        self.texts.insert(path, (text, LineIndex::new(text)));
    }

    fn get(&self, path: &str) -> Option<&(&'a str, LineIndex)> {
        self.texts.get(path)
    }

    /// Line and column of a diagnostic's span, if its file is known.
    pub fn resolve(&self, diagnostic: &Diagnostic) -> Option<ResolvedLocation> {
        let location = diagnostic.location.as_ref()?;
        let (start, end) = match self.get(&location.file) {
            Some((text, index)) => {
                let span = location.span.clamp_to(text.len());
                (
                    index.line_col(text, span.start),
                    index.line_col(text, span.end),
                )
            }
            None => {
                let origin = crate::source::LineCol { line: 1, col: 1 };
                (origin, origin)
            }
        };
        Some(ResolvedLocation {
            file: location.file.clone(),
            start,
            end,
        })
    }
}

fn level(severity: Severity) -> Level<'static> {
    match severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Note => Level::NOTE,
    }
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

/// The lines of `text` around `span`, for a snippet: (first line number,
/// the excerpt, the span relative to the excerpt). Keeps the snippet small
/// for large files and snaps the span to character boundaries.
fn excerpt<'t>(text: &'t str, index: &LineIndex, span: Span) -> (usize, &'t str, Span) {
    let start = floor_boundary(text, span.start);
    let mut end = ceil_boundary(text, span.end.max(start));
    if end == start && end < text.len() && !text[end..].starts_with('\n') {
        // Point at one character rather than nowhere.
        end = ceil_boundary(text, end + 1);
    }
    let first_line = index.line_col(text, start).line;
    let excerpt_start = index.line_start(first_line).unwrap_or(0).min(start);
    // Show at most a few lines of a long span.
    let last_line = index.line_col(text, end).line.min(first_line + 5);
    let excerpt_end = index
        .line_start(last_line + 1)
        .map(|next| next.saturating_sub(1))
        .unwrap_or(text.len());
    let mut excerpt_end = floor_boundary(text, excerpt_end.max(start));
    // A minified or generated line can be megabytes long; the renderer
    // walks the whole excerpt for every diagnostic, so show a window of it.
    // The window starts on the first line, so line numbers stay right.
    let mut excerpt_start = excerpt_start;
    if excerpt_end - excerpt_start > MAX_EXCERPT_BYTES {
        excerpt_start =
            floor_boundary(text, start.saturating_sub(EXCERPT_CONTEXT_BYTES)).max(excerpt_start);
        let shown_end = end.min(start.saturating_add(MAX_EXCERPT_BYTES));
        excerpt_end =
            ceil_boundary(text, shown_end.saturating_add(EXCERPT_CONTEXT_BYTES)).min(excerpt_end);
        excerpt_end = floor_boundary(text, excerpt_end.max(start));
    }
    let end = end.min(excerpt_end);
    (
        first_line,
        text.get(excerpt_start..excerpt_end).unwrap_or_default(),
        Span::new(start - excerpt_start, end - excerpt_start),
    )
}

/// Excerpts longer than this are cut to the marked text and some context.
const MAX_EXCERPT_BYTES: usize = 2_000;
/// Bytes of context kept on each side of the marked text in a cut excerpt.
const EXCERPT_CONTEXT_BYTES: usize = 160;

/// Render diagnostics for a terminal. `color` adds ANSI styling.
pub fn render_text(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        // Messages and paths echo content: keep each to one safe line.
        let message = one_line(&diagnostic.message);
        let file = diagnostic
            .location
            .as_ref()
            .map(|location| one_line(&location.file))
            .unwrap_or_default();
        let label = diagnostic.label.as_deref().map(one_line);
        let help = diagnostic.help.as_deref().map(one_line);
        let title = level(diagnostic.severity)
            .primary_title(message.as_str())
            .id(diagnostic.code.as_str());
        let mut group = match diagnostic
            .location
            .as_ref()
            .and_then(|location| sources.get(&location.file).map(|source| (location, source)))
        {
            Some((location, (text, index))) => {
                let (line_start, snippet_text, local) = excerpt(text, index, location.span);
                let mut annotation = AnnotationKind::Primary.span(local.start..local.end);
                if let Some(label) = &label {
                    annotation = annotation.label(label.as_str());
                }
                let snippet = Snippet::source(snippet_text)
                    .line_start(line_start)
                    .annotation(annotation);
                let whole_lines = index.line_start(line_start).is_some_and(|first| {
                    text.get(first..)
                        .is_some_and(|rest| rest.starts_with(snippet_text))
                });
                if whole_lines {
                    title.element(snippet.path(file.as_str()))
                } else {
                    // A window of a long line: the renderer would count the
                    // column from the window, so name the place ourselves.
                    let place = index.line_col(text, location.span.start.min(text.len()));
                    title
                        .element(
                            annotate_snippets::Origin::path(file.as_str())
                                .line(place.line)
                                .char_column(place.col),
                        )
                        .element(snippet)
                }
            }
            None => match &diagnostic.location {
                Some(_) => title.element(annotate_snippets::Origin::path(file.as_str())),
                None => Group::with_title(title),
            },
        };
        if let Some(help) = &help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        out.push_str(&renderer.render(&[group]));
        out.push_str("\n\n");
    }
    out
}

/// `text` as one line of a log: whitespace runs (newlines included) become
/// one space, other control characters and bidirectional overrides are
/// shown escaped. Messages echo file names and source text, and a log line
/// must never be able to start with `::` (a GitHub workflow command) or
/// reorder itself on screen (Trojan Source).
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        let is_bidi_control = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c.is_control() || is_bidi_control {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Render diagnostics one per line: `path:line:col: severity[code]: message`,
/// with the help after ` help: `.
pub fn render_short(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        if let Some(location) = sources.resolve(diagnostic) {
            out.push_str(&format!(
                "{}:{}:{}: ",
                one_line(&location.file),
                location.start.line,
                location.start.col
            ));
        }
        out.push_str(&format!(
            "{}[{}]: {}",
            diagnostic.severity.as_str(),
            one_line(&diagnostic.code),
            one_line(&diagnostic.message)
        ));
        if let Some(help) = &diagnostic.help {
            out.push_str(" help: ");
            out.push_str(&one_line(help));
        }
        out.push('\n');
    }
    out
}

/// One-line summary: "2 errors, 1 warning".
pub fn summary(tally: Tally) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(tally.errors, "error"),
        plural(tally.warnings, "warning")
    )
}

#[derive(serde::Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<ResolvedLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Tally,
}

/// Render diagnostics as one JSON document.
pub fn render_json(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>) -> String {
    let report = JsonReport {
        schema_version: 1,
        diagnostics: diagnostics
            .iter()
            .map(|d| JsonDiagnostic {
                severity: d.severity,
                code: &d.code,
                message: &d.message,
                location: sources.resolve(d),
                help: d.help.as_deref(),
            })
            .collect(),
        summary: Tally::of(diagnostics),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".to_string())
}

/// Escape a workflow-command message: `%`, CR and LF would end or corrupt it.
fn github_escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow-command property value (also `:` and `,`).
fn github_escape_property(text: &str) -> String {
    github_escape_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// Render diagnostics as GitHub Actions workflow commands, one per line,
/// so they show as annotations on the pull request's files.
pub fn render_github(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = Vec::new();
        if let Some(location) = sources.resolve(diagnostic) {
            properties.push(format!("file={}", github_escape_property(&location.file)));
            properties.push(format!("line={}", location.start.line));
            properties.push(format!("col={}", location.start.col));
            if location.end.line >= location.start.line {
                properties.push(format!("endLine={}", location.end.line));
            }
        }
        properties.push(format!(
            "title={}",
            github_escape_property(&diagnostic.code)
        ));
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            github_escape_data(&message)
        ));
    }
    out
}

/// The SARIF 2.1.0 schema URI written into every log.
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Render diagnostics as one SARIF 2.1.0 log: one run, one rule per
/// diagnostic code, one result per diagnostic.
pub fn render_sarif(diagnostics: &[Diagnostic], sources: &SourceTexts<'_>) -> String {
    let mut rule_ids: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<serde_json::Value> = rule_ids
        .iter()
        .map(|id| serde_json::json!({ "id": id, "name": id }))
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            let level = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let mut text = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                text.push_str(" (help: ");
                text.push_str(help);
                text.push(')');
            }
            let mut result = serde_json::json!({
                "ruleId": diagnostic.code,
                "ruleIndex": rule_ids.binary_search(&diagnostic.code.as_str()).unwrap_or(0),
                "level": level,
                "message": { "text": text },
            });
            if let Some(location) = sources.resolve(diagnostic) {
                result["locations"] = serde_json::json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": location.file, "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": location.start.line.max(1),
                            "startColumn": location.start.col.max(1),
                            "endLine": location.end.line.max(location.start.line).max(1),
                        },
                    },
                }]);
            }
            result
        })
        .collect();
    let log = serde_json::json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "specsite",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/specsite/specsite",
                    "rules": rules,
                },
            },
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string())
}

/// Render diagnostics in `format`. Text goes to a terminal (`color` adds
/// ANSI styling); the others are for tools.
pub fn render(
    format: ReportFormat,
    diagnostics: &[Diagnostic],
    sources: &SourceTexts<'_>,
    color: bool,
) -> String {
    match format {
        ReportFormat::Text => render_text(diagnostics, sources, color),
        ReportFormat::Short => render_short(diagnostics, sources),
        ReportFormat::Json => render_json(diagnostics, sources),
        ReportFormat::Github => render_github(diagnostics, sources),
        ReportFormat::Sarif => render_sarif(diagnostics, sources),
    }
}

/// Order diagnostics for reading: by file, then position, then code.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            d.location
                .as_ref()
                .map(|l| (l.file.clone(), l.span.start))
                .unwrap_or_default()
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_megabyte_line_is_shown_as_a_window_around_the_mark() {
        let text = format!(
            "first\n{}MARK{}\n",
            "a".repeat(500_000),
            "b".repeat(500_000)
        );
        let mut sources = SourceTexts::default();
        sources.add("big.md", &text);
        let at = 6 + 500_000;
        let diagnostic = Diagnostic::warning("x", "marked").at("big.md", Span::new(at, at + 4));
        let out = render_text(&[diagnostic], &sources, false);
        assert!(out.len() < 4_000, "excerpt not cut: {} bytes", out.len());
        assert!(out.contains("big.md:2:500001"), "{out}");
        assert!(out.contains("MARK"), "{out}");
    }

    #[test]
    fn short_format_is_one_line_per_diagnostic_with_place_and_help() {
        let text = "a\nbad line\n";
        let mut sources = SourceTexts::default();
        sources.add("x.md", text);
        let diagnostics = [
            Diagnostic::error("load/x", "two\nlines ::error::evil")
                .at("x.md", Span::new(2, 5))
                .with_help("fix it"),
            Diagnostic::warning("w", "no place \u{202e}x"),
        ];
        let out = render_short(&diagnostics, &sources);
        assert_eq!(
            out,
            "x.md:2:1: error[load/x]: two lines ::error::evil help: fix it\n\
             warning[w]: no place \\u{202e}x\n"
        );
    }

    #[test]
    fn text_report_shows_file_line_column_and_help() {
        let text = "title = 1\nbad key = 2\n";
        let mut sources = SourceTexts::default();
        sources.add("specsite.toml", text);
        let diagnostic = Diagnostic::error("config/unknown-key", "unknown key `bad`")
            .at("specsite.toml", Span::new(10, 13))
            .with_help("did you mean `base_url`?");
        let out = render_text(&[diagnostic], &sources, false);
        assert!(
            out.contains("error[config/unknown-key]: unknown key `bad`"),
            "{out}"
        );
        assert!(out.contains("specsite.toml:2:1"), "{out}");
        assert!(out.contains("help: did you mean `base_url`?"), "{out}");
    }

    #[test]
    fn spans_past_the_end_and_inside_characters_do_not_panic() {
        let text = "é\n";
        let mut sources = SourceTexts::default();
        sources.add("a.md", text);
        for span in [
            Span::new(1, 1),
            Span::new(50, 60),
            Span::new(0, 0),
            Span::new(2, 1),
        ] {
            let diagnostic = Diagnostic::warning("x", "y").at("a.md", span);
            let out = render_text(&[diagnostic], &sources, false);
            assert!(out.contains("a.md:"), "{out}");
        }
    }

    #[test]
    fn json_report_resolves_lines() {
        let text = "a\nbb\n";
        let mut sources = SourceTexts::default();
        sources.add("x.md", text);
        let json = render_json(
            &[Diagnostic::warning("w", "m").at("x.md", Span::new(3, 4))],
            &sources,
        );
        let value: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(value["diagnostics"][0]["location"]["start"]["line"], 2);
        assert_eq!(value["diagnostics"][0]["location"]["start"]["col"], 2);
        assert_eq!(value["summary"]["warnings"], 1);
    }

    #[test]
    fn github_annotations_carry_file_line_and_escape_newlines() {
        let text = "a\nbb\n";
        let mut sources = SourceTexts::default();
        sources.add("x,1.md", text);
        let out = render_github(
            &[
                Diagnostic::error("check/broken-link", "100% broken\nreally")
                    .at("x,1.md", Span::new(3, 4)),
                Diagnostic::warning("w", "no file"),
            ],
            &sources,
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines[0],
            "::error file=x%2C1.md,line=2,col=2,endLine=2,title=check/broken-link::100%25 broken%0Areally"
        );
        assert_eq!(lines[1], "::warning title=w::no file");
    }
}
