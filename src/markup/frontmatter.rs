//! YAML (`---`) and TOML (`+++`) front matter at the top of Markdown files.
//!
//! The first step of Markdown parsing: [`split`] cuts the metadata block off
//! the file, parses it into JSON-like values (so extraction reads `status:`
//! the same way whichever syntax was used) and says where the Markdown body
//! starts, so body spans can still be offsets into the whole file. Each
//! top-level key keeps the span of its line, so a later diagnostic such as
//! "unknown status" can point at `status:` itself. A broken block never
//! stops the build: it becomes a [`Diagnostic`] at the offending line.

use crate::diag::Diagnostic;
use crate::source::Span;

/// Which syntax the front matter was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontMatterFormat {
    Yaml,
    Toml,
}

/// Parsed front matter, with where each top-level key was written.
#[derive(Clone, Debug)]
pub struct FrontMatter {
    pub format: FrontMatterFormat,
    /// The whole block, delimiters included.
    pub span: Span,
    pub values: serde_json::Map<String, serde_json::Value>,
    /// Span of each top-level key's line, for "status came from file:line".
    pub key_spans: Vec<(String, Span)>,
}

impl FrontMatter {
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.key_spans
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, span)| *span)
    }
}

const BYTE_ORDER_MARK: &str = "\u{FEFF}";

/// Split `text` into its front matter (if the file opens with one) and the
/// byte offset where the Markdown body starts.
///
/// A block that fails to parse still ends the front matter (the body starts
/// after its closing line) but yields `None` plus an error; a block with no
/// closing line is not front matter at all, so the whole text is body.
pub fn split(text: &str) -> (Option<FrontMatter>, usize, Vec<Diagnostic>) {
    let start = if text.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    };
    let mut lines = Lines::new(text, start);
    let Some(opening) = lines.next() else {
        return (None, start, Vec::new());
    };
    let format = match opening.content.trim_end() {
        "---" => FrontMatterFormat::Yaml,
        "+++" => FrontMatterFormat::Toml,
        _ => return (None, start, Vec::new()),
    };
    let content_start = opening.next_start;
    let closing = lines.find(|line| is_closing_line(format, line.content));
    let Some(closing) = closing else {
        let delimiter = if format == FrontMatterFormat::Yaml {
            "---"
        } else {
            "+++"
        };
        // A first line that looks like `key: value` means metadata was meant
        // and is now lost: an error. A lone `---` before prose is a
        // thematic break someone may well have meant.
        let rest = text.get(content_start..).unwrap_or_default();
        let first_line = rest
            .lines()
            .find(|line| !line.trim().is_empty())
            .unwrap_or_default();
        let meant_metadata = match format {
            FrontMatterFormat::Yaml => yaml_top_level_key(first_line).is_some(),
            FrontMatterFormat::Toml => toml_top_level_key(first_line).is_some(),
        };
        let severity = if meant_metadata {
            crate::diag::Severity::Error
        } else {
            crate::diag::Severity::Warning
        };
        let diagnostic = Diagnostic::new(
            severity,
            "frontmatter/unterminated",
            format!("front matter opened with `{delimiter}` is never closed"),
        )
        .with_span(Span::new(
            opening.start,
            opening.start + opening.content.len(),
        ))
        .with_label("opened here")
        .with_help(format!(
            "end the metadata block with a line holding only `{delimiter}`; \
             until then the whole file is read as Markdown"
        ));
        return (None, start, vec![diagnostic]);
    };
    let block_span = Span::new(start, closing.start + closing.content.len());
    let body_start = closing.next_start;
    let content = text.get(content_start..closing.start).unwrap_or_default();
    let mut key_spans = top_level_key_spans(format, content, content_start);
    let parsed = match format {
        FrontMatterFormat::Yaml => parse_yaml(content, content_start),
        FrontMatterFormat::Toml => parse_toml(content, content_start),
    };
    let looks_like_prose = key_spans.is_empty()
        && !content.trim().is_empty()
        && !matches!(
            parsed,
            Ok(serde_json::Value::Object(_) | serde_json::Value::Array(_))
        );
    if looks_like_prose {
        // Not metadata but Markdown between two thematic breaks
        // (`---\n# Title\n...\n---`): leave it all to the body.
        return (None, start, Vec::new());
    }
    let value = match parsed {
        Ok(value) => value,
        Err(diagnostic) => return (None, body_start, vec![*diagnostic]),
    };
    let values = match value {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => serde_json::Map::new(),
        other => {
            let diagnostic = Diagnostic::error(
                "frontmatter/not-a-mapping",
                format!(
                    "front matter must be a mapping of keys to values, not {}",
                    json_kind(&other)
                ),
            )
            .with_span(first_content_line(content, content_start).unwrap_or(block_span))
            .with_help("write one `key: value` per line, e.g. `status: accepted`");
            return (None, body_start, vec![diagnostic]);
        }
    };
    // The line scan can be fooled by multi-line strings; keep what parsed.
    key_spans.retain(|(key, _)| values.contains_key(key));
    let front_matter = FrontMatter {
        format,
        span: block_span,
        values,
        key_spans,
    };
    (Some(front_matter), body_start, Vec::new())
}

