//! The block parser: docutils' `states.py` state machine, line by line.
//!
//! docutils recognises body constructs by trying a fixed list of line
//! patterns (bullet, enumerator, field marker, option marker, doctest, line
//! block, tables, explicit markup, anonymous target, punctuation line, text)
//! on the first line of each construct, then gathers the construct's lines by
//! indentation and parses nested blocks recursively. We follow the same
//! order and the same rules (including the odd ones, because the conformance
//! vectors check them), but as plain functions over line slices: each
//! construct function takes the lines and the index of its first line and
//! returns the index after it. Recursion depth is bounded by [`MAX_DEPTH`];
//! deeper content is kept as a literal block with a diagnostic, so hostile
//! nesting cannot overflow the stack. Sections are only recognised where
//! docutils allows them (document level), and are kept on an explicit stack.

use super::lines::{span_of, Line};
use super::state::{InlineInput, ParserState};
use crate::markup::doc::{Document, Kind, NodeId, Value};
use crate::source::Span;

/// Deepest nesting of body elements we parse.
pub const MAX_DEPTH: usize = 64;

pub struct Parser<'d> {
    pub doc: &'d mut Document,
    pub state: &'d mut ParserState,
    depth: usize,
    title_styles: Vec<(Option<char>, char)>,
    section_stack: Vec<NodeId>,
    /// Canonical paths of the files being included, outermost first: a
    /// nested include resolves against the last, and one already on the
    /// stack is circular.
    pub include_stack: Vec<std::path::PathBuf>,
}

/// An indented block as docutils' `get_indented` returns it.
pub struct Indented<'a> {
    pub lines: Vec<Line<'a>>,
    pub blank_finish: bool,
    /// Index (in the input) of the first line after the block.
    pub end: usize,
}

/// docutils `StringList.get_indented` plus the state machine's trimming of
/// leading blank lines. `first_strip` removes that many bytes from the first
/// line (the marker), `block_indent` requires that indentation of the others.
pub fn get_indented<'a>(
    lines: &[Line<'a>],
    start: usize,
    until_blank: bool,
    strip_indent: bool,
    block_indent: Option<usize>,
    first_strip: Option<usize>,
    strip_top: bool,
) -> Indented<'a> {
    let mut indent = block_indent;
    let mut end = start;
    if first_strip.is_some() {
        end += 1;
    }
    let mut blank_finish = true;
    while end < lines.len() {
        let line = lines[end];
        let blank = line.is_blank();
        let insufficient = block_indent.is_some_and(|bi| !blank && line.indent() < bi);
        if !line.text.is_empty() && (!line.is_indented() || insufficient) {
            blank_finish = end > start && lines[end - 1].is_blank();
            break;
        }
        if blank {
            if until_blank {
                blank_finish = true;
                break;
            }
        } else if block_indent.is_none() {
            let line_indent = line.indent();
            indent = Some(indent.map_or(line_indent, |i| i.min(line_indent)));
        }
        end += 1;
    }
    let end = end.min(lines.len());
    let mut block: Vec<Line<'a>> = lines.get(start..end).unwrap_or(&[]).to_vec();
    if let (Some(strip), Some(first)) = (first_strip, block.first_mut()) {
        *first = first.skip_bytes(strip);
    }
    let indent = indent.unwrap_or(0);
    if indent > 0 && strip_indent {
        let skip = usize::from(first_strip.is_some());
        for line in block.iter_mut().skip(skip) {
            *line = line.strip_cols(indent);
        }
    }
    let end = if block.is_empty() { start } else { end };
    if strip_top {
        let leading = block.iter().take_while(|l| l.is_blank()).count();
        block.drain(..leading);
    }
    Indented {
        lines: block,
        blank_finish,
        end,
    }
}

/// docutils `get_text_block`: lines up to the next blank one. With
/// `flush_left`, an indented line ends the block early (`Err(index)`).
pub fn text_block_end(lines: &[Line<'_>], start: usize, flush_left: bool) -> Result<usize, usize> {
    let mut end = start;
    while end < lines.len() {
        let line = lines[end];
        if line.is_blank() {
            break;
        }
        if flush_left && line.is_indented() {
            return Err(end);
        }
        end += 1;
    }
    Ok(end)
}

pub fn trim_trailing_blank(lines: &mut Vec<Line<'_>>) {
    while lines.last().is_some_and(|l| l.is_blank()) {
        lines.pop();
    }
}

pub fn join_lines(lines: &[Line<'_>]) -> String {
    let mut out = String::with_capacity(lines.iter().map(|l| l.text.len() + 1).sum());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.text);
    }
    out
}

pub fn inline_input(lines: &[Line<'_>]) -> InlineInput {
    let mut input = InlineInput::default();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            input.text.push('\n');
        }
        input.map.push((input.text.len(), line.offset));
        input.text.push_str(line.text);
    }
    input
}

/// ASCII punctuation: docutils' `nonalphanum7bit`.
pub fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// docutils' `line` pattern: one punctuation character repeated (trailing spaces allowed).
pub fn is_line_pattern(text: &str) -> bool {
    let trimmed = text.trim_end_matches(' ');
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) if is_punct(first) => chars.all(|c| c == first),
        _ => false,
    }
}

/// East Asian wide characters count two columns, as docutils' `column_width`.
pub fn column_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            let cp = c as u32;
            if (0x1100..=0x115F).contains(&cp)
                || (0x2E80..=0xA4CF).contains(&cp)
                || (0xAC00..=0xD7A3).contains(&cp)
                || (0xF900..=0xFAFF).contains(&cp)
                || (0xFE30..=0xFE4F).contains(&cp)
                || (0xFF00..=0xFF60).contains(&cp)
                || (0xFFE0..=0xFFE6).contains(&cp)
                || (0x20000..=0x3FFFD).contains(&cp)
            {
                2
            } else if (0x300..=0x36F).contains(&cp) {
                0
            } else {
                1
            }
        })
        .sum()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnumFormat {
    Parens,
    Rparen,
    Period,
}

impl EnumFormat {
    fn prefix(self) -> &'static str {
        match self {
            EnumFormat::Parens => "(",
            _ => "",
        }
    }
    fn suffix(self) -> &'static str {
        match self {
            EnumFormat::Period => ".",
            _ => ")",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct EnumMatch<'a> {
    pub format: EnumFormat,
    pub text: &'a str,
    /// Byte offset after the enumerator and its following spaces.
    pub end: usize,
}

/// Candidate enumerator texts at the start of `s`, in regex alternation order.
fn enum_candidates(s: &str) -> [usize; 6] {
    let b = s.as_bytes();
    let run = |f: &dyn Fn(u8) -> bool| b.iter().take_while(|&&c| f(c)).count();
    let digits = run(&|c| c.is_ascii_digit());
    let lower = usize::from(b.first().is_some_and(|c| c.is_ascii_lowercase()));
    let upper = usize::from(b.first().is_some_and(|c| c.is_ascii_uppercase()));
    let lroman = run(&|c| b"ivxlcdm".contains(&c));
    let uroman = run(&|c| b"IVXLCDM".contains(&c));
    let hash = usize::from(b.first() == Some(&b'#'));
    [digits, lower, upper, lroman, uroman, hash]
}

