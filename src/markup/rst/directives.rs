//! Directives: docutils' standard set and the Sphinx profile (SPHINX.md).
//!
//! A directive block is split the way docutils' `parse_directive_block`
//! does (arguments, `:option:` field list, content), options are checked
//! against a per-directive spec and converted like docutils' option
//! converters, and each directive builds its nodes. Errors in the block
//! become docutils' `Error in "name" directive` system messages. File
//! access (`include`, `literalinclude`, `:file:`) goes through
//! [`super::files`], which never leaves the repository root.

use super::block::{get_indented, join_lines, match_field_marker, trim_trailing_blank, Parser};
use super::ids::{fully_normalize_name, make_id, whitespace_normalize_name};
use super::lines::{span_of, Line};
use super::state::CustomRole;
use crate::markup::doc::{Kind, NodeId, Value};
use crate::source::Span;

/// How an option's value is checked and converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opt {
    Flag,
    Unchanged,
    UnchangedRequired,
    NonNegInt,
    Class,
    Name,
    Length,
    LengthOrPercent,
    Percentage,
    Align(&'static [&'static str]),
    Any,
}

pub struct Spec {
    pub required: usize,
    pub optional: usize,
    pub final_whitespace: bool,
    pub options: &'static [(&'static str, Opt)],
    pub content: bool,
    /// Accept any option (Sphinx stand-ins).
    pub any_option: bool,
}

const fn spec(
    required: usize,
    optional: usize,
    final_whitespace: bool,
    options: &'static [(&'static str, Opt)],
    content: bool,
) -> Spec {
    Spec {
        required,
        optional,
        final_whitespace,
        options,
        content,
        any_option: false,
    }
}

/// Nested `include`s deeper than this end in an error (docutils has no
/// limit but detects cycles; a limit also bounds the work of a long chain).
const MAX_INCLUDE_DEPTH: usize = 8;
const CLASS_NAME: &[(&str, Opt)] = &[("class", Opt::Class), ("name", Opt::Name)];
const IMAGE_ALIGN: &[&str] = &["top", "middle", "bottom", "left", "center", "right"];
const FIGURE_ALIGN: &[&str] = &["left", "center", "right"];
const IMAGE_OPTIONS: &[(&str, Opt)] = &[
    ("alt", Opt::Unchanged),
    ("height", Opt::Length),
    ("width", Opt::LengthOrPercent),
    ("scale", Opt::Percentage),
    ("align", Opt::Align(IMAGE_ALIGN)),
    ("target", Opt::UnchangedRequired),
    ("loading", Opt::Align(&["embed", "link", "lazy"])),
    ("class", Opt::Class),
    ("name", Opt::Name),
];
const FIGURE_OPTIONS: &[(&str, Opt)] = &[
    ("alt", Opt::Unchanged),
    ("height", Opt::Length),
    ("width", Opt::LengthOrPercent),
    ("scale", Opt::Percentage),
    ("align", Opt::Align(FIGURE_ALIGN)),
    ("target", Opt::UnchangedRequired),
    ("loading", Opt::Align(&["embed", "link", "lazy"])),
    ("class", Opt::Class),
    ("name", Opt::Name),
    ("figwidth", Opt::LengthOrPercent),
    ("figclass", Opt::Class),
];
const CODE_OPTIONS: &[(&str, Opt)] = &[
    ("class", Opt::Class),
    ("name", Opt::Name),
    ("number-lines", Opt::Unchanged),
];
const SPHINX_CODE_OPTIONS: &[(&str, Opt)] = &[
    ("class", Opt::Class),
    ("name", Opt::Name),
    ("linenos", Opt::Flag),
    ("number-lines", Opt::Unchanged),
    ("lineno-start", Opt::Unchanged),
    ("dedent", Opt::Unchanged),
    ("emphasize-lines", Opt::UnchangedRequired),
    ("caption", Opt::UnchangedRequired),
    ("force", Opt::Flag),
    ("trim", Opt::Flag),
];

/// Parsed directive block.
pub struct Block<'a> {
    pub name: String,
    pub arguments: Vec<String>,
    pub options: Vec<(String, String)>,
    pub content: Vec<Line<'a>>,
    pub block_text: String,
    pub span: Span,
    /// The substitution name when inside a substitution definition.
    pub substitution: Option<String>,
}

impl Block<'_> {
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn has(&self, name: &str) -> bool {
        self.opt(name).is_some()
    }
}

/// A directive failure: level and message (docutils' DirectiveError).
pub struct Failure(pub u8, pub String);

fn fail(message: impl Into<String>) -> Failure {
    Failure(3, message.into())
}

fn spec_for(name: &str, sphinx: bool) -> Option<Spec> {
    let s = match name {
        "attention" | "caution" | "danger" | "error" | "hint" | "important" | "note" | "tip"
        | "warning" => spec(0, 0, false, CLASS_NAME, true),
        "seealso" if sphinx => spec(0, 0, false, CLASS_NAME, true),
        "admonition" => spec(1, 0, true, CLASS_NAME, true),
        "image" => spec(1, 0, true, IMAGE_OPTIONS, false),
        "figure" => spec(1, 0, true, FIGURE_OPTIONS, true),
        "topic" => spec(1, 0, true, CLASS_NAME, true),
        "sidebar" => spec(
            0,
            1,
            true,
            &[
                ("subtitle", Opt::UnchangedRequired),
                ("class", Opt::Class),
                ("name", Opt::Name),
            ],
            true,
        ),
        "rubric" => spec(1, 0, true, CLASS_NAME, false),
        "epigraph" | "highlights" | "pull-quote" => spec(0, 0, false, &[], true),
        "compound" => spec(0, 0, false, CLASS_NAME, true),
        "container" => spec(0, 1, true, &[("name", Opt::Name)], true),
        "parsed-literal" => spec(0, 0, false, CLASS_NAME, true),
        "code" | "code-block" | "sourcecode" if sphinx => {
            spec(0, 1, false, SPHINX_CODE_OPTIONS, true)
        }
        "code" | "code-block" | "sourcecode" => spec(0, 1, false, CODE_OPTIONS, true),
        "math" => spec(0, 0, false, CLASS_NAME, true),
        "contents" => spec(
            0,
            1,
            true,
            &[
                ("depth", Opt::NonNegInt),
                ("local", Opt::Flag),
                ("backlinks", Opt::Align(&["top", "entry", "none"])),
                ("class", Opt::Class),
            ],
            false,
        ),
        "sectnum" | "section-numbering" => spec(
            0,
            0,
            false,
            &[
                ("depth", Opt::NonNegInt),
                ("start", Opt::NonNegInt),
                ("prefix", Opt::Unchanged),
                ("suffix", Opt::Unchanged),
            ],
            false,
        ),
        "header" | "footer" => spec(0, 0, false, &[], true),
        "line-block" => spec(
            0,
            0,
            false,
            &[("class", Opt::Class), ("name", Opt::Unchanged)],
            true,
        ),
        "target-notes" => spec(0, 0, false, &[("class", Opt::Class)], false),
        "meta" => spec(0, 0, false, &[], true),
        "replace" => spec(0, 0, false, &[], true),
        "unicode" => spec(
            1,
            0,
            true,
            &[
                ("trim", Opt::Flag),
                ("ltrim", Opt::Flag),
                ("rtrim", Opt::Flag),
            ],
            false,
        ),
        "date" => spec(0, 1, true, &[], false),
        "include" => spec(
            1,
            0,
            true,
            &[
                ("literal", Opt::Flag),
                ("code", Opt::Unchanged),
                ("encoding", Opt::Unchanged),
                ("parser", Opt::Unchanged),
                ("tab-width", Opt::Unchanged),
                ("start-line", Opt::Unchanged),
                ("end-line", Opt::Unchanged),
                ("start-after", Opt::UnchangedRequired),
                ("end-before", Opt::UnchangedRequired),
                ("number-lines", Opt::Unchanged),
                ("class", Opt::Class),
                ("name", Opt::Name),
            ],
            false,
        ),
        "raw" => spec(
            1,
            0,
            true,
            &[
                ("file", Opt::UnchangedRequired),
                ("url", Opt::UnchangedRequired),
                ("encoding", Opt::Unchanged),
                ("class", Opt::Class),
            ],
            true,
        ),
        "class" if !sphinx => spec(1, 0, true, &[], true),
        "rst-class" if sphinx => spec(1, 0, true, &[], true),
        "role" => spec(0, 0, false, &[], true),
        "default-role" => spec(0, 1, false, &[], false),
        "title" => spec(1, 0, true, &[], false),
        "table" => spec(
            0,
            1,
            true,
            &[
                ("class", Opt::Class),
                ("name", Opt::Name),
                ("align", Opt::Align(FIGURE_ALIGN)),
                ("width", Opt::LengthOrPercent),
                ("widths", Opt::Unchanged),
            ],
            true,
        ),
        "csv-table" => spec(
            0,
            1,
            true,
            &[
                ("header-rows", Opt::NonNegInt),
                ("stub-columns", Opt::NonNegInt),
                ("header", Opt::Unchanged),
                ("width", Opt::LengthOrPercent),
                ("widths", Opt::Unchanged),
                ("file", Opt::UnchangedRequired),
                ("url", Opt::UnchangedRequired),
                ("encoding", Opt::Unchanged),
                ("class", Opt::Class),
                ("name", Opt::Name),
                ("align", Opt::Align(FIGURE_ALIGN)),
                ("delim", Opt::UnchangedRequired),
                ("keepspace", Opt::Flag),
                ("quote", Opt::UnchangedRequired),
                ("escape", Opt::UnchangedRequired),
            ],
            true,
        ),
        "list-table" => spec(
            0,
            1,
            true,
            &[
                ("header-rows", Opt::NonNegInt),
                ("stub-columns", Opt::NonNegInt),
                ("width", Opt::LengthOrPercent),
                ("widths", Opt::Unchanged),
                ("class", Opt::Class),
                ("name", Opt::Name),
                ("align", Opt::Align(FIGURE_ALIGN)),
            ],
            true,
        ),
        _ if sphinx => return sphinx_spec(name),
        _ => return None,
    };
    Some(s)
}