/// One line of the text: its start, its content without the line ending, and
/// where the next line starts.
struct Line<'a> {
    start: usize,
    content: &'a str,
    next_start: usize,
}

struct Lines<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str, position: usize) -> Lines<'a> {
        Lines { text, position }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        let rest = self.text.get(self.position..)?;
        if rest.is_empty() {
            return None;
        }
        let start = self.position;
        let (with_newline, next_start) = match rest.find('\n') {
            Some(newline) => (&rest[..newline], start + newline + 1),
            None => (rest, self.text.len()),
        };
        let content = with_newline.strip_suffix('\r').unwrap_or(with_newline);
        self.position = next_start;
        Some(Line {
            start,
            content,
            next_start,
        })
    }
}

fn is_closing_line(format: FrontMatterFormat, line: &str) -> bool {
    let line = line.trim_end();
    match format {
        // `...` is YAML's own end-of-document marker; some generators accept it.
        FrontMatterFormat::Yaml => line == "---" || line == "...",
        FrontMatterFormat::Toml => line == "+++",
    }
}

/// YAML tags that only name the core schema's own types.
const CORE_YAML_TAGS: &[&str] = &[
    "!",
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!seq",
    "!!map",
    "!!timestamp",
];

/// The first tag outside the core schema (`!!python/object/apply:…`,
/// `!ruby/object`, `!Ref`) as (1-based line, tag). Such tags ask a loader
/// to build application objects; we read plain values only, so the value
/// would silently mean something other than what was written. Quoted text,
/// comments and block scalars are skipped.
fn first_foreign_yaml_tag(content: &str) -> Option<(usize, &str)> {
    let mut block_indent: Option<usize> = None;
    for (index, line) in content.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(parent) = block_indent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_indent = None;
        }
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let mut escaped_quote = false;
        for (at, c) in line.char_indices() {
            if std::mem::take(&mut escaped_quote) {
                continue;
            }
            match (quote, c) {
                // `''` inside single quotes is one quote character.
                (Some('\''), '\'') if line.get(at + 1..).is_some_and(|r| r.starts_with('\'')) => {
                    escaped_quote = true;
                }
                (Some('"'), '\\') => escaped_quote = true,
                (Some(open), c) if c == open => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if matches!(previous, ' ' | '[' | '{' | ',' | ':') => {
                    quote = Some(c)
                }
                (None, '#') if previous == ' ' || at == 0 => break,
                (None, '!') if matches!(previous, ' ' | '[' | '{' | ',') => {
                    let rest = line.get(at..).unwrap_or_default();
                    let end = rest
                        .find(|c: char| {
                            c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}')
                        })
                        .unwrap_or(rest.len());
                    let tag = rest.get(..end).unwrap_or_default();
                    if !CORE_YAML_TAGS.contains(&tag) {
                        return Some((index + 1, tag));
                    }
                }
                _ => {}
            }
            previous = c;
        }
        let trimmed = line.trim_end();
        let opens_block = trimmed
            .rsplit([' ', ':'])
            .next()
            .is_some_and(|last| last.starts_with(['|', '>']) && last.len() <= 3);
        if opens_block && quote.is_none() {
            block_indent = Some(indent);
        }
    }
    None
}