pub fn is_spaces_or_end(s: &str, at: usize) -> Option<usize> {
    let rest = s.get(at..)?;
    if rest.is_empty() {
        return Some(at);
    }
    let spaces = rest.bytes().take_while(|&b| b == b' ').count();
    if spaces == 0 {
        None
    } else {
        Some(at + spaces)
    }
}

pub fn match_enumerator(t: &str) -> Option<EnumMatch<'_>> {
    // parens
    if let Some(rest) = t.strip_prefix('(') {
        for len in enum_candidates(rest) {
            if len == 0 {
                continue;
            }
            if rest.as_bytes().get(len) == Some(&b')') {
                if let Some(end) = is_spaces_or_end(t, len + 2) {
                    return Some(EnumMatch {
                        format: EnumFormat::Parens,
                        text: &rest[..len],
                        end,
                    });
                }
            }
        }
    }
    for (format, suffix) in [(EnumFormat::Rparen, b')'), (EnumFormat::Period, b'.')] {
        for len in enum_candidates(t) {
            if len == 0 {
                continue;
            }
            if t.as_bytes().get(len) == Some(&suffix) {
                if let Some(end) = is_spaces_or_end(t, len + 1) {
                    return Some(EnumMatch {
                        format,
                        text: &t[..len],
                        end,
                    });
                }
            }
        }
    }
    None
}