fn any_spec(required: usize, optional: usize, content: bool) -> Spec {
    Spec {
        required,
        optional,
        final_whitespace: true,
        options: &[],
        content,
        any_option: true,
    }
}

const DIAGRAMS: &[&str] = &[
    "graphviz",
    "graph",
    "digraph",
    "seqdiag",
    "blockdiag",
    "nwdiag",
    "actdiag",
    "packetdiag",
    "rackdiag",
    "mermaid",
    "plantuml",
    "uml",
];

pub fn desc_domain(name: &str) -> Option<(&'static str, String)> {
    let py = [
        "function",
        "class",
        "method",
        "attribute",
        "data",
        "exception",
        "decorator",
        "decoratormethod",
        "classmethod",
        "staticmethod",
        "property",
        "type",
    ];
    let c = [
        "function",
        "member",
        "macro",
        "type",
        "var",
        "struct",
        "union",
        "enum",
        "enumerator",
        "alias",
    ];
    if let Some(rest) = name.strip_prefix("py:") {
        return py.contains(&rest).then(|| ("py", rest.to_string()));
    }
    if let Some(rest) = name.strip_prefix("c:") {
        return c.contains(&rest).then(|| ("c", rest.to_string()));
    }
    if let Some(rest) = name.strip_prefix("cpp:") {
        return (!rest.is_empty()).then(|| ("cpp", rest.to_string()));
    }
    if let Some(rest) = name.strip_prefix("js:") {
        return (!rest.is_empty()).then(|| ("js", rest.to_string()));
    }
    if let Some(rest) = name.strip_prefix("rst:") {
        return ["directive", "directive:option", "role"]
            .contains(&rest)
            .then(|| ("rst", rest.to_string()));
    }
    if py.contains(&name) {
        return Some(("py", name.to_string()));
    }
    if ["option", "envvar", "describe", "object", "confval"].contains(&name) {
        return Some(("std", name.to_string()));
    }
    None
}

pub fn is_diagram(name: &str) -> bool {
    DIAGRAMS.contains(&name)
}

/// Repository-configured generic directives (SPHINX.md "generic directives").
pub fn is_generic(name: &str, state: &super::state::ParserState) -> bool {
    state
        .options
        .generic_directives
        .iter()
        .any(|g| g.eq_ignore_ascii_case(name))
}

fn sphinx_spec(name: &str) -> Option<Spec> {
    Some(match name {
        "toctree" => any_spec(0, 0, true),
        "highlight" => any_spec(1, 0, false),
        "literalinclude" => any_spec(1, 0, false),
        "todo" => any_spec(0, 0, true),
        "versionadded" | "versionchanged" | "deprecated" | "versionremoved" => any_spec(1, 1, true),
        "only" => any_spec(1, 0, true),
        "centered" => any_spec(1, 0, false),
        "hlist" => any_spec(0, 0, true),
        "glossary" => any_spec(0, 0, true),
        "index" => any_spec(1, 0, true),
        "tabularcolumns" => any_spec(1, 0, false),
        "currentmodule" | "py:currentmodule" | "program" | "default-domain" | "sectionauthor"
        | "moduleauthor" | "codeauthor" | "todolist" => any_spec(0, 1, true),
        "module" | "py:module" => any_spec(1, 0, true),
        "productionlist" => any_spec(0, 1, true),
        _ if DIAGRAMS.contains(&name) => any_spec(0, 1, true),
        _ if desc_domain(name).is_some() => any_spec(1, 0, true),
        _ => return None,
    })
}

/// docutils' length units.
const UNITS: &[&str] = &[
    "em", "ex", "ch", "rem", "vw", "vh", "vmin", "vmax", "cm", "mm", "Q", "in", "pt", "pc", "px",
];

fn is_number(s: &str) -> bool {
    !s.is_empty()
        && s.parse::<f64>().is_ok()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E')
}

fn convert_length(value: &str, percent: bool) -> Result<String, String> {
    let compact: String = value.split_whitespace().collect();
    let split = compact
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(compact.len());
    let (number, unit) = compact.split_at(split);
    let ok_unit = unit.is_empty() || UNITS.contains(&unit) || (percent && unit == "%");
    if !is_number(number) || !ok_unit {
        return Err("not a positive number or measure of one of the following units".to_string());
    }
    Ok(format!("{number}{unit}"))
}