/// The span of the first non-blank line of `content`.
fn first_content_line(content: &str, content_start: usize) -> Option<Span> {
    let line = content.lines().position(|line| !line.trim().is_empty())?;
    Some(line_span(content, content_start, line + 1))
}

/// The 1-based line of the first line of `content` indented with a tab
/// (YAML allows only spaces there, and the parser's own message names the
/// scalar it was reading rather than the tab).
fn first_tab_indented_line(content: &str) -> Option<usize> {
    content
        .lines()
        .position(|line| {
            line.chars()
                .take_while(|c| c.is_whitespace())
                .any(|c| c == '\t')
        })
        .map(|index| index + 1)
}

fn parse_yaml(content: &str, content_start: usize) -> Result<serde_json::Value, Box<Diagnostic>> {
    if let Some(line) = first_tab_indented_line(content) {
        return Err(Box::new(
            Diagnostic::error(
                "frontmatter/invalid",
                "front matter is not valid YAML: a line is indented with a tab",
            )
            .with_span(line_span(content, content_start, line))
            .with_label("tab here")
            .with_help("indent YAML with spaces only"),
        ));
    }
    if let Some((line, tag)) = first_foreign_yaml_tag(content) {
        return Err(Box::new(
            Diagnostic::error(
                "frontmatter/invalid",
                format!("front matter uses the YAML tag `{tag}`, which specsite does not read"),
            )
            .with_span(line_span(content, content_start, line))
            .with_label("tag here")
            .with_help("write a plain value (quote it if it starts with `!`); front matter holds strings, numbers, lists and mappings only"),
        ));
    }
    serde_saphyr::from_str_with_options::<serde_json::Value>(content, yaml_options()).map_err(
        |error| {
            let span = error
                .location()
                .map(|location| {
                    let line = usize::try_from(location.line()).unwrap_or(usize::MAX);
                    line_span(content, content_start, line)
                })
                .unwrap_or_else(|| Span::new(content_start, content_start + content.len()));
            let message = error.without_snippet().to_string();
            // The parser's " at line L, column C" counts from the block, not the
            // file; the span already says where, so drop it.
            let message = first_line(&message);
            let message = message
                .rfind(" at line ")
                .and_then(|cut| message.get(..cut))
                .unwrap_or(message);
            Box::new(
                Diagnostic::error(
                    "frontmatter/invalid",
                    format!("front matter is not valid YAML: {message}"),
                )
                .with_span(span)
                .with_label("YAML error here")
                .with_help(
                    "check indentation and quoting on this line; values containing `: ` or \
                 starting with `[`, `{`, `*`, `&` or `@` need quotes",
                ),
            )
        },
    )
}

/// Front matter is a few dozen keys; budgets far below the parser's defaults
/// stop an alias bomb ("billion laughs") in milliseconds, not seconds.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 100_000;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

fn parse_toml(content: &str, content_start: usize) -> Result<serde_json::Value, Box<Diagnostic>> {
    match toml::from_str::<toml::Table>(content) {
        Ok(table) => Ok(toml_table_to_json(table)),
        Err(error) => {
            let span = error
                .span()
                .map(|range| {
                    let line = content
                        .get(..range.start)
                        .map_or(1, |before| before.matches('\n').count() + 1);
                    line_span(content, content_start, line)
                })
                .unwrap_or_else(|| Span::new(content_start, content_start + content.len()));
            Err(Box::new(
                Diagnostic::error(
                    "frontmatter/invalid",
                    format!(
                        "front matter is not valid TOML: {}",
                        first_line(error.message())
                    ),
                )
                .with_span(span)
                .with_label("TOML error here")
                .with_help(
                    "TOML wants `key = value` with strings in quotes, e.g. `status = \"accepted\"`",
                ),
            ))
        }
    }
}