pub fn roman_to_int(s: &str) -> Option<i64> {
    let upper = s.to_ascii_uppercase();
    let mut total = 0i64;
    let values: Vec<i64> = upper
        .chars()
        .map(|c| match c {
            'I' => Some(1),
            'V' => Some(5),
            'X' => Some(10),
            'L' => Some(50),
            'C' => Some(100),
            'D' => Some(500),
            'M' => Some(1000),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    for (i, v) in values.iter().enumerate() {
        if values.get(i + 1).is_some_and(|next| next > v) {
            total -= v;
        } else {
            total += v;
        }
    }
    // Only canonical numerals are valid (docutils' roman module is strict).
    if total <= 0 || int_to_roman(total)? != upper {
        return None;
    }
    Some(total)
}

pub fn int_to_roman(mut n: i64) -> Option<String> {
    if !(1..5000).contains(&n) {
        return None;
    }
    let table = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in table {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    Some(out)
}

fn sequence_matches(sequence: &str, text: &str) -> bool {
    let b = text.as_bytes();
    match sequence {
        "arabic" => !b.is_empty() && b.iter().all(u8::is_ascii_digit),
        "loweralpha" => b.len() == 1 && b[0].is_ascii_lowercase(),
        "upperalpha" => b.len() == 1 && b[0].is_ascii_uppercase(),
        "lowerroman" => !b.is_empty() && b.iter().all(|c| b"ivxlcdm".contains(c)),
        "upperroman" => !b.is_empty() && b.iter().all(|c| b"IVXLCDM".contains(c)),
        _ => false,
    }
}

const SEQUENCES: [&str; 5] = [
    "arabic",
    "loweralpha",
    "upperalpha",
    "lowerroman",
    "upperroman",
];

/// docutils `parse_enumerator`: (sequence, ordinal).
fn parse_enumerator(text: &str, expected: Option<&str>) -> (&'static str, Option<i64>) {
    let mut sequence: &'static str = "";
    if text == "#" {
        sequence = "#";
    } else if let Some(expected) = expected {
        if let Some(s) = SEQUENCES.iter().find(|s| **s == expected) {
            if sequence_matches(s, text) {
                sequence = s;
            }
        }
    } else if text == "i" {
        sequence = "lowerroman";
    } else if text == "I" {
        sequence = "upperroman";
    }
    if sequence.is_empty() {
        sequence = SEQUENCES
            .iter()
            .find(|s| sequence_matches(s, text))
            .copied()
            .unwrap_or("arabic");
    }
    let ordinal = match sequence {
        "#" => Some(1),
        "arabic" => text.parse::<i64>().ok(),
        "loweralpha" => text.bytes().next().map(|c| i64::from(c - b'a') + 1),
        "upperalpha" => text.bytes().next().map(|c| i64::from(c - b'A') + 1),
        _ => roman_to_int(text),
    };
    (sequence, ordinal)
}

fn make_enumerator(ordinal: i64, sequence: &str, format: EnumFormat) -> Option<(String, String)> {
    let enumerator = match sequence {
        "#" => "#".to_string(),
        "arabic" => ordinal.to_string(),
        "loweralpha" | "upperalpha" => {
            if !(1..=26).contains(&ordinal) {
                return None;
            }
            let c = char::from(b'a' + u8::try_from(ordinal - 1).ok()?);
            if sequence == "upperalpha" {
                c.to_ascii_uppercase().to_string()
            } else {
                c.to_string()
            }
        }
        _ => {
            let roman = int_to_roman(ordinal)?;
            if sequence == "lowerroman" {
                roman.to_lowercase()
            } else {
                roman
            }
        }
    };
    Some((
        format!("{}{}{} ", format.prefix(), enumerator, format.suffix()),
        format!("{}#{} ", format.prefix(), format.suffix()),
    ))
}

/// docutils' field marker pattern; returns the byte end of the match.
pub fn match_field_marker(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    if b.first() != Some(&b':') {
        return None;
    }
    match b.get(1) {
        None | Some(b':') | Some(b' ') => return None,
        _ => {}
    }
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                if i + 1 >= b.len() {
                    return None;
                }
                i += 2;
                // skip continuation bytes of a multibyte escaped char
                while i < b.len() && (b[i] & 0xC0) == 0x80 {
                    i += 1;
                }
            }
            b':' => {
                let next = b.get(i + 1);
                if matches!(next, None | Some(b' ') | Some(b'`')) {
                    if next == Some(&b'`') || b[i - 1] == b' ' || i == 1 {
                        return None;
                    }
                    return is_spaces_or_end(t, i + 1);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    None
}

/// Classification of a body line (docutils' `Body.initial_transitions`).
#[derive(Clone, Copy, Debug)]
pub enum Pattern<'a> {
    Bullet(usize),
    Enumerator(EnumMatch<'a>),
    Field(usize),
    OptionMarker(usize),
    Doctest,
    LineBlock(usize),
    GridTable,
    SimpleTable,
    Explicit,
    Anonymous,
    PunctLine,
    Text,
}

fn marker_then_space(t: &str, marker: &str) -> Option<usize> {
    let rest = t.strip_prefix(marker)?;
    is_spaces_or_end(t, t.len() - rest.len())
}

pub fn is_grid_table_top(t: &str) -> bool {
    // \+-[-+]+-\+ *$
    let t = t.trim_end_matches(' ');
    let b = t.as_bytes();
    b.len() >= 4
        && b[0] == b'+'
        && b[1] == b'-'
        && b[b.len() - 1] == b'+'
        && b[b.len() - 2] == b'-'
        && b[1..b.len() - 1].iter().all(|&c| c == b'-' || c == b'+')
}

pub fn is_simple_table_top(t: &str) -> bool {
    // =+( +=+)+ *$
    let t = t.trim_end_matches(' ');
    if !t.starts_with('=') || !t.bytes().all(|c| c == b'=' || c == b' ') {
        return false;
    }
    t.split(' ').filter(|p| !p.is_empty()).count() >= 2
}

pub fn classify(t: &str) -> Pattern<'_> {
    let first = t.chars().next().unwrap_or(' ');
    if matches!(
        first,
        '-' | '+' | '*' | '\u{2022}' | '\u{2023}' | '\u{2043}'
    ) {
        if let Some(end) = is_spaces_or_end(t, first.len_utf8()) {
            return Pattern::Bullet(end);
        }
    }
    if let Some(m) = match_enumerator(t) {
        return Pattern::Enumerator(m);
    }
    if let Some(end) = match_field_marker(t) {
        return Pattern::Field(end);
    }
    if matches!(first, '-' | '+' | '/') {
        if let Some(end) = super::options::match_option_marker(t) {
            return Pattern::OptionMarker(end);
        }
    }
    if marker_then_space(t, ">>>").is_some() {
        return Pattern::Doctest;
    }
    if let Some(end) = marker_then_space(t, "|") {
        return Pattern::LineBlock(end);
    }
    if is_grid_table_top(t) {
        return Pattern::GridTable;
    }
    if is_simple_table_top(t) {
        return Pattern::SimpleTable;
    }
    if marker_then_space(t, "..").is_some() {
        return Pattern::Explicit;
    }
    if marker_then_space(t, "__").is_some() {
        return Pattern::Anonymous;
    }
    if is_line_pattern(t) {
        return Pattern::PunctLine;
    }
    Pattern::Text
}

impl<'d> Parser<'d> {
    pub fn new(doc: &'d mut Document, state: &'d mut ParserState) -> Parser<'d> {
        Parser {
            doc,
            state,
            depth: 0,
            title_styles: Vec::new(),
            section_stack: Vec::new(),
            include_stack: Vec::new(),
        }
    }

    /// Create a detached system message.
    pub fn msg(
        &mut self,
        level: u8,
        code: &'static str,
        text: &str,
        span: Span,
        block: Option<&str>,
    ) -> NodeId {
        self.state
            .system_message(self.doc, level, code, text, span, block)
    }

    pub fn append_msg(
        &mut self,
        parent: NodeId,
        level: u8,
        code: &'static str,
        text: &str,
        span: Span,
        block: Option<&str>,
    ) -> NodeId {
        let msg = self.msg(level, code, text, span, block);
        self.doc.append(parent, msg);
        msg
    }

    /// Inline-parse `lines` into `parent`; returns the messages to place after the block.
    pub fn inline(&mut self, parent: NodeId, lines: &[Line<'_>]) -> Vec<NodeId> {
        let input = inline_input(lines);
        super::inline::parse_inline(self.doc, parent, &input, self.state)
    }

    pub fn inline_text(&mut self, parent: NodeId, text: &str, offset: usize) -> Vec<NodeId> {
        let input = InlineInput::single(text, offset);
        super::inline::parse_inline(self.doc, parent, &input, self.state)
    }

    pub fn append_all(&mut self, parent: NodeId, nodes: Vec<NodeId>) {
        for node in nodes {
            self.doc.append(parent, node);
        }
    }

    fn unindent_warning(&mut self, parent: NodeId, what: &str, at: Option<&Line<'_>>) {
        let span = at.map_or(Span::default(), |l| Span::at(l.offset));
        let text = format!("{what} ends without a blank line; unexpected unindent.");
        self.append_msg(parent, 2, "rst/unexpected-unindent", &text, span, None);
    }

    fn current_parent(&self, base: NodeId, match_titles: bool) -> NodeId {
        if match_titles {
            self.section_stack.last().copied().unwrap_or(base)
        } else {
            base
        }
    }

    /// Parse body elements from `lines` into `parent` (docutils `nested_parse`).
    pub fn parse_body(&mut self, lines: &[Line<'_>], parent: NodeId, match_titles: bool) {
        if self.depth >= MAX_DEPTH {
            let span = span_of(lines, 0);
            self.append_msg(
                parent,
                3,
                "rst/too-deep",
                "Nesting too deep; the rest of this block is shown as literal text.",
                span,
                None,
            );
            let text = join_lines(lines);
            let literal = self.doc.push(parent, Kind::LiteralBlock, span);
            self.doc.attrs_mut(literal).set("xml:space", "preserve");
            self.doc.push_text(literal, text, span);
            return;
        }
        self.depth += 1;
        let base = parent;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if line.is_blank() {
                i += 1;
                continue;
            }
            let parent = self.current_parent(base, match_titles);
            let next = if line.is_indented() {
                self.block_quote(lines, i, parent)
            } else {
                self.body_line(lines, i, parent, base, match_titles, false)
            };
            i = next.max(i + 1);
        }
        self.depth -= 1;
    }

    /// One construct starting at the non-indented line `i`; returns the next index.
    fn body_line(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        base: NodeId,
        match_titles: bool,
        force_text: bool,
    ) -> usize {
        let line = lines[i];
        let pattern = if force_text {
            Pattern::Text
        } else {
            classify(line.text)
        };
        match pattern {
            Pattern::Bullet(end) => self.bullet_list(lines, i, parent, end),
            Pattern::Enumerator(m) => match self.enumerated_list(lines, i, parent, m) {
                Some(next) => next,
                None => self.text(lines, i, parent, base, match_titles),
            },
            Pattern::Field(end) => self.field_list(lines, i, parent, end),
            Pattern::OptionMarker(end) => match self.option_list(lines, i, parent, end) {
                Some(next) => next,
                None => self.text(lines, i, parent, base, match_titles),
            },
            Pattern::Doctest => {
                let end = text_block_end(lines, i, false).unwrap_or_else(|e| e);
                let block = &lines[i..end.max(i + 1).min(lines.len())];
                let span = span_of(block, line.offset);
                let node = self.doc.push(parent, Kind::DoctestBlock, span);
                self.doc.attrs_mut(node).set("xml:space", "preserve");
                self.doc.push_text(node, join_lines(block), span);
                end
            }
            Pattern::LineBlock(end) => self.line_block(lines, i, parent, end),
            Pattern::GridTable => self.grid_table(lines, i, parent),
            Pattern::SimpleTable => self.simple_table(lines, i, parent),
            Pattern::Explicit | Pattern::Anonymous => {
                self.explicit_list(lines, i, parent, match_titles)
            }
            Pattern::PunctLine => self.punct_line(lines, i, parent, base, match_titles),
            Pattern::Text => self.text(lines, i, parent, base, match_titles),
        }
    }

    // ----- block quotes -------------------------------------------------

    fn block_quote(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let indented = get_indented(lines, i, false, true, None, None, true);
        self.block_quote_elements(indented.lines, parent);
        if !indented.blank_finish {
            self.unindent_warning(parent, "Block quote", lines.get(indented.end));
        }
        indented.end
    }

    pub fn block_quote_elements(&mut self, mut indented: Vec<Line<'_>>, parent: NodeId) {
        while !indented.is_empty() {
            let span = span_of(&indented, 0);
            let quote = self.doc.push(parent, Kind::BlockQuote, span);
            let (quote_lines, attribution, rest) = split_attribution(&indented);
            self.parse_body(quote_lines, quote, false);
            let mut rest_lines = rest.to_vec();
            if let Some(attr_lines) = attribution {
                let mut attr_lines = attr_lines;
                trim_trailing_blank(&mut attr_lines);
                let aspan = span_of(&attr_lines, span.start);
                let node = self.doc.push(quote, Kind::Attribution, aspan);
                let messages = self.inline(node, &attr_lines);
                self.append_all(parent, messages);
            }
            let leading = rest_lines.iter().take_while(|l| l.text.is_empty()).count();
            rest_lines.drain(..leading);
            indented = rest_lines;
        }
    }

    // ----- paragraphs, titles, definition lists ----------------------------

    fn text(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        base: NodeId,
        match_titles: bool,
    ) -> usize {
        let Some(next) = lines.get(i + 1) else {
            return self.paragraph_then_literal(lines, i, i + 1, parent, None);
        };
        if next.is_blank() {
            return self.paragraph_then_literal(lines, i, i + 1, parent, None);
        }
        if next.is_indented() {
            return self.definition_list(lines, i, parent);
        }
        if is_line_pattern(next.text) {
            return self.underline_title(lines, i, parent, base, match_titles);
        }
        match text_block_end(lines, i + 1, true) {
            Ok(end) => self.paragraph_then_literal(lines, i, end, parent, None),
            Err(end) => self.paragraph_then_literal(lines, i, end, parent, Some(end)),
        }
    }

    /// A paragraph of `lines[start..end]`; `indent_error` is the index of an
    /// unexpectedly indented line that ended it.
    fn paragraph_then_literal(
        &mut self,
        lines: &[Line<'_>],
        start: usize,
        end: usize,
        parent: NodeId,
        indent_error: Option<usize>,
    ) -> usize {
        let end = end.min(lines.len());
        let block = &lines[start..end];
        let literal_next = self.paragraph(block, parent);
        if let Some(at) = indent_error {
            let span = lines
                .get(at)
                .map_or(Span::default(), |l| Span::at(l.offset));
            self.append_msg(
                parent,
                3,
                "rst/unexpected-indentation",
                "Unexpected indentation.",
                span,
                None,
            );
        }
        if literal_next {
            return self.literal_block(lines, end, parent);
        }
        end
    }

    /// Returns whether a literal block follows (`::`).
    pub fn paragraph(&mut self, block: &[Line<'_>], parent: NodeId) -> bool {
        let mut input = inline_input(block);
        let data_len = input.text.trim_end().len();
        input.text.truncate(data_len);
        let literal_next = ends_with_unescaped_double_colon(&input.text);
        if literal_next {
            if input.text.len() == 2 {
                return true;
            }
            let bytes = input.text.as_bytes();
            let before = bytes[bytes.len() - 3];
            if before == b' ' || before == b'\n' {
                let cut = input.text.len() - 3;
                input.text.truncate(cut);
                let keep = input.text.trim_end().len();
                input.text.truncate(keep);
            } else {
                let cut = input.text.len() - 1;
                input.text.truncate(cut);
            }
        }
        let span = span_of(block, 0);
        let para = self.doc.push(parent, Kind::Paragraph, span);
        let messages = super::inline::parse_inline(self.doc, para, &input, self.state);
        self.append_all(parent, messages);
        literal_next
    }

    /// An indented or quoted literal block starting at line `i` (docutils
    /// `Text.literal_block`).
    fn literal_block(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let mut indented = get_indented(lines, i, false, true, None, None, true);
        trim_trailing_blank(&mut indented.lines);
        if indented.lines.is_empty() {
            return self.quoted_literal_block(lines, i, parent);
        }
        let span = span_of(&indented.lines, 0);
        let node = self.doc.push(parent, Kind::LiteralBlock, span);
        self.doc.attrs_mut(node).set("xml:space", "preserve");
        self.doc.push_text(node, join_lines(&indented.lines), span);
        if !indented.blank_finish {
            self.unindent_warning(parent, "Literal block", lines.get(indented.end));
        }
        indented.end
    }

    fn quoted_literal_block(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let mut j = i;
        while j < lines.len() && lines[j].is_blank() {
            j += 1;
        }
        let Some(first) = lines.get(j) else {
            let span = lines.last().map_or(Span::default(), |l| Span::at(l.offset));
            self.append_msg(
                parent,
                2,
                "rst/literal-block-expected",
                "Literal block expected; none found.",
                span,
                None,
            );
            return j;
        };
        let quote = first.text.chars().next().filter(|&c| is_punct(c));
        let Some(quote) = quote else {
            let span = Span::at(first.offset);
            self.append_msg(
                parent,
                2,
                "rst/literal-block-expected",
                "Literal block expected; none found.",
                span,
                None,
            );
            return j;
        };
        let start = j;
        let mut message = None;
        while j < lines.len() {
            let line = lines[j];
            if line.is_blank() {
                break;
            }
            if line.is_indented() {
                message = Some((j, "Unexpected indentation."));
                break;
            }
            if !line.text.starts_with(quote) {
                message = Some((j, "Inconsistent literal block quoting."));
                break;
            }
            j += 1;
        }
        let block = &lines[start..j];
        let span = span_of(block, first.offset);
        let node = self.doc.push(parent, Kind::LiteralBlock, span);
        self.doc.attrs_mut(node).set("xml:space", "preserve");
        self.doc.push_text(node, join_lines(block), span);
        if let Some((at, text)) = message {
            let span = Span::at(lines[at].offset);
            self.append_msg(parent, 3, "rst/literal-block-quoting", text, span, None);
        }
        j
    }

    fn definition_list(&mut self, lines: &[Line<'_>], mut i: usize, parent: NodeId) -> usize {
        let list = self
            .doc
            .push(parent, Kind::DefinitionList, Span::at(lines[i].offset));
        let mut blank_finish;
        loop {
            let term_line = lines[i];
            let indented = get_indented(lines, i + 1, false, true, None, None, true);
            let item_span = Span::new(
                term_line.offset,
                span_of(&indented.lines, term_line.offset).end,
            );
            let item = self.doc.push(list, Kind::DefinitionListItem, item_span);
            let messages = self.term(item, term_line);
            let definition = self.doc.push(
                item,
                Kind::Definition,
                span_of(&indented.lines, term_line.offset),
            );
            self.append_all(definition, messages);
            if term_line.text.ends_with("::") {
                let span = Span::at(term_line.offset);
                self.append_msg(definition, 1, "rst/definition-list-literal", "Blank line missing before literal block (after the \"::\")? Interpreted as a definition list item.", span, None);
            }
            self.parse_body(&indented.lines, definition, false);
            blank_finish = indented.blank_finish;
            i = indented.end.max(i + 2);
            let continues = i + 1 < lines.len()
                && matches!(classify(lines[i].text), Pattern::Text)
                && !lines[i].is_blank()
                && !lines[i].is_indented()
                && lines[i + 1].is_indented()
                && !lines[i + 1].is_blank();
            if !continues {
                break;
            }
        }
        let end_span = self.doc.span(list).start;
        let last = lines
            .get(i.saturating_sub(1))
            .map_or(end_span, |l| l.offset + l.text.len());
        self.doc.get_mut(list).span = Span::new(end_span, last);
        if !blank_finish {
            self.unindent_warning(parent, "Definition list", lines.get(i));
        }
        i
    }

    /// A term with its classifiers; returns inline messages.
    fn term(&mut self, item: NodeId, line: Line<'_>) -> Vec<NodeId> {
        let term = self.doc.push(item, Kind::Term, line.span());
        let messages = self.inline(term, &[line]);
        let children: Vec<NodeId> = self.doc.children(term).to_vec();
        let mut current = term;
        for child in children {
            if self.doc.kind(child) != Kind::Text {
                if current != term {
                    self.doc.append(current, child);
                }
                continue;
            }
            let text = self.doc.get(child).text.clone();
            let parts = if has_unescaped_classifier(line.text) {
                split_classifiers(&text)
            } else {
                vec![text.as_str()]
            };
            if parts.len() == 1 {
                if current != term {
                    self.doc.append(current, child);
                }
                continue;
            }
            let span = self.doc.span(child);
            self.doc.detach(child);
            let head = parts[0].trim_end();
            if !head.is_empty() {
                self.doc.push_text(current, head, span);
            }
            for part in &parts[1..] {
                let classifier = self.doc.push(item, Kind::Classifier, span);
                self.doc.push_text(classifier, *part, span);
                current = classifier;
            }
        }
        messages
    }

    fn underline_title(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        base: NodeId,
        match_titles: bool,
    ) -> usize {
        let title_line = lines[i];
        let underline_line = lines[i + 1];
        let title = title_line.text.trim_end();
        let underline = underline_line.text.trim_end();
        let block_text = format!("{}\n{}", title_line.text, underline_line.text);
        let span = Span::new(
            title_line.offset,
            underline_line.offset + underline_line.text.len(),
        );
        let mut messages = Vec::new();
        if column_width(title) > underline.chars().count() {
            if underline.chars().count() < 4 {
                if match_titles {
                    let msg = self.msg(1, "rst/short-underline", "Possible title underline, too short for the title.\nTreating it as ordinary text because it's so short.", span, None);
                    self.doc.append(parent, msg);
                }
                let end = text_block_end(lines, i + 1, true);
                return match end {
                    Ok(end) => self.paragraph_then_literal(lines, i, end, parent, None),
                    Err(end) => self.paragraph_then_literal(lines, i, end, parent, Some(end)),
                };
            }
            messages.push(self.msg(
                2,
                "rst/title-underline-short",
                "Title underline too short.",
                span,
                Some(&block_text),
            ));
        }
        if !match_titles {
            self.append_all(parent, messages);
            self.append_msg(
                parent,
                3,
                "rst/unexpected-title",
                "Unexpected section title.",
                span,
                Some(&block_text),
            );
            return i + 2;
        }
        let style = (None, underline.chars().next().unwrap_or('='));
        self.section(
            title_line.skip_bytes(0),
            style,
            span,
            &block_text,
            messages,
            base,
        );
        i + 2
    }

    /// A short overline whose title did not work out: docutils' info
    /// message, then the lines read again as ordinary text.
    fn short_overline_as_text(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        base: NodeId,
        match_titles: bool,
        span: Span,
    ) -> usize {
        self.append_msg(
            parent,
            1,
            "rst/short-overline",
            "Possible incomplete section title.\nTreating the overline as ordinary text because it's so short.",
            span,
            None,
        );
        self.text(lines, i, parent, base, match_titles)
    }

    fn punct_line(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        base: NodeId,
        match_titles: bool,
    ) -> usize {
        let line = lines[i];
        let marker = line.text.trim();
        if !match_titles {
            if marker == "::" {
                return self.text(lines, i, parent, base, match_titles);
            }
            if marker.chars().count() < 4 {
                self.append_msg(parent, 1, "rst/short-overline", "Unexpected possible title overline or transition.\nTreating it as ordinary text because it's so short.", line.span(), None);
                return self.text(lines, i, parent, base, match_titles);
            }
            self.append_msg(
                parent,
                3,
                "rst/unexpected-title",
                "Unexpected section title or transition.",
                line.span(),
                Some(line.text),
            );
            return i + 1;
        }
        let short = marker.chars().count() < 4;
        let Some(next) = lines.get(i + 1) else {
            if short {
                return self.text(lines, i, parent, base, match_titles);
            }
            self.doc.push(parent, Kind::Transition, line.span());
            return i + 1;
        };
        if next.is_blank() {
            if short {
                return self.text(lines, i, parent, base, match_titles);
            }
            self.doc.push(parent, Kind::Transition, line.span());
            return i + 1;
        }
        if !next.is_indented() && is_line_pattern(next.text) {
            let block_text = format!("{}\n{}", line.text, next.text);
            let span = Span::new(line.offset, next.offset + next.text.len());
            if short {
                return self.short_overline_as_text(lines, i, parent, base, match_titles, span);
            }
            self.append_msg(
                parent,
                3,
                "rst/invalid-title",
                "Invalid section title or transition marker.",
                span,
                Some(&block_text),
            );
            return i + 2;
        }
        // Over- and underlined title.
        let overline = line.text.trim_end();
        let title_line = *next;
        let Some(under) = lines.get(i + 2) else {
            let block_text = format!("{}\n{}", overline, title_line.text);
            let span = Span::new(line.offset, title_line.offset + title_line.text.len());
            if short {
                return self.short_overline_as_text(lines, i, parent, base, match_titles, span);
            }
            self.append_msg(
                parent,
                3,
                "rst/incomplete-title",
                "Incomplete section title.",
                span,
                Some(&block_text),
            );
            return i + 2;
        };
        let underline = under.text.trim_end();
        let source = format!("{}\n{}\n{}", line.text, title_line.text, under.text);
        let span = Span::new(line.offset, under.offset + under.text.len());
        if !is_line_pattern(underline) || under.is_indented() {
            if short {
                return self.short_overline_as_text(lines, i, parent, base, match_titles, span);
            }
            self.append_msg(
                parent,
                3,
                "rst/missing-underline",
                "Missing matching underline for section title overline.",
                span,
                Some(&source),
            );
            return i + 3;
        }
        if overline != underline {
            if short {
                return self.short_overline_as_text(lines, i, parent, base, match_titles, span);
            }
            self.append_msg(
                parent,
                3,
                "rst/title-mismatch",
                "Title overline & underline mismatch.",
                span,
                Some(&source),
            );
            return i + 3;
        }
        let title = title_line.text.trim_end();
        let mut messages = Vec::new();
        if column_width(title) > overline.chars().count() {
            if short {
                return self.short_overline_as_text(lines, i, parent, base, match_titles, span);
            }
            messages.push(self.msg(
                2,
                "rst/title-overline-short",
                "Title overline too short.",
                span,
                Some(&source),
            ));
        }
        let first = overline.chars().next().unwrap_or('=');
        let style = (Some(first), underline.chars().next().unwrap_or('='));
        let stripped = title_line.strip_cols(usize::MAX);
        self.section(stripped, style, span, &source, messages, base);
        i + 3
    }

    /// docutils `check_subsection` + `new_subsection`.
    fn section(
        &mut self,
        title: Line<'_>,
        style: (Option<char>, char),
        span: Span,
        source: &str,
        messages: Vec<NodeId>,
        base: NodeId,
    ) {
        let level_now = self.section_stack.len();
        let parent = self.current_parent(base, true);
        match self.title_styles.iter().position(|s| *s == style) {
            None => {
                if self.title_styles.len() == level_now {
                    self.title_styles.push(style);
                } else {
                    self.append_all(parent, messages);
                    self.append_msg(
                        parent,
                        3,
                        "rst/title-level-inconsistent",
                        "Title level inconsistent:",
                        span,
                        Some(source),
                    );
                    return;
                }
            }
            Some(index) => {
                let level = index + 1;
                if level <= level_now {
                    self.section_stack.truncate(level - 1);
                } else if level != level_now + 1 {
                    self.append_all(parent, messages);
                    self.append_msg(
                        parent,
                        3,
                        "rst/title-level-inconsistent",
                        "Title level inconsistent:",
                        span,
                        Some(source),
                    );
                    return;
                }
            }
        }
        let parent = self.current_parent(base, true);
        let section = self.doc.push(parent, Kind::Section, span);
        let title_text = title.text.trim_end();
        let title_node = self.doc.push(section, Kind::Title, title.span());
        let title_messages = self.inline_text(title_node, title_text, title.offset);
        let name = super::ids::fully_normalize_name(&self.doc.text_content(title_node));
        self.doc.attrs_mut(section).push("names", name);
        self.append_all(section, messages);
        self.append_all(section, title_messages);
        self.state
            .note_implicit_target(self.doc, section, Some(section));
        self.section_stack.push(section);
    }

    /// docutils' RFC 2822 header (PEP files): `Name: value` lines at the
    /// top become `<field_list classes="rfc2822">`. Returns the next index.
    pub fn rfc2822_header(&mut self, lines: &[Line<'_>], parent: NodeId) -> usize {
        let mut i = 0;
        let mut list = None;
        let mut blank_finish = true;
        while let Some(line) = lines.get(i) {
            let Some(end) = match_rfc2822(line.text) else {
                break;
            };
            let list_node = *list.get_or_insert_with(|| {
                let node = self
                    .doc
                    .push(parent, Kind::FieldList, Span::at(line.offset));
                self.doc.attrs_mut(node).push("classes", "rfc2822");
                node
            });
            let name = line.text.split(':').next().unwrap_or("");
            let indented = get_indented(lines, i, true, true, None, Some(end), true);
            let span = Span::new(
                line.offset,
                span_of(&indented.lines, line.offset)
                    .end
                    .max(line.offset + line.text.len()),
            );
            let field = self.doc.push(list_node, Kind::Field, span);
            let field_name = self.doc.push(field, Kind::FieldName, line.span());
            self.doc.push_text(field_name, name, line.span());
            let body = self.doc.push(
                field,
                Kind::FieldBody,
                span_of(&indented.lines, line.offset),
            );
            self.parse_body(&indented.lines, body, false);
            blank_finish = indented.blank_finish;
            i = indented.end.max(i + 1);
            if lines.get(i).is_some_and(|l| l.is_blank()) {
                break;
            }
        }
        if let Some(list) = list {
            self.finish_span(list, lines, i);
            if !blank_finish {
                self.unindent_warning(parent, "RFC2822-style field list", lines.get(i));
            }
        }
        i
    }

    // ----- lists --------------------------------------------------------

    /// A list item whose marker ends at byte `marker_end` of line `i`.
    fn list_item(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        marker_end: usize,
        item_kind: Kind,
        list: NodeId,
    ) -> (NodeId, bool, usize) {
        let line = lines[i];
        let rest_empty = line.text.get(marker_end..).is_none_or(|r| r.is_empty());
        let indented = if rest_empty {
            get_indented(lines, i, false, true, None, Some(marker_end), true)
        } else {
            let cols = line
                .text
                .get(..marker_end)
                .map_or(marker_end, |m| m.chars().count());
            get_indented(lines, i, false, true, Some(cols), Some(marker_end), true)
        };
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let item = self.doc.push(list, item_kind, span);
        self.parse_body(&indented.lines, item, false);
        (item, indented.blank_finish, indented.end.max(i + 1))
    }

    fn bullet_list(
        &mut self,
        lines: &[Line<'_>],
        mut i: usize,
        parent: NodeId,
        end: usize,
    ) -> usize {
        let bullet = lines[i].text.chars().next().unwrap_or('*');
        let list = self
            .doc
            .push(parent, Kind::BulletList, Span::at(lines[i].offset));
        self.doc.attrs_mut(list).set("bullet", bullet.to_string());
        let mut marker_end = end;
        let blank_finish = loop {
            let (_, blank_finish, next) =
                self.list_item(lines, i, marker_end, Kind::ListItem, list);
            i = next;
            let Some(line) = lines.get(i) else {
                break blank_finish;
            };
            match classify(line.text) {
                Pattern::Bullet(end) if line.text.starts_with(bullet) => marker_end = end,
                _ => break blank_finish,
            }
        };
        self.finish_span(list, lines, i);
        if !blank_finish {
            self.unindent_warning(parent, "Bullet list", lines.get(i));
        }
        i
    }

    fn finish_span(&mut self, node: NodeId, lines: &[Line<'_>], end: usize) {
        let start = self.doc.span(node).start;
        let last = lines
            .get(..end.min(lines.len()))
            .and_then(|l| l.iter().rev().find(|l| !l.is_blank()))
            .map_or(start, |l| l.offset + l.text.len());
        self.doc.get_mut(node).span = Span::new(start, last.max(start));
    }

    fn is_enumerated_list_item(
        &self,
        lines: &[Line<'_>],
        i: usize,
        ordinal: Option<i64>,
        sequence: &str,
        format: EnumFormat,
    ) -> bool {
        let Some(ordinal) = ordinal else {
            return false;
        };
        let Some(next) = lines.get(i + 1) else {
            return true;
        };
        if next.text.is_empty() || next.text.starts_with(' ') {
            return true;
        }
        match make_enumerator(ordinal + 1, sequence, format) {
            Some((next_enum, auto_enum)) => {
                next.text.starts_with(next_enum.as_str())
                    || next.text.starts_with(auto_enum.as_str())
            }
            None => false,
        }
    }

    fn enumerated_list(
        &mut self,
        lines: &[Line<'_>],
        mut i: usize,
        parent: NodeId,
        m: EnumMatch<'_>,
    ) -> Option<usize> {
        let (sequence, ordinal) = parse_enumerator(m.text, None);
        if !self.is_enumerated_list_item(lines, i, ordinal, sequence, m.format) {
            return None;
        }
        let ordinal = ordinal?;
        let format = m.format;
        let list = self
            .doc
            .push(parent, Kind::EnumeratedList, Span::at(lines[i].offset));
        let enumtype = if sequence == "#" { "arabic" } else { sequence };
        {
            let attrs = self.doc.attrs_mut(list);
            attrs.set("enumtype", enumtype);
            attrs.set("prefix", format.prefix());
            attrs.set("suffix", format.suffix());
        }
        if ordinal != 1 {
            self.doc.attrs_mut(list).set("start", Value::Int(ordinal));
            let text = format!(
                "Enumerated list start value not ordinal-1: \"{}\" (ordinal {ordinal})",
                m.text
            );
            self.append_msg(
                parent,
                1,
                "rst/enumerated-start",
                &text,
                lines[i].span(),
                None,
            );
        }
        let mut auto = sequence == "#";
        let mut last_ordinal = ordinal;
        let mut marker_end = m.end;
        let blank_finish = loop {
            let (_, blank_finish, next) =
                self.list_item(lines, i, marker_end, Kind::ListItem, list);
            i = next;
            let Some(line) = lines.get(i) else {
                break blank_finish;
            };
            let Some(next_match) = match_enumerator(line.text)
                .filter(|_| matches!(classify(line.text), Pattern::Enumerator(_)))
            else {
                break blank_finish;
            };
            let (seq, ord) = parse_enumerator(next_match.text, Some(enumtype));
            let different = next_match.format != format
                || (seq != "#" && (seq != enumtype || auto || ord != Some(last_ordinal + 1)))
                || !self.is_enumerated_list_item(lines, i, ord, seq, next_match.format);
            if different {
                break blank_finish;
            }
            if seq == "#" {
                auto = true;
            }
            last_ordinal = ord.unwrap_or(last_ordinal + 1);
            marker_end = next_match.end;
        };
        self.finish_span(list, lines, i);
        if !blank_finish {
            self.unindent_warning(parent, "Enumerated list", lines.get(i));
        }
        Some(i)
    }

    fn field_list(
        &mut self,
        lines: &[Line<'_>],
        mut i: usize,
        parent: NodeId,
        end: usize,
    ) -> usize {
        let list = self
            .doc
            .push(parent, Kind::FieldList, Span::at(lines[i].offset));
        let mut marker_end = end;
        let blank_finish = loop {
            let (blank_finish, next) = self.field(lines, i, marker_end, list);
            i = next;
            let Some(line) = lines.get(i) else {
                break blank_finish;
            };
            match classify(line.text) {
                Pattern::Field(end) => marker_end = end,
                _ => break blank_finish,
            }
        };
        self.finish_span(list, lines, i);
        if !blank_finish {
            self.unindent_warning(parent, "Field list", lines.get(i));
        }
        i
    }

    /// One field; returns (blank_finish, next index).
    pub fn field(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        marker_end: usize,
        list: NodeId,
    ) -> (bool, usize) {
        let line = lines[i];
        let marker = line.text.get(..marker_end).unwrap_or(line.text).trim_end();
        let name = marker.get(1..marker.len().saturating_sub(1)).unwrap_or("");
        let indented = get_indented(lines, i, false, true, None, Some(marker_end), true);
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let field = self.doc.push(list, Kind::Field, span);
        let name_span = Span::new(line.offset + 1, line.offset + 1 + name.len());
        let field_name = self.doc.push(field, Kind::FieldName, name_span);
        let messages = self.inline_text(field_name, name, line.offset + 1);
        let body = self.doc.push(
            field,
            Kind::FieldBody,
            span_of(&indented.lines, line.offset),
        );
        self.append_all(body, messages);
        self.parse_body(&indented.lines, body, false);
        (indented.blank_finish, indented.end.max(i + 1))
    }

    fn option_list(
        &mut self,
        lines: &[Line<'_>],
        mut i: usize,
        parent: NodeId,
        end: usize,
    ) -> Option<usize> {
        let mut marker_end = end;
        let mut list = None;
        let blank_finish = loop {
            let line = lines[i];
            let marker = line.text.get(..marker_end).unwrap_or(line.text);
            let Some(options) = super::options::parse_option_marker(marker) else {
                list?;
                break true;
            };
            let indented = get_indented(lines, i, false, true, None, Some(marker_end), true);
            if indented.lines.is_empty() {
                match list {
                    None => return None,
                    Some(_) => break true,
                }
            }
            let list_node = match list {
                Some(node) => node,
                None => {
                    let node = self
                        .doc
                        .push(parent, Kind::OptionList, Span::at(line.offset));
                    list = Some(node);
                    node
                }
            };
            let span = Span::new(line.offset, span_of(&indented.lines, line.offset).end);
            let item = self.doc.push(list_node, Kind::OptionListItem, span);
            let group = self.doc.push(item, Kind::OptionGroup, line.span());
            for (text, name, arg) in options {
                let option = self.doc.push(group, Kind::Option, line.span());
                let _ = text;
                let string = self.doc.push(option, Kind::OptionString, line.span());
                self.doc.push_text(string, name, line.span());
                if let Some((delimiter, value)) = arg {
                    let argument = self.doc.push(option, Kind::OptionArgument, line.span());
                    self.doc.attrs_mut(argument).set("delimiter", delimiter);
                    self.doc.push_text(argument, value, line.span());
                }
            }
            let description = self.doc.push(
                item,
                Kind::Description,
                span_of(&indented.lines, line.offset),
            );
            self.parse_body(&indented.lines, description, false);
            i = indented.end.max(i + 1);
            let blank_finish = indented.blank_finish;
            let Some(next) = lines.get(i) else {
                break blank_finish;
            };
            match classify(next.text) {
                Pattern::OptionMarker(end) => {
                    // An option marker without a description ends the list.
                    let probe = get_indented(lines, i, false, true, None, Some(end), true);
                    if probe.lines.is_empty()
                        || super::options::parse_option_marker(next.text.get(..end).unwrap_or(""))
                            .is_none()
                    {
                        break blank_finish;
                    }
                    marker_end = end;
                }
                _ => break blank_finish,
            }
        };
        if let Some(list) = list {
            self.finish_span(list, lines, i);
        }
        if !blank_finish {
            self.unindent_warning(parent, "Option list", lines.get(i));
        }
        Some(i)
    }

    // ----- line blocks --------------------------------------------------

    fn line_block(
        &mut self,
        lines: &[Line<'_>],
        mut i: usize,
        parent: NodeId,
        end: usize,
    ) -> usize {
        let block = self
            .doc
            .push(parent, Kind::LineBlock, Span::at(lines[i].offset));
        let mut indents: Vec<(NodeId, Option<usize>)> = Vec::new();
        let mut marker_end = end;
        let mut messages = Vec::new();
        let blank_finish = loop {
            let line = lines[i];
            let indented = get_indented(lines, i, true, true, None, Some(marker_end), true);
            let span = Span::new(
                line.offset,
                span_of(&indented.lines, line.offset)
                    .end
                    .max(line.offset + line.text.len()),
            );
            let node = self.doc.push(block, Kind::Line, span);
            messages.extend(self.inline(node, &indented.lines));
            let indent = if line.text.trim_end() != "|" {
                Some(marker_end.saturating_sub(2))
            } else {
                None
            };
            indents.push((node, indent));
            i = indented.end.max(i + 1);
            if indented.blank_finish {
                break true;
            }
            let Some(next) = lines.get(i) else {
                break true;
            };
            match classify(next.text) {
                Pattern::LineBlock(end) => marker_end = end,
                _ => break false,
            }
        };
        self.append_all(parent, messages);
        if !blank_finish {
            let span = lines.get(i).map_or(Span::default(), |l| Span::at(l.offset));
            self.append_msg(
                parent,
                2,
                "rst/line-block-unindent",
                "Line block ends without a blank line.",
                span,
                None,
            );
        }
        self.finish_span(block, lines, i);
        // Fill in missing indents from the previous line, then nest.
        let mut resolved = Vec::with_capacity(indents.len());
        let mut previous = 0;
        for (index, (node, indent)) in indents.into_iter().enumerate() {
            let value = match indent {
                Some(v) => v,
                None if index == 0 => 0,
                None => previous,
            };
            previous = value;
            resolved.push((node, value));
        }
        self.nest_line_block(block, &resolved, 0);
        i
    }

    pub fn nest_line_block_items(&mut self, block: NodeId, items: &[(NodeId, usize)]) {
        self.nest_line_block(block, items, 0);
    }

    fn nest_line_block(&mut self, block: NodeId, items: &[(NodeId, usize)], depth: usize) {
        let Some(least) = items.iter().map(|(_, indent)| *indent).min() else {
            return;
        };
        let mut index = 0;
        while index < items.len() {
            let (node, indent) = items[index];
            if indent > least && depth < MAX_DEPTH {
                let start = index;
                while index < items.len() && items[index].1 > least {
                    index += 1;
                }
                let nested = self.doc.push(block, Kind::LineBlock, self.doc.span(node));
                self.nest_line_block(nested, &items[start..index], depth + 1);
            } else {
                self.doc.append(block, node);
                index += 1;
            }
        }
    }
}

/// `[!-9;-~]+:( +|$)`: byte end of an RFC 2822 header field marker.
fn match_rfc2822(t: &str) -> Option<usize> {
    let name_len = t
        .bytes()
        .take_while(|&b| (b'!'..=b'9').contains(&b) || (b';'..=b'~').contains(&b))
        .count();
    if name_len == 0 || t.as_bytes().get(name_len) != Some(&b':') {
        return None;
    }
    is_spaces_or_end(t, name_len + 1)
}

/// Whether the raw term line has a ` +: +` whose colon is not escaped.
fn has_unescaped_classifier(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    (1..bytes.len().saturating_sub(1)).any(|i| {
        bytes[i] == b':' && bytes[i - 1] == b' ' && bytes[i + 1] == b' ' && {
            let spaces = bytes[..i].iter().rev().take_while(|&&b| b == b' ').count();
            let before = i - spaces;
            let backslashes = bytes[..before]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            backslashes % 2 == 0 || spaces > 1
        }
    })
}

/// docutils' classifier delimiter ` +: +` split.
fn split_classifiers(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' {
            let spaces_start = i;
            while i < bytes.len() && bytes[i] == b' ' {
                i += 1;
            }
            if i < bytes.len() && bytes[i] == b':' && bytes.get(i + 1) == Some(&b' ') {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] == b' ' {
                    j += 1;
                }
                parts.push(&text[start..spaces_start]);
                start = j;
                i = j;
            }
        } else {
            i += 1;
        }
    }
    parts.push(&text[start..]);
    parts
}

/// `(?<!\\)(\\\\)*::$`
fn ends_with_unescaped_double_colon(text: &str) -> bool {
    let Some(before) = text.strip_suffix("::") else {
        return false;
    };
    let backslashes = before.bytes().rev().take_while(|&b| b == b'\\').count();
    backslashes % 2 == 0
}

type Attribution<'s, 'a> = (&'s [Line<'a>], Option<Vec<Line<'a>>>, &'s [Line<'a>]);

/// docutils `split_attribution`: find `-- attribution` after a blank line.
fn split_attribution<'s, 'a>(indented: &'s [Line<'a>]) -> Attribution<'s, 'a> {
    let mut blank: Option<usize> = None;
    let mut nonblank_seen = false;
    for (i, line) in indented.iter().enumerate() {
        let text = line.text.trim_end();
        if text.is_empty() {
            blank = Some(i);
            continue;
        }
        if nonblank_seen && blank.is_some_and(|b| b + 1 == i) {
            if let Some(marker_end) = attribution_marker(text) {
                if let Some((end, indent)) = check_attribution(indented, i) {
                    let mut a_lines: Vec<Line<'a>> = indented[i..end].to_vec();
                    if let Some(first) = a_lines.first_mut() {
                        *first = first.skip_bytes(marker_end);
                    }
                    for l in a_lines.iter_mut().skip(1) {
                        *l = l.strip_cols(indent);
                    }
                    return (&indented[..i], Some(a_lines), &indented[end..]);
                }
            }
        }
        nonblank_seen = true;
    }
    (indented, None, &[])
}

/// `(---?(?!-)|\u2014) *(?=[^ \n])`: returns the byte end of the marker and spaces.
fn attribution_marker(text: &str) -> Option<usize> {
    let dash_len = if text.starts_with("---") && !text.starts_with("----") {
        3
    } else if text.starts_with("--") && !text.starts_with("---") {
        2
    } else if text.starts_with('\u{2014}') {
        3
    } else {
        return None;
    };
    let rest = &text[dash_len..];
    let spaces = rest.bytes().take_while(|&b| b == b' ').count();
    if rest.len() > spaces {
        Some(dash_len + spaces)
    } else {
        None
    }
}

fn check_attribution(indented: &[Line<'_>], start: usize) -> Option<(usize, usize)> {
    let mut indent: Option<usize> = None;
    let mut i = start + 1;
    while i < indented.len() {
        let text = indented[i].text.trim_end();
        if text.is_empty() {
            break;
        }
        let line_indent = text.len() - text.trim_start().len();
        match indent {
            None => indent = Some(line_indent),
            Some(expected) if expected != line_indent => return None,
            _ => {}
        }
        i += 1;
    }
    Some((i, indent.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerators_follow_docutils_regex_order() {
        let m = match_enumerator("iv. x").unwrap();
        assert_eq!(m.text, "iv");
        assert_eq!(m.end, 4);
        assert!(match_enumerator("(a) x").is_some());
        assert!(match_enumerator("ab. x").is_none());
        assert_eq!(parse_enumerator("i", None), ("lowerroman", Some(1)));
        assert_eq!(parse_enumerator("v", None).0, "loweralpha");
        assert_eq!(roman_to_int("IIII"), None);
        assert_eq!(roman_to_int("mcmxc"), Some(1990));
    }

    #[test]
    fn field_marker_rules() {
        assert_eq!(match_field_marker(":name: body"), Some(7));
        assert_eq!(match_field_marker(":a:b: body"), Some(6));
        assert_eq!(match_field_marker(":name :"), None);
        assert_eq!(match_field_marker("::"), None);
        assert_eq!(match_field_marker(":role:`x`"), None);
    }

    #[test]
    fn classifier_split() {
        assert_eq!(split_classifiers("term : a : b"), ["term", "a", "b"]);
        assert_eq!(split_classifiers("no:split"), ["no:split"]);
    }
}