fn convert_option(kind: Opt, value: &str) -> Result<Option<String>, String> {
    let value_trim = value.trim();
    match kind {
        Opt::Flag => {
            if !value_trim.is_empty() {
                return Err(format!("no argument is allowed; \"{value_trim}\" supplied"));
            }
            Ok(Some(String::new()))
        }
        Opt::Unchanged | Opt::Any => Ok(Some(value.to_string())),
        Opt::UnchangedRequired => {
            if value_trim.is_empty() {
                return Err("argument required but none supplied".to_string());
            }
            Ok(Some(value.to_string()))
        }
        Opt::NonNegInt => match value_trim.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n.to_string())),
            Ok(_) => Err("negative value; must be positive or zero".to_string()),
            Err(_) => Err(format!("invalid literal for int(): '{value_trim}'")),
        },
        Opt::Percentage => {
            let number = value_trim.trim_end_matches('%').trim();
            match number.parse::<i64>() {
                Ok(n) if n >= 0 => Ok(Some(n.to_string())),
                Ok(_) => Err("negative value; must be positive or zero".to_string()),
                Err(_) => Err(format!("invalid literal for int(): '{number}'")),
            }
        }
        Opt::Class => {
            if value_trim.is_empty() {
                return Err("argument required but none supplied".to_string());
            }
            let mut classes = Vec::new();
            for word in value_trim.split_whitespace() {
                let id = make_id(word);
                if id.is_empty() {
                    return Err(format!("cannot make \"{word}\" into a class name"));
                }
                classes.push(id);
            }
            Ok(Some(classes.join(" ")))
        }
        Opt::Name => Ok(Some(fully_normalize_name(value))),
        Opt::Length => convert_length(value_trim, false).map(Some),
        Opt::LengthOrPercent => convert_length(value_trim, true).map(Some),
        Opt::Align(choices) => {
            let lowered = value_trim.to_lowercase();
            if choices.contains(&lowered.as_str()) {
                Ok(Some(lowered))
            } else if value_trim.is_empty() {
                Err("must supply an argument".to_string())
            } else {
                Err(format!("\"{value_trim}\" unknown"))
            }
        }
    }
}

/// Parse an option field list (docutils' `ExtensionOptions` state).
fn parse_options(lines: &[Line<'_>], spec: &Spec) -> Result<Vec<(String, String)>, String> {
    let mut raw: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.is_blank() {
            i += 1;
            continue;
        }
        let Some(end) = match_field_marker(line.text).filter(|_| !line.is_indented()) else {
            return Err("invalid option block".to_string());
        };
        let marker = line.text.get(..end).unwrap_or("").trim_end();
        let name = marker
            .get(1..marker.len().saturating_sub(1))
            .unwrap_or("")
            .to_string();
        let indented = get_indented(lines, i, false, true, None, Some(end), true);
        let mut body = indented.lines.clone();
        trim_trailing_blank(&mut body);
        if body.iter().any(|l| l.is_blank()) {
            return Err("invalid option data: extension option field body may contain\na single paragraph only".to_string());
        }
        if name.split_whitespace().count() != 1 {
            return Err(
                "invalid option data: extension option field name may not contain multiple words"
                    .to_string(),
            );
        }
        let text = body
            .iter()
            .map(|l| l.text.trim_start())
            .collect::<Vec<_>>()
            .join("\n");
        raw.push((name, text));
        i = indented.end.max(i + 1);
    }
    let mut options: Vec<(String, String)> = Vec::new();
    for (name, value) in raw {
        let kind = match spec.options.iter().find(|(n, _)| *n == name) {
            Some((_, kind)) => *kind,
            None if spec.any_option => Opt::Any,
            None => return Err(format!("unknown option: \"{name}\"")),
        };
        if options.iter().any(|(n, _)| *n == name) {
            return Err(format!("invalid option data: duplicate option \"{name}\""));
        }
        match convert_option(kind, &value) {
            Ok(Some(converted)) => options.push((name, converted)),
            Ok(None) => {}
            Err(message) => {
                return Err(format!(
                    "invalid option value: (option: \"{name}\"; value: '{value}')\n{message}."
                ))
            }
        }
    }
    Ok(options)
}

/// Arguments, options and content of a directive block.
type DirectiveParts<'a> = (Vec<String>, Vec<(String, String)>, Vec<Line<'a>>);

/// docutils `parse_directive_block`.
fn parse_directive_block<'a>(
    mut indented: Vec<Line<'a>>,
    spec: &Spec,
) -> Result<DirectiveParts<'a>, String> {
    if indented.first().is_some_and(|l| l.is_blank()) {
        indented.remove(0);
    }
    trim_trailing_blank(&mut indented);
    let has_args = spec.required > 0 || spec.optional > 0;
    let has_options = !spec.options.is_empty() || spec.any_option;
    let (mut arg_block, mut content, split_at): (Vec<Line<'a>>, Vec<Line<'a>>, usize);
    if !indented.is_empty() && (has_args || has_options) {
        let i = indented
            .iter()
            .position(|l| l.is_blank())
            .unwrap_or(indented.len());
        arg_block = indented[..i].to_vec();
        content = indented.get(i + 1..).unwrap_or(&[]).to_vec();
        split_at = i;
    } else {
        arg_block = Vec::new();
        content = indented.clone();
        split_at = 0;
    }
    let mut options = Vec::new();
    if has_options {
        if let Some(pos) = arg_block
            .iter()
            .position(|l| match_field_marker(l.text).is_some())
        {
            let opt_block = arg_block.split_off(pos);
            options = parse_options(&opt_block, spec)?;
        }
    }
    if !arg_block.is_empty() && !has_args {
        let mut joined = arg_block.clone();
        joined.extend_from_slice(indented.get(split_at..).unwrap_or(&[]));
        content = joined;
        arg_block.clear();
    }
    while content.first().is_some_and(|l| l.is_blank()) {
        content.remove(0);
    }
    let mut arguments = Vec::new();
    if has_args {
        let arg_text = join_lines(&arg_block);
        let words: Vec<&str> = arg_text.split_whitespace().collect();
        if words.len() < spec.required {
            return Err(format!(
                "{} argument(s) required, {} supplied",
                spec.required,
                words.len()
            ));
        }
        let max = spec.required + spec.optional;
        if words.len() > max {
            if spec.final_whitespace {
                // split(None, max - 1)
                let mut rest = arg_text.trim_start();
                for _ in 0..max.saturating_sub(1) {
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    arguments.push(rest[..end].to_string());
                    rest = rest[end..].trim_start();
                }
                arguments.push(rest.trim_end().to_string());
            } else {
                return Err(format!(
                    "maximum {} argument(s) allowed, {} supplied",
                    max,
                    words.len()
                ));
            }
        } else {
            arguments = words.iter().map(|w| w.to_string()).collect();
        }
    }
    if !content.is_empty() && !spec.content {
        return Err("no content permitted".to_string());
    }
    Ok((arguments, options, content))
}