/// The span (line ending excluded) of 1-based `line` of `content`, shifted to
/// file offsets; the last line if `line` is past the end.
fn line_span(content: &str, content_start: usize, line: usize) -> Span {
    let mut last = Span::new(content_start, content_start);
    for (index, found) in Lines::new(content, 0).enumerate() {
        last = Span::new(found.start, found.start + found.content.len()).offset_by(content_start);
        if index + 1 >= line {
            break;
        }
    }
    last
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "nothing",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "a mapping",
    }
}

/// TOML values as JSON; datetimes become their TOML text (`1979-05-27`), as
/// YAML dates do, so extraction sees one shape.
fn toml_table_to_json(table: toml::Table) -> serde_json::Value {
    serde_json::Value::Object(
        table
            .into_iter()
            .map(|(key, value)| (key, toml_to_json(value)))
            .collect(),
    )
}

fn toml_to_json(value: toml::Value) -> serde_json::Value {
    match value {
        toml::Value::String(s) => serde_json::Value::String(s),
        toml::Value::Integer(i) => serde_json::Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or_else(
            || serde_json::Value::String(f.to_string()),
            serde_json::Value::Number,
        ),
        toml::Value::Boolean(b) => serde_json::Value::Bool(b),
        toml::Value::Datetime(datetime) => serde_json::Value::String(datetime.to_string()),
        toml::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(toml_to_json).collect())
        }
        toml::Value::Table(table) => toml_table_to_json(table),
    }
}

/// Spans of the lines that start a top-level key: unindented `key:` (YAML,
/// plain or quoted key) or `key =` (TOML, before the first `[table]`).
/// A scan rather than parser positions, because neither parser reports
/// positions through `serde_json::Value`, and top-level keys are simple.
fn top_level_key_spans(
    format: FrontMatterFormat,
    content: &str,
    content_start: usize,
) -> Vec<(String, Span)> {
    let mut spans = Vec::new();
    for line in Lines::new(content, 0) {
        let span = Span::new(line.start, line.start + line.content.len()).offset_by(content_start);
        let key = match format {
            FrontMatterFormat::Yaml => yaml_top_level_key(line.content),
            FrontMatterFormat::Toml => {
                if line.content.trim_start().starts_with('[') {
                    // Keys after a table header belong to that table.
                    break;
                }
                toml_top_level_key(line.content)
            }
        };
        if let Some(key) = key {
            if !spans.iter().any(|(seen, _): &(String, Span)| *seen == key) {
                spans.push((key, span));
            }
        }
    }
    spans
}

fn yaml_top_level_key(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '[' | '{' | '&' | '*' | '!' | '|' | '>')
    {
        return None;
    }
    if first == '"' || first == '\'' {
        let rest = line.get(1..)?;
        let close = rest.find(first)?;
        let after = rest.get(close + 1..)?.trim_start();
        return after
            .starts_with(':')
            .then(|| rest.get(..close).unwrap_or_default().to_string());
    }
    // `key:` ends at the first colon followed by a space or the line's end.
    let bytes = line.as_bytes();
    let colon = (0..bytes.len()).find(|&i| {
        bytes.get(i) == Some(&b':') && matches!(bytes.get(i + 1), None | Some(b' ' | b'\t'))
    })?;
    let key = line.get(..colon)?.trim_end();
    (!key.is_empty()).then(|| key.to_string())
}