impl Parser<'_> {
    /// Run the directive `name` starting at line `i`; returns the nodes to
    /// add to the parent, blank_finish and the next line index.
    #[allow(clippy::too_many_arguments)]
    pub fn directive(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        name: &str,
        marker_end: usize,
        match_titles: bool,
        substitution: Option<&str>,
    ) -> (Vec<NodeId>, bool, usize) {
        let line = lines[i];
        let lower = name.to_lowercase();
        let sphinx = self.state.options.sphinx;
        let generic = super::directives::is_generic(&lower, self.state);
        let spec = spec_for(&lower, sphinx).or_else(|| generic.then(|| any_spec(0, 1, true)));
        let Some(spec) = spec else {
            let indented = get_indented(lines, i, false, false, None, Some(0), true);
            let text = join_lines(&indented.lines);
            let span = Span::new(line.offset, span_of(&indented.lines, line.offset).end);
            let info = self.msg(1, "rst/unknown-directive", &format!("No directive entry for \"{name}\" in module \"docutils.parsers.rst.languages.en\".\nTrying \"{name}\" as canonical directive name."), span, None);
            let message = format!("Unknown directive type \"{name}\".");
            let error = self.msg(3, "rst/unknown-directive", &message, span, Some(&text));

            return (
                vec![info, error],
                indented.blank_finish,
                indented.end.max(i + 1),
            );
        };
        let indented = get_indented(lines, i, false, true, None, Some(marker_end), false);
        let end = indented.end.max(i + 1);
        let block_lines = &lines[i..end.min(lines.len())];
        let mut block_text_lines = block_lines.to_vec();
        trim_trailing_blank(&mut block_text_lines);
        let block_text = join_lines(&block_text_lines);
        let span = span_of(&block_text_lines, line.offset);
        let blank_finish = indented.blank_finish || lines.get(end).is_none_or(|l| l.is_blank());
        match parse_directive_block(indented.lines, &spec) {
            Err(detail) => {
                let message = format!("Error in \"{name}\" directive:\n{detail}.");
                let error = self.msg(3, "rst/directive-error", &message, span, Some(&block_text));
                (vec![error], blank_finish, end)
            }
            Ok((arguments, options, content)) => {
                let block = Block {
                    name: lower.clone(),
                    arguments,
                    options,
                    content,
                    block_text,
                    span,
                    substitution: substitution.map(str::to_string),
                };
                let result = self.run_directive(&block, parent, match_titles);
                let nodes = match result {
                    Ok(nodes) => nodes,
                    Err(Failure(level, message)) => {
                        let msg = self.msg(
                            level,
                            "rst/directive-error",
                            &message,
                            span,
                            Some(&block.block_text),
                        );
                        vec![msg]
                    }
                };
                (nodes, blank_finish, end)
            }
        }
    }

    fn require_content(&self, block: &Block<'_>) -> Result<(), Failure> {
        if block.content.is_empty() {
            return Err(fail(format!(
                "Content block expected for the \"{}\" directive; none found.",
                block.name
            )));
        }
        Ok(())
    }

    /// docutils `add_name`.
    fn add_name(&mut self, node: NodeId, block: &Block<'_>) {
        if let Some(name) = block.opt("name") {
            self.doc.attrs_mut(node).push("names", name);
            self.state.note_explicit_target(self.doc, node, None);
        }
    }

    fn add_classes(&mut self, node: NodeId, block: &Block<'_>, option: &str) {
        if let Some(classes) = block.opt(option) {
            for class in classes.split_whitespace() {
                self.doc.attrs_mut(node).push("classes", class);
            }
        }
    }

    fn run_directive(
        &mut self,
        block: &Block<'_>,
        parent: NodeId,
        match_titles: bool,
    ) -> Result<Vec<NodeId>, Failure> {
        let span = block.span;
        let sphinx = self.state.options.sphinx;
        let name = block.name.as_str();
        match name {
            "attention" | "caution" | "danger" | "error" | "hint" | "important" | "note"
            | "tip" | "warning" | "admonition" | "seealso" => {
                self.require_content(block)?;
                let kind = Kind::from_name(name).unwrap_or(Kind::Admonition);
                let node = self.doc.create(kind, span);
                self.add_classes(node, block, "class");
                self.add_name(node, block);
                if kind == Kind::Admonition {
                    let title_text = block.arguments.first().cloned().unwrap_or_default();
                    let title = self.doc.push(node, Kind::Title, span);
                    let messages = self.inline_text(title, &title_text, span.start);
                    self.append_all(node, messages);
                    if !block.has("class") {
                        self.doc
                            .attrs_mut(node)
                            .push("classes", format!("admonition-{}", make_id(&title_text)));
                    }
                }
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "topic" | "sidebar" => {
                let kind = if name == "topic" {
                    Kind::Topic
                } else {
                    Kind::Sidebar
                };
                let in_sidebar = self.doc.kind(parent) == Kind::Sidebar;
                if (kind == Kind::Sidebar && in_sidebar) || !(match_titles || in_sidebar) {
                    return Err(fail(format!(
                        "The \"{name}\" directive may not be used within {}.",
                        if self.doc.kind(parent) == Kind::Sidebar {
                            "a sidebar element"
                        } else {
                            "topics or body elements"
                        }
                    )));
                }
                self.require_content(block)?;
                let node = self.doc.create(kind, span);
                let title_text = block.arguments.first().cloned().unwrap_or_default();
                if !title_text.is_empty() || kind == Kind::Topic {
                    let title = self.doc.push(node, Kind::Title, span);
                    let messages = self.inline_text(title, &title_text, span.start);
                    self.append_all(node, messages);
                }
                if let Some(subtitle_text) = block.opt("subtitle") {
                    let subtitle = self.doc.push(node, Kind::Subtitle, span);
                    let messages = self.inline_text(subtitle, subtitle_text, span.start);
                    self.append_all(node, messages);
                }
                self.add_classes(node, block, "class");
                self.add_name(node, block);
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "rubric" => {
                let node = self.doc.create(Kind::Rubric, span);
                self.add_classes(node, block, "class");
                self.add_name(node, block);
                let text = block.arguments.first().cloned().unwrap_or_default();
                let messages = self.inline_text(node, &text, span.start);
                let mut out = vec![node];
                out.extend(messages);
                Ok(out)
            }
            "epigraph" | "highlights" | "pull-quote" => {
                self.require_content(block)?;
                let holder = self.doc.create(Kind::Container, span);
                self.block_quote_elements(block.content.clone(), holder);
                let children: Vec<NodeId> = self.doc.children(holder).to_vec();
                for &first in &children {
                    if self.doc.kind(first) == Kind::BlockQuote {
                        self.doc.attrs_mut(first).push("classes", name);
                    }
                }
                for &child in &children {
                    self.doc.detach(child);
                }
                Ok(children)
            }
            "compound" => {
                self.require_content(block)?;
                let node = self.doc.create(Kind::Compound, span);
                self.add_classes(node, block, "class");
                self.add_name(node, block);
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "container" => {
                self.require_content(block)?;
                let node = self.doc.create(Kind::Container, span);
                if let Some(arg) = block.arguments.first() {
                    for class in arg.split_whitespace() {
                        let id = make_id(class);
                        if id.is_empty() {
                            return Err(fail(format!("Invalid class attribute value for \"container\" directive: \"{arg}\".")));
                        }
                        self.doc.attrs_mut(node).push("classes", id);
                    }
                }
                self.add_name(node, block);
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "parsed-literal" => {
                self.require_content(block)?;
                let node = self.doc.create(Kind::LiteralBlock, span);
                self.doc.attrs_mut(node).set("xml:space", "preserve");
                self.add_classes(node, block, "class");
                self.add_name(node, block);
                let messages = self.inline(node, &block.content);
                let mut out = vec![node];
                out.extend(messages);
                Ok(out)
            }
            "code" | "code-block" | "sourcecode" => self.code_directive(block, sphinx),
            "math" => {
                self.require_content(block)?;
                let text = join_lines(&block.content);
                let mut out = Vec::new();
                for piece in text.split("\n\n") {
                    let piece = piece.trim_matches('\n');
                    if piece.trim().is_empty() {
                        continue;
                    }
                    let node = self.doc.create(Kind::MathBlock, span);
                    self.doc.attrs_mut(node).set("xml:space", "preserve");
                    self.add_classes(node, block, "class");
                    self.add_name(node, block);
                    self.doc.push_text(node, piece, span);
                    out.push(node);
                }
                Ok(out)
            }
            "image" => self.image(block, parent).map(|n| vec![n]),
            "figure" => self.figure(block),
            "contents" => {
                if !(match_titles || self.doc.kind(parent) == Kind::Sidebar) {
                    return Err(fail("The \"contents\" directive may not be used within topics or body elements."));
                }
                let topic = self.doc.create(Kind::Topic, span);
                self.doc.attrs_mut(topic).push("classes", "contents");
                self.add_classes(topic, block, "class");
                if block.has("local") {
                    self.doc.attrs_mut(topic).push("classes", "local");
                }
                let mut messages = Vec::new();
                let name = if let Some(text) = block.arguments.first() {
                    let title = self.doc.push(topic, Kind::Title, span);
                    messages = self.inline_text(title, text, span.start);
                    self.doc.text_content(title)
                } else if block.has("local") {
                    "Contents".to_string()
                } else {
                    let title = self.doc.push(topic, Kind::Title, span);
                    self.doc.push_text(title, "Contents", span);
                    "Contents".to_string()
                };
                let name = fully_normalize_name(&name);
                if !self.state.targets.nameids.contains_key(&name) {
                    self.doc.attrs_mut(topic).push("names", name);
                }
                self.state.note_implicit_target(self.doc, topic, None);
                let pending = self.doc.push(topic, Kind::Pending, span);
                self.doc.attrs_mut(pending).set("transform", "Contents");
                for (key, value) in &block.options {
                    if key != "class" {
                        self.doc
                            .attrs_mut(pending)
                            .set(format!("opt-{key}"), value.as_str());
                    }
                }
                let mut out = vec![topic];
                out.extend(messages);
                Ok(out)
            }
            "line-block" => {
                self.require_content(block)?;
                let node = self.doc.create(Kind::LineBlock, span);
                self.add_classes(node, block, "class");
                self.add_name(node, block);
                let mut out = vec![node];
                let mut items = Vec::new();
                let mut previous = 0;
                for (index, line) in block.content.iter().enumerate() {
                    let line_node = self.doc.push(node, Kind::Line, line.span());
                    let stripped = line.text.trim();
                    let start = line.text.len() - line.text.trim_start().len();
                    let messages = self.inline_text(line_node, stripped, line.offset + start);
                    out.extend(messages);
                    let indent = if stripped.is_empty() {
                        if index == 0 {
                            0
                        } else {
                            previous
                        }
                    } else {
                        start
                    };
                    previous = indent;
                    items.push((line_node, indent));
                }
                for &(item, _) in &items {
                    self.doc.detach(item);
                }
                self.nest_line_block_items(node, &items);
                Ok(out)
            }
            "sectnum" | "section-numbering" => {
                let pending = self.doc.create(Kind::Pending, span);
                self.doc.attrs_mut(pending).set("transform", "SectNum");
                for (key, value) in &block.options {
                    self.doc
                        .attrs_mut(pending)
                        .set(format!("opt-{key}"), value.as_str());
                }
                Ok(vec![pending])
            }
            "target-notes" => {
                let pending = self.doc.create(Kind::Pending, span);
                self.doc.attrs_mut(pending).set("transform", "TargetNotes");
                self.add_classes(pending, block, "class");
                self.add_name(pending, block);
                Ok(vec![pending])
            }
            "header" | "footer" => {
                self.require_content(block)?;
                let root = self.doc.root();
                let decoration = match self
                    .doc
                    .children(root)
                    .iter()
                    .find(|&&c| self.doc.kind(c) == Kind::Decoration)
                {
                    Some(&d) => d,
                    None => {
                        let d = self.doc.create(Kind::Decoration, span);
                        self.doc.insert(root, 0, d);
                        d
                    }
                };
                let kind = if name == "header" {
                    Kind::Header
                } else {
                    Kind::Footer
                };
                let existing = self
                    .doc
                    .children(decoration)
                    .iter()
                    .find(|&&c| self.doc.kind(c) == kind)
                    .copied();
                let node = match existing {
                    Some(node) => node,
                    None => {
                        let node = self.doc.create(kind, span);
                        if kind == Kind::Header {
                            self.doc.insert(decoration, 0, node);
                        } else {
                            self.doc.append(decoration, node);
                        }
                        node
                    }
                };
                self.parse_body(&block.content, node, false);
                Ok(vec![])
            }
            "meta" => self.meta(block),
            "replace" => {
                if block.substitution.is_none() {
                    return Err(fail(format!("Invalid context: the \"{name}\" directive can only be used within a substitution definition.")));
                }
                self.require_content(block)?;
                let holder = self.doc.create(Kind::Container, span);
                self.parse_body(&block.content, holder, false);
                let children: Vec<NodeId> = self.doc.children(holder).to_vec();
                let mut paragraph = None;
                let mut messages = Vec::new();
                for child in children {
                    match self.doc.kind(child) {
                        Kind::Paragraph if paragraph.is_none() => paragraph = Some(child),
                        Kind::SystemMessage => {
                            self.doc.attrs_mut(child).remove("backrefs");
                            messages.push(child);
                        }
                        _ => {
                            let msg = self.msg(3, "rst/directive-error", &format!("Error in \"{name}\" directive: may contain a single paragraph only."), span, None);
                            return Ok(vec![msg]);
                        }
                    }
                }
                for &m in &messages {
                    self.doc.detach(m);
                }
                if let Some(p) = paragraph {
                    let inner: Vec<NodeId> = self.doc.children(p).to_vec();
                    for &c in &inner {
                        self.doc.detach(c);
                    }
                    messages.extend(inner);
                }
                Ok(messages)
            }
            "unicode" => {
                if block.substitution.is_none() {
                    return Err(fail(format!("Invalid context: the \"{name}\" directive can only be used within a substitution definition.")));
                }
                let text = block.arguments.first().cloned().unwrap_or_default();
                let text = match comment_start(&text) {
                    Some(pos) => text[..pos].to_string(),
                    None => text,
                };
                let mut out = Vec::new();
                for code in text.split_whitespace() {
                    match unicode_code(code) {
                        Ok(s) => out.push(self.doc.create_text(s, span)),
                        Err(()) => {
                            return Err(fail(format!(
                                "Invalid character code: {code}\nValueError: code too large"
                            )));
                        }
                    }
                }
                if self.doc.kind(parent) == Kind::SubstitutionDefinition {
                    if block.has("trim") || block.has("ltrim") {
                        self.doc.attrs_mut(parent).set("ltrim", Value::Int(1));
                    }
                    if block.has("trim") || block.has("rtrim") {
                        self.doc.attrs_mut(parent).set("rtrim", Value::Int(1));
                    }
                }
                Ok(out)
            }
            "date" => {
                if block.substitution.is_none() {
                    return Err(fail(format!("Invalid context: the \"{name}\" directive can only be used within a substitution definition.")));
                }
                let format = block
                    .arguments
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "%Y-%m-%d".to_string());
                let now = jiff::Zoned::now();
                let text = jiff::fmt::strtime::format(&format, &now).unwrap_or(format);
                Ok(vec![self.doc.create_text(text, span)])
            }
            "raw" => self.raw(block),
            "include" => self.include(block, parent, match_titles),
            "class" | "rst-class" if !(sphinx && name == "class") => {
                let classes: Result<Vec<String>, Failure> = block.arguments.first().map_or(Ok(Vec::new()), |arg| {
                    arg.split_whitespace()
                        .map(|w| {
                            let id = make_id(w);
                            if id.is_empty() {
                                Err(fail(format!("Invalid class attribute value for \"{name}\" directive: \"{arg}\".")))
                            } else {
                                Ok(id)
                            }
                        })
                        .collect()
                });
                let classes = classes?;
                if !block.content.is_empty() {
                    let holder = self.doc.create(Kind::Container, span);
                    self.parse_body(&block.content, holder, false);
                    let children: Vec<NodeId> = self.doc.children(holder).to_vec();
                    for &child in &children {
                        self.doc.detach(child);
                        if self.doc.kind(child) != Kind::SystemMessage
                            && self.doc.kind(child) != Kind::Text
                        {
                            for class in &classes {
                                self.doc.attrs_mut(child).push("classes", class.as_str());
                            }
                        }
                    }
                    Ok(children)
                } else {
                    let pending = self.doc.create(Kind::Pending, span);
                    self.doc
                        .attrs_mut(pending)
                        .set("transform", "ClassAttribute");
                    self.doc.attrs_mut(pending).set("class", classes.join(" "));
                    Ok(vec![pending])
                }
            }
            "role" => self.role_directive(block),
            "default-role" => {
                match block.arguments.first() {
                    Some(role) => {
                        let lower = role.to_lowercase();
                        if !super::roles::role_exists(&lower, self.state) {
                            let msg = self.msg(
                                3,
                                "rst/unknown-role",
                                &format!("Unknown interpreted text role \"{role}\"."),
                                span,
                                Some(&block.block_text),
                            );
                            return Ok(vec![msg]);
                        }
                        self.state.default_role = Some(lower);
                    }
                    None => self.state.default_role = None,
                }
                Ok(vec![])
            }
            "title" => {
                let root = self.doc.root();
                let title = block.arguments.first().cloned().unwrap_or_default();
                self.doc.attrs_mut(root).set("title", title);
                Ok(vec![])
            }
            "table" | "csv-table" | "list-table" => self.table_directive(block),
            _ => self.sphinx_directive(block, parent, match_titles),
        }
    }

    fn code_directive(&mut self, block: &Block<'_>, sphinx: bool) -> Result<Vec<NodeId>, Failure> {
        self.require_content(block)?;
        let span = block.span;
        let mut text = join_lines(&block.content);
        let node = self.doc.create(Kind::LiteralBlock, span);
        self.doc.attrs_mut(node).set("xml:space", "preserve");
        if sphinx {
            if let Some(dedent) = block.opt("dedent") {
                text = dedent_text(&text, dedent.trim().parse::<usize>().ok());
            }
            let language = block
                .arguments
                .first()
                .cloned()
                .or_else(|| self.state.highlight_language.clone())
                .unwrap_or_else(|| "default".to_string());
            self.add_classes(node, block, "class");
            self.doc.attrs_mut(node).set("language", language);
            if block.has("linenos") || block.has("number-lines") || block.has("lineno-start") {
                self.doc.attrs_mut(node).set("linenos", Value::Bool(true));
            }
            self.doc.push_text(node, text, span);
            if let Some(caption) = block.opt("caption") {
                let container = self.doc.create(Kind::Container, span);
                self.doc
                    .attrs_mut(container)
                    .push("classes", "literal-block-wrapper");
                self.doc
                    .attrs_mut(container)
                    .set("literal_block", Value::Bool(true));
                let caption_node = self.doc.push(container, Kind::Caption, span);
                let messages = self.inline_text(caption_node, caption, span.start);
                self.doc.append(container, node);
                self.add_name(container, block);
                let mut out = vec![container];
                out.extend(messages);
                return Ok(out);
            }
            self.add_name(node, block);
            return Ok(vec![node]);
        }
        self.doc.attrs_mut(node).push("classes", "code");
        if let Some(language) = block.arguments.first() {
            self.doc.attrs_mut(node).push("classes", language.as_str());
        }
        self.add_classes(node, block, "class");
        self.add_name(node, block);
        let language = block.arguments.first().map(String::as_str).unwrap_or("");
        let chunks = super::codetokens::chunks_marked(&text, language);
        match block.opt("number-lines") {
            Some(start) => {
                let first: usize = start.trim().parse().unwrap_or(1);
                let line_count = text.split('\n').count();
                let last = first + line_count.saturating_sub(1);
                let width = last.to_string().len();
                let mut line_number = first;
                let mut at_line_start = true;
                for (chunk, token) in super::codetokens::split_at_newlines(&chunks) {
                    if at_line_start {
                        let number = self.doc.push(node, Kind::Inline, span);
                        self.doc.attrs_mut(number).push("classes", "ln");
                        self.doc
                            .push_text(number, format!("{line_number:>width$} "), span);
                        line_number += 1;
                    }
                    at_line_start = chunk.ends_with('\n');
                    self.push_code_run(node, chunk, token, span);
                }
            }
            None => {
                if chunks.len() == 1 {
                    self.doc.push_text(node, text, span);
                } else {
                    for (chunk, token) in chunks {
                        self.push_code_run(node, chunk, token, span);
                    }
                }
            }
        }
        Ok(vec![node])
    }

    /// A code run: whitespace stays plain text, anything else is an
    /// `<inline>` token as docutils' Pygments output has.
    fn push_code_run(&mut self, node: NodeId, run: String, token: bool, span: Span) {
        if !token || run.trim().is_empty() {
            self.doc.push_text(node, run, span);
        } else {
            let token = self.doc.push(node, Kind::Inline, span);
            self.doc.push_text(token, run, span);
        }
    }

    fn image_node(&mut self, block: &Block<'_>) -> Result<NodeId, Failure> {
        let span = block.span;
        let uri_text = block.arguments.first().cloned().unwrap_or_default();
        let reference: String = uri_text.split_whitespace().collect();
        let node = self.doc.create(Kind::Image, span);
        if let Some(align) = block.opt("align") {
            self.doc.attrs_mut(node).set("align", align);
        }
        self.doc.attrs_mut(node).set("uri", reference.clone());
        for key in ["alt", "height", "width", "scale", "loading"] {
            if let Some(value) = block.opt(key) {
                self.doc.attrs_mut(node).set(key, value);
            }
        }
        if block.opt("alt").is_none() {
            if let Some(sub) = &block.substitution {
                self.doc.attrs_mut(node).set("alt", sub.as_str());
            }
        }
        self.add_classes(node, block, "class");
        self.add_name(node, block);
        Ok(node)
    }

    fn image(&mut self, block: &Block<'_>, parent: NodeId) -> Result<NodeId, Failure> {
        if let Some(align) = block.opt("align") {
            let in_sub = block.substitution.is_some()
                || self.doc.kind(parent) == Kind::SubstitutionDefinition;
            if in_sub && !["top", "middle", "bottom"].contains(&align) {
                return Err(fail(format!("Error in \"image\" directive: \"{align}\" is not a valid value for the \"align\" option within a substitution definition.  Valid values for \"align\" are: \"top\", \"middle\", \"bottom\".")));
            }
            if !in_sub && !["left", "center", "right"].contains(&align) {
                return Err(fail(format!("Error in \"image\" directive: \"{align}\" is not a valid value for the \"align\" option.  Valid values for \"align\" are: \"left\", \"center\", \"right\".")));
            }
        }
        let image = self.image_node(block)?;
        if let Some(target) = block.opt("target") {
            let span = block.span;
            let reference = self.doc.create(Kind::Reference, span);
            let target_text = target.trim();
            let is_ref = target_text.ends_with('_') && !target_text.contains(' ')
                || (target_text.starts_with('`') && target_text.ends_with("`_"));
            if is_ref {
                let name = target_text.trim_end_matches('_').trim_matches('`');
                self.doc
                    .attrs_mut(reference)
                    .set("name", whitespace_normalize_name(name));
                self.doc
                    .attrs_mut(reference)
                    .set("refname", fully_normalize_name(name));
            } else {
                let uri: String = target_text.split_whitespace().collect();
                self.doc.attrs_mut(reference).set("refuri", uri);
            }
            self.doc.append(reference, image);
            return Ok(reference);
        }
        Ok(image)
    }

    fn figure(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        let span = block.span;
        let mut image_block_options = block.options.clone();
        image_block_options
            .retain(|(k, _)| !matches!(k.as_str(), "figwidth" | "figclass" | "align"));
        let image_block = Block {
            name: "image".into(),
            arguments: block.arguments.clone(),
            options: image_block_options,
            content: Vec::new(),
            block_text: block.block_text.clone(),
            span,
            substitution: None,
        };
        let image = self.image(&image_block, self.doc.root())?;
        let figure = self.doc.create(Kind::Figure, span);
        self.doc.append(figure, image);
        if let Some(width) = block.opt("figwidth") {
            if width != "image" {
                self.doc.attrs_mut(figure).set("width", width);
            }
        }
        self.add_classes(figure, block, "figclass");
        if let Some(align) = block.opt("align") {
            self.doc.attrs_mut(figure).set("align", align);
        }
        if !block.content.is_empty() {
            let holder = self.doc.create(Kind::Container, span);
            self.parse_body(&block.content, holder, false);
            let children: Vec<NodeId> = self.doc.children(holder).to_vec();
            let mut iter = children.into_iter().peekable();
            while let Some(&leading) = iter.peek() {
                if matches!(self.doc.kind(leading), Kind::Pending | Kind::Target) {
                    self.doc.append(figure, leading);
                    iter.next();
                } else {
                    break;
                }
            }
            if let Some(first) = iter.next() {
                match self.doc.kind(first) {
                    Kind::Paragraph => {
                        let caption = self.doc.push(figure, Kind::Caption, self.doc.span(first));
                        let inner: Vec<NodeId> = self.doc.children(first).to_vec();
                        for c in inner {
                            self.doc.append(caption, c);
                        }
                    }
                    Kind::Comment if self.doc.children(first).is_empty() => {}
                    _ => {
                        let msg = self.msg(
                            3,
                            "rst/figure-caption",
                            "Figure caption must be a paragraph or empty comment.",
                            span,
                            Some(&block.block_text),
                        );
                        return Ok(vec![figure, msg]);
                    }
                }
                let rest: Vec<NodeId> = iter.collect();
                if !rest.is_empty() {
                    let legend = self.doc.push(figure, Kind::Legend, span);
                    for c in rest {
                        self.doc.append(legend, c);
                    }
                }
            }
        }
        Ok(vec![figure])
    }

    fn meta(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        self.require_content(block)?;
        let span = block.span;
        let holder = self.doc.create(Kind::Container, span);
        let mut out = Vec::new();
        let lines = &block.content;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if line.is_blank() {
                i += 1;
                continue;
            }
            let Some(end) = match_field_marker(line.text).filter(|_| !line.is_indented()) else {
                let msg = self.msg(
                    3,
                    "rst/meta",
                    "Invalid meta directive.",
                    span,
                    Some(&block.block_text),
                );
                out.push(msg);
                return Ok(out);
            };
            let marker = line.text.get(..end).unwrap_or("").trim_end();
            let name_text = marker.get(1..marker.len().saturating_sub(1)).unwrap_or("");
            let indented = get_indented(lines, i, false, true, None, Some(end), true);
            let content = indented
                .lines
                .iter()
                .map(|l| l.text.trim())
                .collect::<Vec<_>>()
                .join(" ");
            let content = content.trim().to_string();
            i = indented.end.max(i + 1);
            if content.is_empty() {
                let msg = self.msg(
                    1,
                    "rst/meta",
                    &format!("No content for meta tag \"{name_text}\"."),
                    span,
                    Some(line.text),
                );
                out.push(msg);
                continue;
            }
            let node = self.doc.create(Kind::Meta, span);
            self.doc
                .attrs_mut(node)
                .set("content", unescape_meta(&content));
            let mut parts = split_unescaped_whitespace(name_text).into_iter();
            let first = parts.next().unwrap_or_default();
            let mut bad = None;
            match first.split_once('=') {
                Some((attr, value)) if !attr.is_empty() => {
                    self.doc
                        .attrs_mut(node)
                        .set(attr.to_lowercase(), unescape_meta(value));
                }
                _ => {
                    self.doc.attrs_mut(node).set("name", unescape_meta(&first));
                }
            }
            for part in parts {
                match part.split_once('=') {
                    Some((attr, value)) => self
                        .doc
                        .attrs_mut(node)
                        .set(attr.to_lowercase(), unescape_meta(value)),
                    None => {
                        bad = Some(part);
                        break;
                    }
                }
            }
            if let Some(part) = bad {
                let msg = self.msg(
                    3,
                    "rst/meta",
                    &format!("Error parsing meta tag attribute \"{part}\": missing \"=\"."),
                    span,
                    Some(line.text),
                );
                out.push(msg);
                continue;
            }
            out.push(node);
        }
        let _ = holder;
        let root = self.doc.root();
        let index = self
            .doc
            .children(root)
            .iter()
            .position(|&c| {
                !matches!(
                    self.doc.kind(c),
                    Kind::Title | Kind::Subtitle | Kind::Rubric | Kind::Meta
                )
            })
            .unwrap_or(0);
        for (k, node) in out.into_iter().enumerate() {
            self.doc.insert(root, index + k, node);
        }
        Ok(Vec::new())
    }

    fn raw(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        let span = block.span;
        if block.has("url") {
            return Err(fail("The \"url\" option of the \"raw\" directive is not supported: specsite never fetches URLs."));
        }
        let format = block
            .arguments
            .first()
            .map(|a| {
                a.to_lowercase()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let text = if let Some(path) = block.opt("file") {
            if !block.content.is_empty() {
                return Err(fail(
                    "\"raw\" directive may not both specify an external file and have content.",
                ));
            }
            match super::files::read(self.state, path) {
                Ok(text) => text,
                Err(message) => return Err(Failure(4, message)),
            }
        } else {
            if block.content.is_empty() {
                return Err(fail(
                    "Content block expected for the \"raw\" directive; none found.",
                ));
            }
            join_lines(&block.content)
        };
        let node = self.doc.create(Kind::Raw, span);
        self.doc.attrs_mut(node).set("format", format);
        self.doc.attrs_mut(node).set("xml:space", "preserve");
        self.add_classes(node, block, "class");
        self.doc.push_text(node, text, span);
        Ok(vec![node])
    }

    fn include(
        &mut self,
        block: &Block<'_>,
        parent: NodeId,
        match_titles: bool,
    ) -> Result<Vec<NodeId>, Failure> {
        let path = block.arguments.first().cloned().unwrap_or_default();
        if self.include_stack.len() >= MAX_INCLUDE_DEPTH {
            return Err(Failure(
                4,
                format!("Include depth limit reached ({MAX_INCLUDE_DEPTH} nested includes); is an include recursive?"),
            ));
        }
        let including = self.include_stack.last().cloned();
        let (text, resolved) =
            match super::files::read_from(self.state, &path, including.as_deref()) {
                Ok(read) => read,
                Err(message) => {
                    return Err(Failure(
                        4,
                        format!("Problems with \"include\" directive path:\n{message}"),
                    ))
                }
            };
        let circular = self.include_stack.contains(&resolved)
            || super::files::current_file(self.state).as_ref() == Some(&resolved);
        if circular {
            return Err(Failure(
                4,
                format!("circular inclusion in \"include\" directive: \"{path}\" is already being included"),
            ));
        }
        let text = select_included(&text, block)?;
        let span = block.span;
        if block.has("literal") || block.has("code") {
            let node = self.doc.create(Kind::LiteralBlock, span);
            self.doc.attrs_mut(node).set("xml:space", "preserve");
            if let Some(language) = block.opt("code") {
                self.doc.attrs_mut(node).push("classes", "code");
                if !language.trim().is_empty() {
                    self.doc.attrs_mut(node).push("classes", language.trim());
                }
            }
            self.doc.push_text(node, text, span);
            return Ok(vec![node]);
        }
        let store = super::lines::split(&text);
        let lines: Vec<Line<'_>> = store
            .iter()
            .map(|(t, _)| Line::new(t.as_ref(), span.start))
            .collect();
        self.include_stack.push(resolved);
        self.parse_body(&lines, parent, match_titles);
        self.include_stack.pop();
        Ok(vec![])
    }

    fn role_directive(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        let span = block.span;
        let on_first_line = block.content.first().is_some_and(|first| {
            self.state
                .source
                .get(span.start.min(first.offset)..first.offset)
                .is_some_and(|between| !between.contains('\n'))
        });
        if !on_first_line {
            return Err(fail(
                "\"role\" directive requires arguments on the first line.",
            ));
        }
        let args = block.content[0].text.trim();
        let Some((new_name, base)) = parse_role_argument(args) else {
            return Err(fail(format!(
                "\"role\" directive arguments not valid role names: \"{args}\"."
            )));
        };
        let base_lower = base.to_lowercase();
        if !base_lower.is_empty() && !super::roles::role_exists(&base_lower, self.state) {
            let msg = self.msg(
                3,
                "rst/unknown-role",
                &format!("Unknown interpreted text role \"{base}\"."),
                span,
                Some(&block.block_text),
            );
            return Ok(vec![msg]);
        }
        let option_spec: &'static [(&'static str, Opt)] = match base_lower.as_str() {
            "code" => &[("class", Opt::Class), ("language", Opt::Unchanged)],
            "raw" => &[("class", Opt::Class), ("format", Opt::Unchanged)],
            _ => &[("class", Opt::Class)],
        };
        let spec = Spec {
            required: 0,
            optional: 0,
            final_whitespace: false,
            options: option_spec,
            content: true,
            any_option: false,
        };
        let rest: Vec<Line<'_>> = block.content[1..].to_vec();
        let (_, options, _) = match parse_directive_block(rest, &spec) {
            Ok(parsed) => parsed,
            Err(detail) => {
                return Err(fail(format!("Error in \"role\" directive:\n{detail}.")));
            }
        };
        let mut role = CustomRole {
            base: base_lower,
            ..Default::default()
        };
        let mut has_class = false;
        for (key, value) in options {
            if key == "class" {
                has_class = true;
                role.classes = value.split_whitespace().map(str::to_string).collect();
            } else {
                role.options.push((key, value));
            }
        }
        if !has_class {
            let id = make_id(&new_name);
            if id.is_empty() {
                return Err(fail(format!(
                    "Invalid argument for \"role\" directive:\ncannot make \"{new_name}\" into a class name."
                )));
            }
            role.classes = vec![id];
        }
        self.state
            .custom_roles
            .insert(new_name.to_lowercase(), role);
        Ok(vec![])
    }
}

/// `(simplename)\s*(\(\s*(simplename)\s*\)\s*)?$` → (name, base).
fn parse_role_argument(args: &str) -> Option<(String, String)> {
    let name_len = super::explicit::simplename_len(args);
    if name_len == 0 {
        return None;
    }
    let name = args[..name_len].to_string();
    let rest = args[name_len..].trim_start();
    if rest.is_empty() {
        return Some((name, String::new()));
    }
    let inner = rest.strip_prefix('(')?.trim_end().strip_suffix(')')?.trim();
    let base_len = super::explicit::simplename_len(inner);
    if base_len == 0 || base_len != inner.len() {
        return None;
    }
    Some((name, inner.to_string()))
}

pub fn unicode_code(code: &str) -> Result<String, ()> {
    if !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()) {
        let value: u32 = code.parse().map_err(|_| ())?;
        return char::from_u32(value).map(|c| c.to_string()).ok_or(());
    }
    let lower = code.to_lowercase();
    let hex = ["0x", "\\x", "x", "u+", "\\u", "u"]
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .or_else(|| lower.strip_prefix("&#x").and_then(|s| s.strip_suffix(';')));
    match hex {
        Some(hex) if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
            let value = u32::from_str_radix(hex, 16).map_err(|_| ())?;
            char::from_u32(value).map(|c| c.to_string()).ok_or(())
        }
        _ => Ok(code.to_string()),
    }
}

/// `( |\n|^)\.\. `: where a comment starts in a `unicode` argument.
fn comment_start(text: &str) -> Option<usize> {
    if text.starts_with(".. ") {
        return Some(0);
    }
    text.find(" .. ").or_else(|| text.find("\n.. "))
}

fn unescape_meta(text: &str) -> String {
    super::explicit::unescape(&super::explicit::escape2null(text))
}

fn split_unescaped_whitespace(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                current.push('\\');
                current.push(n);
            }
        } else if c.is_whitespace() {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// docutils `include` options `start-line`, `end-line`, `start-after`, `end-before`.
fn select_included(text: &str, block: &Block<'_>) -> Result<String, Failure> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let parse_index = |name: &str| -> Result<Option<i64>, Failure> {
        match block.opt(name) {
            None => Ok(None),
            Some(v) => v.trim().parse::<i64>().map(Some).map_err(|_| {
                fail(format!("Error in \"include\" directive:\ninvalid option value: (option: \"{name}\"; value: '{v}')."))
            }),
        }
    };
    let len = lines.len() as i64;
    let clamp = |i: i64| -> usize { (if i < 0 { (len + i).max(0) } else { i.min(len) }) as usize };
    let start = parse_index("start-line")?.map_or(0, clamp);
    let end = parse_index("end-line")?.map_or(lines.len(), clamp);
    let mut selected: String = lines.get(start..end.max(start)).unwrap_or(&[]).concat();
    if let Some(after) = block.opt("start-after") {
        match selected.find(after) {
            Some(pos) => selected = selected[pos + after.len()..].to_string(),
            None => return Err(Failure(
                4,
                "Problem with \"start-after\" option of \"include\" directive:\nText not found."
                    .to_string(),
            )),
        }
    }
    if let Some(before) = block.opt("end-before") {
        match selected.find(before) {
            Some(pos) => selected.truncate(pos),
            None => {
                return Err(Failure(
                    4,
                    "Problem with \"end-before\" option of \"include\" directive:\nText not found."
                        .to_string(),
                ))
            }
        }
    }
    Ok(selected)
}

/// Sphinx `:dedent:`: remove `n` columns, or the common indentation.
pub fn dedent_text(text: &str, n: Option<usize>) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let common = n.unwrap_or_else(|| {
        lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start_matches(' ').len())
            .min()
            .unwrap_or(0)
    });
    lines
        .iter()
        .map(|l| {
            let strip = l.bytes().take(common).take_while(|&b| b == b' ').count();
            &l[strip..]
        })
        .collect::<Vec<_>>()
        .join("\n")
}