fn toml_top_level_key(line: &str) -> Option<String> {
    let trimmed = line.trim_start();
    let first = trimmed.chars().next()?;
    if first == '#' {
        return None;
    }
    let (key_part, _) = trimmed.split_once('=')?;
    let key = key_part.trim();
    let quoted = key
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .or_else(|| key.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')));
    // A dotted key `a.b = 1` sets the top-level key `a`.
    let key = match quoted {
        Some(quoted) => quoted,
        None => key.split('.').next().unwrap_or(key).trim(),
    };
    (!key.is_empty()).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn yaml_block_is_parsed_and_body_starts_after_it() {
        let text = "---\ntitle: Hello\nstatus: accepted\ntags: [a, b]\n---\n# Body\n";
        let (front, body, diagnostics) = split(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let front = front.unwrap();
        assert_eq!(front.format, FrontMatterFormat::Yaml);
        assert_eq!(&text[body..], "# Body\n");
        assert_eq!(front.values["title"], json!("Hello"));
        assert_eq!(front.values["tags"], json!(["a", "b"]));
        assert_eq!(
            slice(text, front.span),
            "---\ntitle: Hello\nstatus: accepted\ntags: [a, b]\n---"
        );
        assert_eq!(
            slice(text, front.key_span("status").unwrap()),
            "status: accepted"
        );
        assert_eq!(
            slice(text, front.key_span("TITLE").unwrap()),
            "title: Hello"
        );
    }

    #[test]
    fn yaml_dates_come_through_as_strings() {
        let text = "---\ndate: 2024-01-05\nwhen: 2024-01-05T10:00:00Z\nn: 3\nok: true\n---\n";
        let (front, _, diagnostics) = split(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let front = front.unwrap();
        assert_eq!(front.values["date"], json!("2024-01-05"));
        assert_eq!(front.values["when"], json!("2024-01-05T10:00:00Z"));
        assert_eq!(front.values["n"], json!(3));
        assert_eq!(front.values["ok"], json!(true));
    }

    #[test]
    fn nested_keys_are_not_top_level_keys() {
        let text =
            "---\nauthors:\n  - name: A\n    mail: a@x\nreview:\n  by: B\n\"quoted key\": 1\n---\n";
        let (front, _, diagnostics) = split(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let keys: Vec<&str> = front
            .as_ref()
            .unwrap()
            .key_spans
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["authors", "review", "quoted key"]);
    }

    #[test]
    fn toml_block_is_parsed_with_dates_as_strings() {
        let text = "+++\ntitle = \"Hi\"\ndate = 2024-01-05\nweight = 2\n[extra]\nstatus = \"x\"\n+++\nbody";
        let (front, body, diagnostics) = split(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let front = front.unwrap();
        assert_eq!(front.format, FrontMatterFormat::Toml);
        assert_eq!(&text[body..], "body");
        assert_eq!(front.values["date"], json!("2024-01-05"));
        assert_eq!(front.values["weight"], json!(2));
        assert_eq!(front.values["extra"], json!({"status": "x"}));
        let keys: Vec<&str> = front.key_spans.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["title", "date", "weight"]);
        assert_eq!(
            slice(text, front.key_span("date").unwrap()),
            "date = 2024-01-05"
        );
    }

    #[test]
    fn byte_order_mark_and_crlf_are_accepted() {
        let text = "\u{FEFF}---\r\nstatus: draft\r\n---\r\nText\r\n";
        let (front, body, diagnostics) = split(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let front = front.unwrap();
        assert_eq!(front.values["status"], json!("draft"));
        assert_eq!(&text[body..], "Text\r\n");
        assert_eq!(
            slice(text, front.key_span("status").unwrap()),
            "status: draft"
        );
        assert_eq!(front.span.start, 3);
    }

    #[test]
    fn yaml_error_points_at_the_offending_line() {
        let text = "---\ntitle: ok\nstatus: [unclosed\nother: 1\n---\nbody\n";
        let (front, body, diagnostics) = split(text);
        assert!(front.is_none());
        assert_eq!(&text[body..], "body\n");
        assert_eq!(diagnostics.len(), 1);
        let diagnostic = &diagnostics[0];
        assert_eq!(diagnostic.code, "frontmatter/invalid");
        assert!(diagnostic.help.is_some());
        let span = diagnostic.location.as_ref().unwrap().span;
        // The parser notices the unclosed flow sequence on line 3 or 4 of
        // the block; either way the span is a whole line of the block.
        let line = slice(text, span);
        assert!(
            line == "status: [unclosed" || line == "other: 1",
            "{line:?}"
        );
    }

    #[test]
    fn yaml_error_on_a_bad_indent_names_that_line() {
        let text = "---\na: 1\nb: 2\n  c: 3\n---\n";
        let (_, _, diagnostics) = split(text);
        assert_eq!(diagnostics.len(), 1);
        let span = diagnostics[0].location.as_ref().unwrap().span;
        assert_eq!(slice(text, span), "  c: 3");
        // Block-relative positions would mislead; the span carries the place.
        assert!(
            !diagnostics[0].message.contains("line 3"),
            "{}",
            diagnostics[0].message
        );
    }

    #[test]
    fn toml_error_points_at_the_offending_line() {
        let text = "+++\ntitle = \"x\"\nstatus = accepted\n+++\n";
        let (front, _, diagnostics) = split(text);
        assert!(front.is_none());
        assert_eq!(diagnostics[0].code, "frontmatter/invalid");
        let span = diagnostics[0].location.as_ref().unwrap().span;
        assert_eq!(slice(text, span), "status = accepted");
    }

    #[test]
    fn foreign_yaml_tags_are_found_outside_quotes_comments_and_blocks() {
        assert_eq!(
            first_foreign_yaml_tag("title: !!python/object/apply:os.system [\"id\"]\n"),
            Some((1, "!!python/object/apply:os.system"))
        );
        assert_eq!(
            first_foreign_yaml_tag("a: [1, !Ref x]\n"),
            Some((1, "!Ref"))
        );
        assert_eq!(
            first_foreign_yaml_tag(
                "a: !!str 1\nb: \"x \\\" !y\"\nc: 'it''s !z' # !w\nd: |\n  hi !there\ne: ok!\n"
            ),
            None
        );
    }

    #[test]
    fn unterminated_block_is_reported_and_read_as_body() {
        let text = "---\ntitle: x\n\n# Heading\n";
        let (front, body, diagnostics) = split(text);
        assert!(front.is_none());
        assert_eq!(body, 0);
        assert_eq!(diagnostics[0].code, "frontmatter/unterminated");
        assert_eq!(
            slice(text, diagnostics[0].location.as_ref().unwrap().span),
            "---"
        );
    }

    #[test]
    fn a_non_mapping_block_is_an_error() {
        let text = "---\n- a\n- b\n---\n";
        let (front, body, diagnostics) = split(text);
        assert!(front.is_none());
        assert_eq!(body, text.len());
        assert_eq!(diagnostics[0].code, "frontmatter/not-a-mapping");
    }

    #[test]
    fn alias_bomb_is_cut_off_by_the_budget() {
        let mut text = String::from("---\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..9 {
            let previous = level - 1;
            let items = vec![format!("*a{previous}"); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        text.push_str("---\nbody\n");
        let (front, body, diagnostics) = split(&text);
        assert!(front.is_none());
        assert_eq!(&text[body..], "body\n");
        assert_eq!(diagnostics[0].code, "frontmatter/invalid");
    }

    #[test]
    fn markdown_between_two_rules_is_not_front_matter() {
        let text = "---\n# Title\n\nSome text.\n---\nMore.\n";
        let (front, body, diagnostics) = split(text);
        assert!(front.is_none() && diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(body, 0);
    }

    #[test]
    fn toml_dotted_keys_and_multiline_strings_give_real_top_level_keys() {
        let text = "+++\nsite.name = \"x\"\nnotes = \"\"\"\nfake = line\n\"\"\"\n+++\n";
        let (front, _, diagnostics) = split(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let front = front.unwrap();
        let keys: Vec<&str> = front.key_spans.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["site", "notes"]);
        assert_eq!(front.values["site"]["name"], json!("x"));
    }

    #[test]
    fn empty_block_is_an_empty_mapping() {
        let (front, body, diagnostics) = split("---\n---\nx");
        assert!(diagnostics.is_empty());
        assert!(front.unwrap().values.is_empty());
        assert_eq!(body, 8);
    }

    #[test]
    fn delimiters_only_count_at_the_very_start() {
        let (front, body, diagnostics) = split("\n---\na: 1\n---\n");
        assert!(front.is_none() && diagnostics.is_empty());
        assert_eq!(body, 0);
        let (front, _, _) = split("----\na: 1\n----\n");
        assert!(front.is_none());
        let (front, body, _) = split("");
        assert!(front.is_none());
        assert_eq!(body, 0);
    }
}
