//! Inline markup: the text of one paragraph (or title, term, ...) in,
//! inline nodes out — docutils' `Inliner`, reproduced rule for rule.
//!
//! The block parser hands over an [`InlineInput`]; we append emphasis,
//! literals, references, targets, footnote and substitution references,
//! interpreted text (through `roles.rs`) and standalone URIs under the
//! given parent, and return the system messages docutils puts after the
//! enclosing block.
//!
//! docutils does this with backtracking regular expressions over the
//! remaining text, re-searching from each start-string; hostile input
//! (a megabyte of `*` or backquotes) makes that quadratic. We scan the
//! text once as a `Vec<char>` with hand-written matchers that decide the
//! same cases the regexes do (start-string prefix, end-string suffix,
//! Unicode punctuation classes, escapes), and cache the end-string
//! searches and simple-name runs, so each character is visited a bounded
//! number of times. Backslash escapes are turned into NUL markers first
//! (docutils' `escape2null`), exactly as docutils does, because several
//! rules look at whether a character was escaped.

use super::ids::{fully_normalize_name, is_python_space, whitespace_normalize_name};
use super::roles;
use super::state::{InlineInput, ParserState};
use crate::markup::doc::{Document, Kind, NodeId};
use crate::source::Span;

/// The escape marker docutils substitutes for a backslash.
pub(crate) const ESC: char = '\0';

/// Parse `input` as inline markup, appending the nodes under `parent`.
/// Returns detached system messages for the caller to place after the block.
pub fn parse_inline(
    doc: &mut Document,
    parent: NodeId,
    input: &InlineInput,
    state: &mut ParserState,
) -> Vec<NodeId> {
    // Most paragraphs hold no markup at all: without any character that
    // can start a construct, an escape or a URI, the text stays one node.
    let plain = !input
        .text
        .bytes()
        .any(|b| MAY_BE_MARKUP.get(usize::from(b)).copied().unwrap_or(false));
    if plain {
        if !input.text.is_empty() {
            let span = input.span(0, input.text.len());
            doc.push_text(parent, input.text.clone(), span);
        }
        return Vec::new();
    }
    let mut inliner = Inliner::new(doc, parent, input, state);
    inliner.run();
    inliner.messages
}

/// Bytes that can start inline markup, an escape or a standalone URI.
static MAY_BE_MARKUP: [bool; 256] = {
    let mut table = [false; 256];
    let special = b"*`_|[:@\\";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

// ---------------------------------------------------------------------------
// Character classes (docutils.utils.punctuation_chars and Python's re).

const OPENERS: &str = "\"'(<[{\u{f3a}\u{f3c}\u{169b}\u{2045}\u{207d}\u{208d}\u{2329}\u{2768}\u{276a}\u{276c}\u{276e}\u{2770}\u{2772}\u{2774}\u{27c5}\u{27e6}\u{27e8}\u{27ea}\u{27ec}\u{27ee}\u{2983}\u{2985}\u{2987}\u{2989}\u{298b}\u{298d}\u{298f}\u{2991}\u{2993}\u{2995}\u{2997}\u{29d8}\u{29da}\u{29fc}\u{2e22}\u{2e24}\u{2e26}\u{2e28}\u{3008}\u{300a}\u{300c}\u{300e}\u{3010}\u{3014}\u{3016}\u{3018}\u{301a}\u{301d}\u{301d}\u{fd3e}\u{fe17}\u{fe35}\u{fe37}\u{fe39}\u{fe3b}\u{fe3d}\u{fe3f}\u{fe41}\u{fe43}\u{fe47}\u{fe59}\u{fe5b}\u{fe5d}\u{ff08}\u{ff3b}\u{ff5b}\u{ff5f}\u{ff62}\u{ab}\u{2018}\u{201c}\u{2039}\u{2e02}\u{2e04}\u{2e09}\u{2e0c}\u{2e1c}\u{2e20}\u{201a}\u{201e}\u{bb}\u{2019}\u{201d}\u{203a}\u{2e03}\u{2e05}\u{2e0a}\u{2e0d}\u{2e1d}\u{2e21}\u{201b}\u{201f}";
const CLOSERS: &str = "\"')>]}\u{f3b}\u{f3d}\u{169c}\u{2046}\u{207e}\u{208e}\u{232a}\u{2769}\u{276b}\u{276d}\u{276f}\u{2771}\u{2773}\u{2775}\u{27c6}\u{27e7}\u{27e9}\u{27eb}\u{27ed}\u{27ef}\u{2984}\u{2986}\u{2988}\u{298a}\u{298c}\u{298e}\u{2990}\u{2992}\u{2994}\u{2996}\u{2998}\u{29d9}\u{29db}\u{29fd}\u{2e23}\u{2e25}\u{2e27}\u{2e29}\u{3009}\u{300b}\u{300d}\u{300f}\u{3011}\u{3015}\u{3017}\u{3019}\u{301b}\u{301e}\u{301f}\u{fd3f}\u{fe18}\u{fe36}\u{fe38}\u{fe3a}\u{fe3c}\u{fe3e}\u{fe40}\u{fe42}\u{fe44}\u{fe48}\u{fe5a}\u{fe5c}\u{fe5e}\u{ff09}\u{ff3d}\u{ff5d}\u{ff60}\u{ff63}\u{bb}\u{2019}\u{201d}\u{203a}\u{2e03}\u{2e05}\u{2e0a}\u{2e0d}\u{2e1d}\u{2e21}\u{201b}\u{201f}\u{ab}\u{2018}\u{201c}\u{2039}\u{2e02}\u{2e04}\u{2e09}\u{2e0c}\u{2e1c}\u{2e20}\u{201a}\u{201e}";

#[rustfmt::skip]
const DELIMITERS: &[(u32, u32)] = &[
    (0x2d, 0x2d), (0x2f, 0x2f), (0x3a, 0x3a), (0xa1, 0xa1), (0xb7, 0xb7), (0xbf, 0xbf), (0x37e, 0x37e),
    (0x387, 0x387), (0x55a, 0x55f), (0x589, 0x58a), (0x5be, 0x5be), (0x5c0, 0x5c0), (0x5c3, 0x5c3),
    (0x5c6, 0x5c6), (0x5f3, 0x5f4), (0x609, 0x60a), (0x60c, 0x60d), (0x61b, 0x61b), (0x61e, 0x61f),
    (0x66a, 0x66d), (0x6d4, 0x6d4), (0x700, 0x70d), (0x7f7, 0x7f9), (0x830, 0x83e), (0x964, 0x965),
    (0x970, 0x970), (0xdf4, 0xdf4), (0xe4f, 0xe4f), (0xe5a, 0xe5b), (0xf04, 0xf12), (0xf85, 0xf85),
    (0xfd0, 0xfd4), (0x104a, 0x104f), (0x10fb, 0x10fb), (0x1361, 0x1368), (0x1400, 0x1400),
    (0x166d, 0x166e), (0x16eb, 0x16ed), (0x1735, 0x1736), (0x17d4, 0x17d6), (0x17d8, 0x17da),
    (0x1800, 0x180a), (0x1944, 0x1945), (0x19de, 0x19df), (0x1a1e, 0x1a1f), (0x1aa0, 0x1aa6),
    (0x1aa8, 0x1aad), (0x1b5a, 0x1b60), (0x1c3b, 0x1c3f), (0x1c7e, 0x1c7f), (0x1cd3, 0x1cd3),
    (0x2010, 0x2017), (0x2020, 0x2027), (0x2030, 0x2038), (0x203b, 0x203e), (0x2041, 0x2043),
    (0x2047, 0x2051), (0x2053, 0x2053), (0x2055, 0x205e), (0x2cf9, 0x2cfc), (0x2cfe, 0x2cff),
    (0x2e00, 0x2e01), (0x2e06, 0x2e08), (0x2e0b, 0x2e0b), (0x2e0e, 0x2e1b), (0x2e1e, 0x2e1f),
    (0x2e2a, 0x2e2e), (0x2e30, 0x2e31), (0x3001, 0x3003), (0x301c, 0x301c), (0x3030, 0x3030),
    (0x303d, 0x303d), (0x30a0, 0x30a0), (0x30fb, 0x30fb), (0xa4fe, 0xa4ff), (0xa60d, 0xa60f),
    (0xa673, 0xa673), (0xa67e, 0xa67e), (0xa6f2, 0xa6f7), (0xa874, 0xa877), (0xa8ce, 0xa8cf),
    (0xa8f8, 0xa8fa), (0xa92e, 0xa92f), (0xa95f, 0xa95f), (0xa9c1, 0xa9cd), (0xa9de, 0xa9df),
    (0xaa5c, 0xaa5f), (0xaade, 0xaadf), (0xabeb, 0xabeb), (0xfe10, 0xfe16), (0xfe19, 0xfe19),
    (0xfe30, 0xfe32), (0xfe45, 0xfe46), (0xfe49, 0xfe4c), (0xfe50, 0xfe52), (0xfe54, 0xfe58),
    (0xfe5f, 0xfe61), (0xfe63, 0xfe63), (0xfe68, 0xfe68), (0xfe6a, 0xfe6b), (0xff01, 0xff03),
    (0xff05, 0xff07), (0xff0a, 0xff0a), (0xff0c, 0xff0f), (0xff1a, 0xff1b), (0xff1f, 0xff20),
    (0xff3c, 0xff3c), (0xff61, 0xff61), (0xff64, 0xff65), (0x10100, 0x10101), (0x1039f, 0x1039f),
    (0x103d0, 0x103d0), (0x10857, 0x10857), (0x1091f, 0x1091f), (0x1093f, 0x1093f),
    (0x10a50, 0x10a58), (0x10a7f, 0x10a7f), (0x10b39, 0x10b3f), (0x110bb, 0x110bc),
    (0x110be, 0x110c1), (0x12470, 0x12473),
];

// ASCII character classes as bit flags in one table: these predicates run
// for every character of every paragraph, so they must be a table lookup.
const SPACE: u16 = 1;
const OPENER: u16 = 2;
const CLOSER: u16 = 4;
const DELIMITER: u16 = 8;
const CLOSING_DELIMITER: u16 = 16;
const URIC: u16 = 32;
const URILAST: u16 = 64;
const EMAILC: u16 = 128;
const NAME: u16 = 256;
/// Characters that can begin an inline construct (start-string search).
const STARTER: u16 = 512;

const fn mark(mut table: [u16; 128], set: &[u8], flag: u16) -> [u16; 128] {
    let mut j = 0;
    while j < set.len() {
        table[set[j] as usize] |= flag;
        j += 1;
    }
    table
}

const fn ascii_classes() -> [u16; 128] {
    let mut table = [0u16; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        let mut flags = 0;
        if c == b' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f) {
            flags |= SPACE;
        }
        if c.is_ascii_alphanumeric() {
            flags |= NAME | URIC | URILAST | EMAILC | STARTER;
        }
        i += 1;
        table[c as usize] = flags;
    }
    table = mark(table, b"\"'(<[{", OPENER);
    table = mark(table, b"\"')>]}", CLOSER);
    table = mark(table, b"-/:", DELIMITER);
    table = mark(table, b"\\.,;!?", CLOSING_DELIMITER);
    table = mark(table, b"-_.!~*'()[];/:@&=+$,%\0", URIC);
    table = mark(table, b"_~*/=+", URILAST);
    table = mark(table, b"-_!~*'{|}/#?^`&=+$%\0", EMAILC);
    table = mark(table, b"*`_|[:", STARTER);
    table
}

static ASCII: [u16; 128] = ascii_classes();

#[inline]
fn ascii_has(c: char, flag: u16) -> Option<bool> {
    let code = c as u32;
    if code < 128 {
        Some(ASCII.get(code as usize).is_some_and(|f| f & flag != 0))
    } else {
        None
    }
}

#[inline]
fn is_space(c: char) -> bool {
    ascii_has(c, SPACE).unwrap_or_else(|| is_python_space(c))
}

#[inline]
fn is_opener(c: char) -> bool {
    ascii_has(c, OPENER).unwrap_or_else(|| OPENERS.contains(c))
}

#[inline]
fn is_closer(c: char) -> bool {
    ascii_has(c, CLOSER).unwrap_or_else(|| CLOSERS.contains(c))
}

fn is_delimiter(c: char) -> bool {
    let code = c as u32;
    if let Some(result) = ascii_has(c, DELIMITER) {
        return result;
    }
    DELIMITERS
        .binary_search_by(|&(lo, hi)| {
            if hi < code {
                std::cmp::Ordering::Less
            } else if lo > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[inline]
fn is_closing_delimiter(c: char) -> bool {
    ascii_has(c, CLOSING_DELIMITER).unwrap_or(false)
}

/// docutils' `match_chars`: is `(open, close)` a matching pair (so markup
/// between them is "quoted" and not recognised)?
fn match_chars(open: char, close: char) -> bool {
    let Some(index) = OPENERS.chars().position(|c| c == open) else {
        return false;
    };
    if CLOSERS.chars().nth(index) == Some(close) {
        return true;
    }
    let extra: &str = match open {
        '\u{bb}' => "\u{bb}",
        '\u{2018}' => "\u{201a}",
        '\u{2019}' => "\u{2019}",
        '\u{201a}' => "\u{2018}\u{2019}",
        '\u{201c}' => "\u{201e}",
        '\u{201e}' => "\u{201c}\u{201d}",
        '\u{201d}' => "\u{201d}",
        '\u{203a}' => "\u{203a}",
        _ => "",
    };
    extra.contains(close)
}

/// Python's `\w` minus the underscore: the characters of a simple name.
#[inline]
fn is_name_char(c: char) -> bool {
    ascii_has(c, NAME).unwrap_or_else(|| c.is_alphanumeric())
}

fn is_name_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '_' | '+' | ':')
}

/// Characters allowed in a URI (RFC 2396), plus the escape marker.
#[inline]
fn is_uric(c: char) -> bool {
    ascii_has(c, URIC).unwrap_or(false)
}

/// Characters that may end a URI.
#[inline]
fn is_urilast(c: char) -> bool {
    ascii_has(c, URILAST).unwrap_or(false)
}

#[inline]
fn is_emailc(c: char) -> bool {
    ascii_has(c, EMAILC).unwrap_or(false)
}

/// docutils' `unescape`: drop escape markers (an escaped space or newline
/// disappears altogether).
pub(crate) fn unescape(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == ESC {
            if matches!(chars.get(i + 1), Some(' ') | Some('\n')) {
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// docutils' `unescape(text, restore_backslashes=True)`.
pub(crate) fn restore_backslashes(chars: &[char]) -> String {
    chars
        .iter()
        .map(|&c| if c == ESC { '\\' } else { c })
        .collect()
}

/// docutils' `escape2null`: each backslash becomes [`ESC`]; the character
/// after it is kept as is (so `\\` is an escaped backslash).
pub(crate) fn escape_to_null(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(ESC);
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `(?=\s|[\x00 closing-delimiters delimiters closers])` or end of text.
fn suffix_ok(chars: &[char], pos: usize) -> bool {
    match chars.get(pos) {
        None => true,
        Some(&c) => {
            is_space(c) || c == ESC || is_closing_delimiter(c) || is_delimiter(c) || is_closer(c)
        }
    }
}

/// `(^|(?<=\s|[openers delimiters]))` where `base` is the start of the string.
fn prefix_ok(chars: &[char], base: usize, pos: usize) -> bool {
    if pos <= base {
        return true;
    }
    match chars.get(pos - 1) {
        Some(&c) => is_space(c) || is_opener(c) || is_delimiter(c),
        None => false,
    }
}

/// `(?!\s)` at `pos` (true at the end of the text).
fn not_space_at(chars: &[char], pos: usize) -> bool {
    chars.get(pos).is_none_or(|&c| !is_space(c))
}

/// Caches the end of the last "simple name" run, so that scanning a name
/// from every position inside a long run stays linear.
#[derive(Default)]
struct RunCache {
    start: usize,
    end: usize,
}

impl RunCache {
    /// End of the maximal simple name (`\w+([-._+:]\w+)*`, no `_` as word
    /// char) starting at `pos`, or `None` if `pos` does not start one.
    fn simplename_end(&mut self, chars: &[char], pos: usize) -> Option<usize> {
        if !chars.get(pos).is_some_and(|&c| is_name_char(c)) {
            return None;
        }
        if self.start <= pos && pos < self.end {
            return Some(self.end);
        }
        let mut end = pos;
        loop {
            while chars.get(end).is_some_and(|&c| is_name_char(c)) {
                end += 1;
            }
            let separated = chars.get(end).is_some_and(|&c| is_name_separator(c))
                && chars.get(end + 1).is_some_and(|&c| is_name_char(c));
            if separated {
                end += 1;
            } else {
                break;
            }
        }
        self.start = pos;
        self.end = end;
        Some(end)
    }
}

// ---------------------------------------------------------------------------
// The start-string search.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StartKind {
    Strong,
    Emphasis,
    Literal,
    Target,
    Substitution,
}

#[derive(Clone, Copy, Debug)]
enum Found {
    /// A start-string `start..end`.
    Start {
        kind: StartKind,
        start: usize,
        end: usize,
    },
    /// `name_` / `name__`: name `start..name_end`, whole construct to `end`.
    Reference {
        start: usize,
        name_end: usize,
        end: usize,
        anonymous: bool,
    },
    /// `[label]_`: label `start+1..label_end`, construct to `end`.
    Footnote {
        start: usize,
        label_end: usize,
        end: usize,
        citation: bool,
    },
    /// Interpreted text: optional `:role:` at `role_start..backquote`.
    Backquote { role_start: usize, backquote: usize },
}

/// End-string kinds with their own search rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EndKind {
    Emphasis,
    Strong,
    Literal,
    Target,
    Substitution,
    Interpreted,
}

const END_KINDS: usize = 6;

impl EndKind {
    fn index(self) -> usize {
        self as usize
    }
}

/// A matched end-string: `start..end` is the whole end construct; for
/// interpreted text, `role` is a suffix role and `refend` the `_`/`__` length.
#[derive(Clone, Copy, Debug)]
struct EndMatch {
    start: usize,
    end: usize,
    role: Option<(usize, usize)>,
    refend: usize,
}

struct Inliner<'a> {
    doc: &'a mut Document,
    parent: NodeId,
    input: &'a InlineInput,
    state: &'a mut ParserState,
    chars: Vec<char>,
    /// Byte offset in `input.text` of each char index (one past the end too).
    byte_at: Vec<usize>,
    messages: Vec<NodeId>,
    names: RunCache,
    /// Per end kind: (search started at, first strict match at or after it).
    end_cache: [Option<(usize, Option<usize>)>; END_KINDS],
    /// Position of the next `_` at or after the last query (`chars.len()`
    /// when none): a `name_` reference needs one, so most words are
    /// rejected without scanning them.
    next_underscore: usize,
}

impl<'a> Inliner<'a> {
    fn new(
        doc: &'a mut Document,
        parent: NodeId,
        input: &'a InlineInput,
        state: &'a mut ParserState,
    ) -> Inliner<'a> {
        let chars = escape_to_null(&input.text);
        // escape2null keeps one char per source char, so byte offsets line up.
        // For ASCII text char indices are byte offsets; only other text
        // needs the table.
        let mut byte_at = Vec::new();
        if !input.text.is_ascii() {
            byte_at.reserve(chars.len() + 1);
            byte_at.extend(input.text.char_indices().map(|(i, _)| i));
            byte_at.push(input.text.len());
        }
        Inliner {
            doc,
            parent,
            input,
            state,
            chars,
            byte_at,
            messages: Vec::new(),
            names: RunCache::default(),
            end_cache: [None; END_KINDS],
            next_underscore: 0,
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        let len = self.input.text.len();
        let byte = |i: usize| {
            if self.byte_at.is_empty() {
                i.min(len)
            } else {
                self.byte_at.get(i).copied().unwrap_or(len)
            }
        };
        self.input.span(byte(start), byte(end))
    }

    fn slice(&self, start: usize, end: usize) -> &[char] {
        let end = end.min(self.chars.len());
        self.chars.get(start.min(end)..end).unwrap_or(&[])
    }

    fn run(&mut self) {
        let n = self.chars.len();
        let mut pos = 0;
        let mut unprocessed = 0;
        while pos < n {
            let Some(found) = self.find_start(pos) else {
                break;
            };
            let outcome = self.dispatch(found, pos);
            if !outcome.nodes.is_empty() {
                self.implicit_inline(unprocessed, outcome.before_end);
                for node in outcome.nodes {
                    self.doc.append(self.parent, node);
                }
                unprocessed = outcome.next;
            }
            self.messages.extend(outcome.messages);
            // Progress is guaranteed: every outcome ends after the start-string.
            pos = outcome.next.max(pos + 1);
        }
        self.implicit_inline(unprocessed, n);
    }

    /// The leftmost construct at or after `pos` (`pos` counts as the start
    /// of the string, as each docutils search runs on the remaining text).
    fn find_start(&mut self, pos: usize) -> Option<Found> {
        let n = self.chars.len();
        let mut p = pos;
        while p < n {
            let c = self.chars[p];
            let candidate = ascii_has(c, STARTER).unwrap_or_else(|| c.is_alphanumeric());
            if candidate && prefix_ok(&self.chars, pos, p) {
                if let Some(found) = self.match_at(p) {
                    return Some(found);
                }
            }
            p += 1;
        }
        None
    }

    fn match_at(&mut self, p: usize) -> Option<Found> {
        let chars = &self.chars;
        let at = |i: usize| chars.get(i).copied();
        // 1. Simple start-strings.
        match at(p) {
            Some('*') => {
                if at(p + 1) == Some('*') {
                    if not_space_at(chars, p + 2) {
                        return Some(Found::Start {
                            kind: StartKind::Strong,
                            start: p,
                            end: p + 2,
                        });
                    }
                } else if not_space_at(chars, p + 1) {
                    return Some(Found::Start {
                        kind: StartKind::Emphasis,
                        start: p,
                        end: p + 1,
                    });
                }
            }
            Some('`') if at(p + 1) == Some('`') && not_space_at(chars, p + 2) => {
                return Some(Found::Start {
                    kind: StartKind::Literal,
                    start: p,
                    end: p + 2,
                });
            }
            Some('_') if at(p + 1) == Some('`') && not_space_at(chars, p + 2) => {
                return Some(Found::Start {
                    kind: StartKind::Target,
                    start: p,
                    end: p + 2,
                });
            }
            Some('|') if at(p + 1) != Some('|') && not_space_at(chars, p + 1) => {
                return Some(Found::Start {
                    kind: StartKind::Substitution,
                    start: p,
                    end: p + 1,
                });
            }
            _ => {}
        }
        // 2. Whole constructs: `name_`, `name__`, `[label]_`.
        while self.next_underscore < self.chars.len()
            && (self.next_underscore < p || self.chars.get(self.next_underscore) != Some(&'_'))
        {
            self.next_underscore += 1;
        }
        let underscore_ahead = self.next_underscore < self.chars.len();
        let name_end = if underscore_ahead {
            self.names.simplename_end(&self.chars, p)
        } else {
            None
        };
        if let Some(name_end) = name_end {
            let chars = &self.chars;
            if chars.get(name_end) == Some(&'_') {
                if chars.get(name_end + 1) == Some(&'_') && suffix_ok(chars, name_end + 2) {
                    return Some(Found::Reference {
                        start: p,
                        name_end,
                        end: name_end + 2,
                        anonymous: true,
                    });
                }
                if suffix_ok(chars, name_end + 1) {
                    return Some(Found::Reference {
                        start: p,
                        name_end,
                        end: name_end + 1,
                        anonymous: false,
                    });
                }
            }
        }
        if self.chars.get(p) == Some(&'[') {
            if let Some(found) = self.match_footnote(p) {
                return Some(found);
            }
        }
        // 3. Interpreted text or phrase reference, with an optional prefix role.
        let chars = &self.chars;
        let backquote_ok = |b: usize| {
            chars.get(b) == Some(&'`')
                && chars.get(b + 1) != Some(&'`')
                && not_space_at(chars, b + 1)
        };
        if chars.get(p) == Some(&':') {
            if let Some(role_end) = self.names.simplename_end(&self.chars, p + 1) {
                let chars = &self.chars;
                if chars.get(role_end) == Some(&':')
                    && chars.get(role_end + 1) == Some(&'`')
                    && chars.get(role_end + 2) != Some(&'`')
                    && not_space_at(chars, role_end + 2)
                {
                    return Some(Found::Backquote {
                        role_start: p,
                        backquote: role_end + 1,
                    });
                }
            }
            return None;
        }
        if backquote_ok(p) {
            return Some(Found::Backquote {
                role_start: p,
                backquote: p,
            });
        }
        None
    }

    fn match_footnote(&mut self, p: usize) -> Option<Found> {
        let closes = |chars: &[char], e: usize| {
            chars.get(e) == Some(&']') && chars.get(e + 1) == Some(&'_') && suffix_ok(chars, e + 2)
        };
        let chars = &self.chars;
        // Manually numbered.
        let mut d = p + 1;
        while chars.get(d).is_some_and(|c| c.is_ascii_digit()) {
            d += 1;
        }
        if d > p + 1 && closes(chars, d) {
            return Some(Found::Footnote {
                start: p,
                label_end: d,
                end: d + 2,
                citation: false,
            });
        }
        // Auto-numbered, optionally labelled.
        if chars.get(p + 1) == Some(&'#') {
            if let Some(e) = self.names.simplename_end(&self.chars, p + 2) {
                if closes(&self.chars, e) {
                    return Some(Found::Footnote {
                        start: p,
                        label_end: e,
                        end: e + 2,
                        citation: false,
                    });
                }
            }
            if closes(&self.chars, p + 2) {
                return Some(Found::Footnote {
                    start: p,
                    label_end: p + 2,
                    end: p + 4,
                    citation: false,
                });
            }
        }
        let chars = &self.chars;
        if chars.get(p + 1) == Some(&'*') && closes(chars, p + 2) {
            return Some(Found::Footnote {
                start: p,
                label_end: p + 2,
                end: p + 4,
                citation: false,
            });
        }
        if let Some(e) = self.names.simplename_end(&self.chars, p + 1) {
            if closes(&self.chars, e) {
                return Some(Found::Footnote {
                    start: p,
                    label_end: e,
                    end: e + 2,
                    citation: true,
                });
            }
        }
        None
    }

    // -----------------------------------------------------------------------
    // End-string search.

    /// Does an end-string of `kind` start at `j`? `from` is where the search
    /// string starts (docutils searches `string[matchend:]`, so look-behinds
    /// cannot see before it).
    fn end_at(&self, kind: EndKind, j: usize, from: usize) -> Option<EndMatch> {
        let chars = &self.chars;
        let at = |i: usize| chars.get(i).copied();
        let before = if j > from { at(j - 1) } else { None };
        let simple = |len: usize| EndMatch {
            start: j,
            end: j + len,
            role: None,
            refend: 0,
        };
        match kind {
            EndKind::Emphasis | EndKind::Strong | EndKind::Target => {
                if before.is_some_and(|c| is_space(c) || c == ESC) {
                    return None;
                }
                let len = match kind {
                    EndKind::Emphasis => {
                        if at(j) != Some('*') {
                            return None;
                        }
                        1
                    }
                    EndKind::Strong => {
                        if at(j) != Some('*') || at(j + 1) != Some('*') {
                            return None;
                        }
                        2
                    }
                    _ => {
                        if at(j) != Some('`') {
                            return None;
                        }
                        1
                    }
                };
                suffix_ok(chars, j + len).then(|| simple(len))
            }
            EndKind::Literal => {
                if before.is_some_and(is_space) || at(j) != Some('`') || at(j + 1) != Some('`') {
                    return None;
                }
                suffix_ok(chars, j + 2).then(|| simple(2))
            }
            EndKind::Substitution => {
                if before.is_some_and(|c| is_space(c) || c == ESC) || at(j) != Some('|') {
                    return None;
                }
                let underscores = if at(j + 1) == Some('_') {
                    if at(j + 2) == Some('_') {
                        2
                    } else {
                        1
                    }
                } else {
                    0
                };
                (0..=underscores)
                    .rev()
                    .find(|&u| suffix_ok(chars, j + 1 + u))
                    .map(|u| simple(1 + u))
            }
            EndKind::Interpreted => {
                if at(j) != Some('`') {
                    return None;
                }
                // (?<!(?<!\x00)[\s\x00])
                if let Some(prev) = before {
                    if is_space(prev) || prev == ESC {
                        let escaped = j >= from + 2 && at(j - 2) == Some(ESC);
                        if !escaped {
                            return None;
                        }
                    }
                }
                let after = j + 1;
                let refend_at = |k: usize| -> usize {
                    if at(k) == Some('_') {
                        if at(k + 1) == Some('_') {
                            2
                        } else {
                            1
                        }
                    } else {
                        0
                    }
                };
                let try_refend = |k: usize, role: Option<(usize, usize)>| -> Option<EndMatch> {
                    let max = refend_at(k);
                    (0..=max)
                        .rev()
                        .find(|&r| suffix_ok(chars, k + r))
                        .map(|r| EndMatch {
                            start: j,
                            end: k + r,
                            role,
                            refend: r,
                        })
                };
                if at(after) == Some(':') {
                    // Role names are short; scan without the cache (it is
                    // tuned for the start-string search's forward order).
                    let mut cache = RunCache::default();
                    if let Some(role_end) = cache.simplename_end(chars, after + 1) {
                        if at(role_end) == Some(':') {
                            if let Some(m) = try_refend(role_end + 1, Some((after, role_end + 1))) {
                                return Some(m);
                            }
                        }
                    }
                }
                try_refend(after, None)
            }
        }
    }

    /// First end-string of `kind` at or after `from` (which is treated as
    /// the start of the searched string).
    fn search_end(&mut self, kind: EndKind, from: usize) -> Option<EndMatch> {
        let n = self.chars.len();
        // Positions whose look-behind would reach before `from`.
        for j in from..(from + 2).min(n) {
            if let Some(m) = self.end_at(kind, j, from) {
                return Some(m);
            }
        }
        let strict_from = from + 2;
        if strict_from >= n {
            return None;
        }
        let cached = self.end_cache[kind.index()];
        let found = match cached {
            Some((searched_from, result))
                if searched_from <= strict_from && result.is_none_or(|r| r >= strict_from) =>
            {
                result
            }
            _ => {
                let result = (strict_from..n).find(|&j| self.end_at(kind, j, 0).is_some());
                self.end_cache[kind.index()] = Some((strict_from, result));
                result
            }
        };
        found.and_then(|j| self.end_at(kind, j, 0))
    }

    // -----------------------------------------------------------------------
    // Constructs.

    fn dispatch(&mut self, found: Found, pos: usize) -> Outcome {
        match found {
            Found::Start { kind, start, end } => self.inline_object(kind, start, end, pos),
            Found::Reference {
                start,
                name_end,
                end,
                anonymous,
            } => {
                let name_chars = self.slice(start, name_end).to_vec();
                let text = unescape(&name_chars);
                let node = self.doc.create(Kind::Reference, self.span(start, end));
                self.doc
                    .attrs_mut(node)
                    .set("name", whitespace_normalize_name(&text));
                if anonymous {
                    self.doc.attrs_mut(node).set("anonymous", true);
                } else {
                    self.doc
                        .attrs_mut(node)
                        .set("refname", fully_normalize_name(&text));
                }
                let span = self.span(start, name_end);
                self.doc.push_text(node, text, span);
                Outcome::nodes(start, vec![node], end)
            }
            Found::Footnote {
                start,
                label_end,
                end,
                citation,
            } => {
                let label = unescape(self.slice(start + 1, label_end));
                let refname = fully_normalize_name(&label);
                let span = self.span(start, end);
                let node = if citation {
                    let node = self.doc.create(Kind::CitationReference, span);
                    self.doc.attrs_mut(node).set("refname", refname);
                    self.doc.push_text(node, label, span);
                    node
                } else {
                    let node = self.doc.create(Kind::FootnoteReference, span);
                    if let Some(name) = refname.strip_prefix('#') {
                        self.doc.attrs_mut(node).set("auto", 1i64);
                        if !name.is_empty() {
                            self.doc.attrs_mut(node).set("refname", name);
                        }
                    } else if refname == "*" {
                        self.doc.attrs_mut(node).set("auto", "*");
                    } else {
                        self.doc.attrs_mut(node).set("refname", refname);
                        self.doc.push_text(node, label, span);
                    }
                    node
                };
                self.state.set_id(self.doc, node, None, "");
                Outcome::nodes(start, vec![node], end)
            }
            Found::Backquote {
                role_start,
                backquote,
            } => self.interpreted_or_phrase_ref(role_start, backquote, pos),
        }
    }

    /// docutils' `quoted_start`: is the start-string between matching
    /// brackets/quotes (or at the very end)?
    fn quoted_start(&self, start: usize, end: usize, pos: usize) -> bool {
        if start <= pos {
            return false;
        }
        let Some(&before) = self.chars.get(start - 1) else {
            return false;
        };
        match self.chars.get(end) {
            None => true,
            Some(&after) => match_chars(before, after),
        }
    }

    fn inline_object(&mut self, kind: StartKind, start: usize, end: usize, pos: usize) -> Outcome {
        if self.quoted_start(start, end, pos) {
            return Outcome::text(end);
        }
        let (end_kind, node_kind, name) = match kind {
            StartKind::Strong => (EndKind::Strong, Kind::Strong, "strong"),
            StartKind::Emphasis => (EndKind::Emphasis, Kind::Emphasis, "emphasis"),
            StartKind::Literal => (EndKind::Literal, Kind::Literal, "literal"),
            StartKind::Target => (EndKind::Target, Kind::Target, "target"),
            StartKind::Substitution => (
                EndKind::Substitution,
                Kind::SubstitutionReference,
                "substitution_reference",
            ),
        };
        if let Some(m) = self.search_end(end_kind, end) {
            if m.start > end {
                let inner = self.slice(end, m.start).to_vec();
                let text = if kind == StartKind::Literal {
                    restore_backslashes(&inner)
                } else {
                    unescape(&inner)
                };
                let span = self.span(start, m.end);
                let node = self.doc.create(node_kind, span);
                let inner_span = self.span(end, m.start);
                self.doc.push_text(node, text.clone(), inner_span);
                let messages = Vec::new();
                let mut result = node;
                match kind {
                    StartKind::Target => {
                        self.doc
                            .attrs_mut(node)
                            .push("names", fully_normalize_name(&text));
                        let holder = self.doc.create(Kind::Paragraph, span);
                        self.state
                            .note_explicit_target(self.doc, node, Some(holder));
                        self.place_target_messages(holder);
                    }
                    StartKind::Substitution => {
                        self.doc
                            .attrs_mut(node)
                            .set("refname", whitespace_normalize_name(&text));
                        let ending = m.end - m.start;
                        if ending > 1 {
                            let reference = self.doc.create(Kind::Reference, span);
                            if ending == 3 {
                                self.doc.attrs_mut(reference).set("anonymous", true);
                            } else {
                                self.doc
                                    .attrs_mut(reference)
                                    .set("refname", fully_normalize_name(&text));
                            }
                            self.doc.append(reference, node);
                            result = reference;
                        }
                    }
                    _ => {}
                }
                return Outcome {
                    before_end: start,
                    nodes: vec![result],
                    next: m.end,
                    messages,
                };
            }
        }
        if problem_budget_spent(self.state) {
            return Outcome::text(end);
        }
        let raw = restore_backslashes(self.slice(start, end));
        let message = format!("Inline {name} start-string without end-string.");
        let span = self.span(start, end);
        let (problematic, msg) = self.problematic(&raw, 2, "rst/unbalanced-inline", &message, span);
        Outcome {
            before_end: start,
            nodes: vec![problematic],
            next: end,
            messages: vec![msg],
        }
    }

    /// Messages from registering a target go where docutils' `self.parent`
    /// is: the container of the block being parsed, *before* that block —
    /// unless a body element is not allowed there (a line block, a field,
    /// a title, a block not yet attached); then docutils leaves the message
    /// dangling and the `Messages` transform collects it.
    fn place_target_messages(&mut self, holder: NodeId) {
        let messages: Vec<NodeId> = self.doc.children(holder).to_vec();
        let container = self
            .doc
            .parent(self.parent)
            .filter(|&c| accepts_body_elements(self.doc.kind(c)))
            .filter(|_| !matches!(self.doc.kind(self.parent), Kind::Title | Kind::Subtitle));
        for message in messages {
            self.doc.detach(message);
            if let Some(container) = container {
                let position = self
                    .doc
                    .children(container)
                    .iter()
                    .position(|&c| c == self.parent)
                    .unwrap_or(usize::MAX);
                self.doc.insert(container, position, message);
            }
        }
    }

    /// docutils' `Inliner.problematic`: a `<problematic>` node linked both
    /// ways with a new system message.
    pub(crate) fn problematic(
        &mut self,
        raw: &str,
        level: u8,
        code: &'static str,
        message: &str,
        span: Span,
    ) -> (NodeId, NodeId) {
        make_problematic(self.doc, self.state, raw, level, code, message, span)
    }

    fn interpreted_or_phrase_ref(
        &mut self,
        role_start: usize,
        backquote: usize,
        pos: usize,
    ) -> Outcome {
        let match_end = backquote + 1;
        let role: Option<String> = if role_start < backquote {
            Some(unescape(self.slice(role_start + 1, backquote - 1)))
        } else {
            None
        };
        if role.is_none() && self.quoted_start(backquote, match_end, pos) {
            return Outcome::text(match_end);
        }
        let end = self.search_end(EndKind::Interpreted, match_end);
        let Some(end) = end.filter(|m| m.start > match_end) else {
            if problem_budget_spent(self.state) {
                return Outcome::text(match_end);
            }
            let raw = restore_backslashes(self.slice(backquote, match_end));
            let span = self.span(backquote, match_end);
            let (problematic, msg) = self.problematic(
                &raw,
                2,
                "rst/unbalanced-inline",
                "Inline interpreted text or phrase reference start-string without end-string.",
                span,
            );
            return Outcome {
                before_end: backquote,
                nodes: vec![problematic],
                next: match_end,
                messages: vec![msg],
            };
        };
        let text_end = end.end;
        let mut role = role;
        let mut position = "prefix";
        if let Some((rs, re)) = end.role {
            if role.is_some() {
                return self.mismatch(
                    role_start,
                    text_end,
                    "Multiple roles in interpreted text (both prefix and suffix present; only one allowed).",
                );
            }
            role = Some(unescape(self.slice(rs + 1, re - 1)));
            position = "suffix";
        }
        let escaped: Vec<char> = self.slice(match_end, end.start).to_vec();
        if end.refend > 0 {
            if role.is_some() {
                let message = format!(
                    "Mismatch: both interpreted text role {position} and reference suffix."
                );
                return self.mismatch(role_start, text_end, &message);
            }
            let rawsource = restore_backslashes(self.slice(backquote, text_end));
            return self.phrase_ref(backquote, text_end, &rawsource, &escaped);
        }
        let rawsource = restore_backslashes(self.slice(role_start, text_end));
        let span = self.span(role_start, text_end);
        let (nodes, messages) = roles::interpreted(
            self.doc,
            self.state,
            role.as_deref().unwrap_or(""),
            &rawsource,
            &escaped,
            span,
        );
        Outcome {
            before_end: role_start,
            nodes,
            next: text_end,
            messages,
        }
    }

    fn mismatch(&mut self, start: usize, end: usize, message: &str) -> Outcome {
        let raw = restore_backslashes(self.slice(start, end));
        let span = self.span(start, end);
        let (problematic, msg) = self.problematic(&raw, 2, "rst/interpreted-text", message, span);
        Outcome {
            before_end: start,
            nodes: vec![problematic],
            next: end,
            messages: vec![msg],
        }
    }

    fn phrase_ref(
        &mut self,
        start: usize,
        end: usize,
        rawsource: &str,
        escaped: &[char],
    ) -> Outcome {
        let span = self.span(start, end);
        let anonymous = rawsource.ends_with("__");
        let mut text: Vec<char> = escaped.to_vec();
        // (kind is name?, alias value) of an embedded `<uri>` / `<name_>`.
        let mut alias: Option<(bool, String)> = None;
        if let Some((text_end, alias_start)) = embedded_link(escaped) {
            let alias_chars = escaped.get(alias_start..escaped.len() - 1).unwrap_or(&[]);
            let raw_alias = restore_backslashes(alias_chars);
            let underscore_escaped = raw_alias.ends_with("\\_");
            let is_name = alias_chars.last() == Some(&'_')
                && !underscore_escaped
                && match_uri(alias_chars, 0).is_none();
            let value = if is_name {
                let name = alias_chars.get(..alias_chars.len() - 1).unwrap_or(&[]);
                fully_normalize_name(&unescape(name))
            } else {
                let mut uri = split_escaped_whitespace_join(alias_chars);
                if is_email(&uri.chars().collect::<Vec<_>>()) {
                    uri.insert_str(0, "mailto:");
                }
                uri
            };
            text = escaped.get(..text_end).unwrap_or(&[]).to_vec();
            if text.is_empty() {
                text = value.chars().collect();
            }
            alias = Some((is_name, value));
        }
        let unescaped = unescape(&text);
        let refname = fully_normalize_name(&unescaped);
        let reference = self.doc.create(Kind::Reference, span);
        self.doc
            .attrs_mut(reference)
            .set("name", whitespace_normalize_name(&unescaped));
        self.doc.push_text(reference, unescaped.clone(), span);
        let mut nodes = vec![reference];
        let messages = Vec::new();
        match (alias, anonymous) {
            (Some((true, name)), true) => self.doc.attrs_mut(reference).set("refname", name),
            (Some((false, uri)), true) => self.doc.attrs_mut(reference).set("refuri", uri),
            (None, true) => self.doc.attrs_mut(reference).set("anonymous", true),
            (Some((is_name, value)), false) => {
                let target = self.doc.create(Kind::Target, span);
                if is_name {
                    self.doc.attrs_mut(reference).set("refname", value.clone());
                    self.doc.attrs_mut(target).set("refname", value);
                } else {
                    self.doc.attrs_mut(reference).set("refuri", value.clone());
                    self.doc.attrs_mut(target).set("refuri", value);
                }
                self.doc.attrs_mut(target).push("names", refname);
                let holder = self.doc.create(Kind::Paragraph, span);
                self.state
                    .note_implicit_target(self.doc, target, Some(holder));
                self.place_target_messages(holder);
                nodes.push(target);
            }
            (None, false) => self.doc.attrs_mut(reference).set("refname", refname),
        }
        Outcome {
            before_end: start,
            nodes,
            next: end,
            messages,
        }
    }

    // -----------------------------------------------------------------------
    // Standalone URIs and e-mail addresses in plain text.

    /// Append `chars[start..end]` as text, turning standalone URIs into
    /// references (docutils' `implicit_inline`). The range is a string of
    /// its own: its start counts as `^` and its end as `$`.
    fn implicit_inline(&mut self, start: usize, end: usize) {
        if start >= end {
            return;
        }
        // A standalone URI needs a ':' (scheme) or an '@' (e-mail address).
        let possible = self.slice(start, end).iter().any(|&c| c == ':' || c == '@');
        if !possible {
            let span = self.span(start, end);
            let text = unescape(self.slice(start, end));
            if !text.is_empty() {
                self.doc.push_text(self.parent, text, span);
            }
            return;
        }
        let segment: Vec<char> = self.slice(start, end).to_vec();
        let ahead = Lookahead {
            colon: next_positions(&segment, ':'),
            at: next_positions(&segment, '@'),
        };
        // Work list of ranges (relative to `segment`), processed in order.
        let mut pieces: Vec<(usize, usize, Option<UriMatch>)> = Vec::new();
        // docutils recurses on the text before and after each match; a
        // mismatch (unknown scheme) turns the whole piece into text.
        let mut stack = vec![(0usize, segment.len())];
        while let Some((a, b)) = stack.pop() {
            let piece = segment.get(a..b).unwrap_or(&[]);
            let found = search_uri_in(piece, a, &ahead);
            match found {
                Some(m) if m.scheme_known => {
                    // Pieces are disjoint, so sorting by start restores the order.
                    pieces.push((a + m.start, a + m.end, Some(m)));
                    stack.push((a + m.end, b));
                    stack.push((a, a + m.start));
                }
                _ => pieces.push((a, b, None)),
            }
        }
        pieces.sort_by_key(|p| (p.0, p.1));
        for (a, b, uri) in pieces {
            if a >= b {
                continue;
            }
            let piece = segment.get(a..b).unwrap_or(&[]);
            let span = self.span(start + a, start + b);
            match uri {
                None => {
                    let text = unescape(piece);
                    if !text.is_empty() {
                        self.doc.push_text(self.parent, text, span);
                    }
                }
                Some(m) => {
                    let text = unescape(piece);
                    let mut refuri = text.clone();
                    if m.email {
                        refuri.insert_str(0, "mailto:");
                    }
                    let reference = self.doc.push(self.parent, Kind::Reference, span);
                    self.doc.attrs_mut(reference).set("refuri", refuri);
                    self.doc.push_text(reference, text, span);
                }
            }
        }
    }
}

/// Elements whose content model takes body elements (a system message).
fn accepts_body_elements(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Document
            | Kind::Section
            | Kind::BlockQuote
            | Kind::ListItem
            | Kind::Definition
            | Kind::FieldBody
            | Kind::Description
            | Kind::Entry
            | Kind::Footnote
            | Kind::Citation
            | Kind::Topic
            | Kind::Sidebar
            | Kind::Compound
            | Kind::Container
            | Kind::Legend
            | Kind::Attention
            | Kind::Caution
            | Kind::Danger
            | Kind::Error
            | Kind::Hint
            | Kind::Important
            | Kind::Note
            | Kind::Tip
            | Kind::Warning
            | Kind::Admonition
            | Kind::Seealso
            | Kind::TodoNode
            | Kind::SystemMessage
    )
}

/// After this many `<problematic>` nodes in one file, further markup
/// errors are left as plain text: docutils has no such limit, but a
/// hostile file of millions of unbalanced start-strings would otherwise
/// cost gigabytes of nodes and messages.
pub(crate) const MAX_PROBLEMATIC: usize = 10_000;

/// Has this file used up its budget of `<problematic>` nodes?
pub(crate) fn problem_budget_spent(state: &ParserState) -> bool {
    state
        .targets
        .id_counter
        .get("problematic-")
        .is_some_and(|&count| count >= MAX_PROBLEMATIC)
}

/// Build a `<problematic>` + `<system_message>` pair (docutils' `problematic`).
pub(crate) fn make_problematic(
    doc: &mut Document,
    state: &mut ParserState,
    raw: &str,
    level: u8,
    code: &'static str,
    message: &str,
    span: Span,
) -> (NodeId, NodeId) {
    let msg = state.system_message(doc, level, code, message, span, None);
    let msg_id = state.set_id(doc, msg, None, "");
    let problematic = doc.create(Kind::Problematic, span);
    doc.attrs_mut(problematic).set("refid", msg_id);
    doc.push_text(problematic, raw, span);
    let problematic_id = state.set_id(doc, problematic, None, "");
    doc.attrs_mut(msg).push("backrefs", problematic_id);
    (problematic, msg)
}

struct Outcome {
    /// End of the plain text before the construct.
    before_end: usize,
    nodes: Vec<NodeId>,
    /// Where scanning resumes.
    next: usize,
    messages: Vec<NodeId>,
}

impl Outcome {
    fn nodes(before_end: usize, nodes: Vec<NodeId>, next: usize) -> Outcome {
        Outcome {
            before_end,
            nodes,
            next,
            messages: Vec::new(),
        }
    }

    /// Not markup after all: the text up to `next` stays plain.
    fn text(next: usize) -> Outcome {
        Outcome {
            before_end: next,
            nodes: Vec::new(),
            next,
            messages: Vec::new(),
        }
    }
}

/// docutils' embedded-link pattern on the text of a phrase reference:
/// `text <alias>` at the end. Returns (end of the text before the spaces,
/// start of the alias).
fn embedded_link(escaped: &[char]) -> Option<(usize, usize)> {
    let m = escaped.len();
    if m < 3 || escaped.get(m - 1) != Some(&'>') {
        return None;
    }
    let before_close = *escaped.get(m - 2)?;
    if is_space(before_close) || before_close == ESC {
        return None;
    }
    // The last unescaped angle bracket before the closing one must be '<'.
    let mut k = m - 2;
    loop {
        let c = *escaped.get(k)?;
        if (c == '<' || c == '>') && !(k > 0 && escaped.get(k - 1) == Some(&ESC)) {
            break;
        }
        if k == 0 {
            return None;
        }
        k -= 1;
    }
    if escaped.get(k) != Some(&'<') || k + 1 >= m - 1 {
        return None;
    }
    if escaped.get(k + 1).is_some_and(|&c| is_space(c)) {
        return None;
    }
    let mut text_end = k;
    while text_end > 0 && matches!(escaped.get(text_end - 1), Some(' ') | Some('\n')) {
        text_end -= 1;
    }
    if text_end == k && k != 0 {
        return None; // needs whitespace (or the string start) before '<'
    }
    Some((text_end, k + 1))
}

/// The URI of an embedded link: unescaped whitespace removed, escaped
/// whitespace kept as single spaces, then unescaped.
fn split_escaped_whitespace_join(alias: &[char]) -> String {
    let mut parts: Vec<Vec<char>> = vec![Vec::new()];
    let mut i = 0;
    while let Some(&c) = alias.get(i) {
        if c == ESC && matches!(alias.get(i + 1), Some(' ') | Some('\n')) {
            parts.push(Vec::new());
            i += 2;
            continue;
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
        i += 1;
    }
    let mut joined: Vec<char> = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            joined.push(' ');
        }
        joined.extend(part.iter().copied().filter(|&c| !is_space(c)));
    }
    let mut uri = unescape(&joined);
    if uri.ends_with("\\_") {
        uri.truncate(uri.len() - 2);
        uri.push('_');
    }
    uri
}

#[derive(Clone, Copy, Debug)]
struct UriMatch {
    start: usize,
    end: usize,
    email: bool,
    scheme_known: bool,
}

/// Leftmost standalone URI or e-mail address in `s` (a string of its own).
/// For each index, the position of the next `needle` at or after it
/// (`len` when there is none); one more entry for the end.
fn next_positions(s: &[char], needle: char) -> Vec<usize> {
    let mut next = vec![s.len(); s.len() + 1];
    for i in (0..s.len()).rev() {
        let here = if s.get(i) == Some(&needle) {
            i
        } else {
            next.get(i + 1).copied().unwrap_or(s.len())
        };
        if let Some(slot) = next.get_mut(i) {
            *slot = here;
        }
    }
    next
}

/// Where the next ':' and '@' are in the segment being searched.
struct Lookahead {
    colon: Vec<usize>,
    at: Vec<usize>,
}

/// Leftmost standalone URI in `s`, which starts at `offset` in the segment
/// `ahead` was built for.
fn search_uri_in(s: &[char], offset: usize, ahead: &Lookahead) -> Option<UriMatch> {
    let end = offset + s.len();
    let found_after =
        |table: &[usize], p: usize| table.get(offset + p + 1).is_some_and(|&i| i < end);
    search_uri_with(s, |p| {
        (found_after(&ahead.colon, p), found_after(&ahead.at, p))
    })
}

/// Leftmost standalone URI or e-mail address in `s` (a string of its own).
#[cfg(test)]
fn search_uri(s: &[char]) -> Option<UriMatch> {
    let ahead = Lookahead {
        colon: next_positions(s, ':'),
        at: next_positions(s, '@'),
    };
    search_uri_in(s, 0, &ahead)
}

fn search_uri_with(s: &[char], ahead: impl Fn(usize) -> (bool, bool)) -> Option<UriMatch> {
    let mut email_run: (usize, usize) = (usize::MAX, 0);
    // End of the last scanned run of scheme characters: a scheme must be
    // followed by ':', which can only sit at the end of such a run, so
    // starts inside a run already known to lack the colon are skipped.
    let mut scheme_run: (usize, usize) = (usize::MAX, 0);
    for p in 0..s.len() {
        let c = s.get(p).copied()?;
        let (colon_ahead, at_ahead) = ahead(p);
        if !colon_ahead && !at_ahead {
            return None;
        }
        if !(c.is_ascii_alphanumeric() || is_emailc(c)) || !prefix_ok(s, 0, p) {
            continue;
        }
        let mut try_absolute = colon_ahead && c.is_ascii_alphabetic();
        if try_absolute {
            if !(scheme_run.0 <= p && p < scheme_run.1) {
                let mut end = p + 1;
                while s.get(end).is_some_and(|&d| is_scheme_char(d)) {
                    end += 1;
                }
                scheme_run = (p, end);
            }
            try_absolute = s.get(scheme_run.1) == Some(&':');
        }
        if try_absolute {
            if let Some(m) = match_absolute(s, p) {
                return Some(m);
            }
        }
        if !at_ahead {
            continue;
        }
        if let Some(end) = match_email(s, p, &mut email_run) {
            if suffix_ok(s, end) {
                return Some(UriMatch {
                    start: p,
                    end,
                    email: true,
                    scheme_known: true,
                });
            }
        }
    }
    None
}

fn is_scheme_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')
}

/// `uri.match(s)`: a URI starting at `p` (prefix already checked).
fn match_uri(s: &[char], p: usize) -> Option<UriMatch> {
    let mut email_run = (usize::MAX, 0);
    match_uri_at(s, p, &mut email_run)
}

fn match_uri_at(s: &[char], p: usize, email_run: &mut (usize, usize)) -> Option<UriMatch> {
    if let Some(m) = match_absolute(s, p) {
        return Some(m);
    }
    let end = match_email(s, p, email_run)?;
    suffix_ok(s, end).then_some(UriMatch {
        start: p,
        end,
        email: true,
        scheme_known: true,
    })
}

/// Attempts allowed when backtracking over the optional URI parts.
const URI_BUDGET: usize = 256;

fn match_absolute(s: &[char], p: usize) -> Option<UriMatch> {
    let at = |i: usize| s.get(i).copied();
    if !at(p)?.is_ascii_alphabetic() {
        return None;
    }
    let mut colon = p + 1;
    while at(colon).is_some_and(is_scheme_char) {
        colon += 1;
    }
    if at(colon) != Some(':') {
        return None;
    }
    let scheme: String = s
        .get(p..colon)?
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    let hier_start = colon + 1;
    let run_end = |from: usize| {
        let mut e = from;
        while at(e).is_some_and(is_uric) {
            e += 1;
        }
        e
    };
    // Ends `e` (exclusive) of a `uric* uri_end` part starting at `from`, longest first.
    let ends = |from: usize| {
        let r = run_end(from);
        (from + 1..=r).rev().filter(move |&e| {
            let last = s.get(e - 1).copied().unwrap_or(' ');
            is_urilast(last) || (is_uric(last) && s.get(e) == Some(&'>'))
        })
    };
    let mut budget = URI_BUDGET;
    for e1 in ends(hier_start) {
        let mut tails: Vec<usize> = Vec::new();
        if at(e1) == Some('?') {
            tails.extend(ends(e1 + 1).take(URI_BUDGET));
        }
        tails.push(e1);
        for e2 in tails {
            let mut finals: Vec<usize> = Vec::new();
            if at(e2) == Some('#') {
                finals.extend(ends(e2 + 1).take(URI_BUDGET));
            }
            finals.push(e2);
            for e3 in finals {
                if suffix_ok(s, e3) {
                    return Some(UriMatch {
                        start: p,
                        end: e3,
                        email: false,
                        scheme_known: URI_SCHEMES.binary_search(&scheme.as_str()).is_ok(),
                    });
                }
                budget = budget.saturating_sub(1);
                if budget == 0 {
                    return None;
                }
            }
        }
    }
    None
}

/// An e-mail address starting at `p`; returns its end.
fn match_email(s: &[char], p: usize, run: &mut (usize, usize)) -> Option<usize> {
    let at = |i: usize| s.get(i).copied();
    if !at(p).is_some_and(is_emailc) {
        return None;
    }
    // Local part: emailc runs joined by single dots, then '@'.
    let local_end = if run.0 <= p && p < run.1 {
        run.1
    } else {
        let mut e = p;
        while at(e).is_some_and(|c| is_emailc(c) || c == '.') {
            e += 1;
        }
        *run = (p, e);
        e
    };
    if at(local_end) != Some('@') || local_end == p {
        return None;
    }
    let local = s.get(p..local_end)?;
    if local.last() == Some(&'.')
        || local.last() == Some(&ESC)
        || local.windows(2).any(|w| w == ['.', '.'])
    {
        return None;
    }
    let domain_start = local_end + 1;
    if !at(domain_start).is_some_and(is_emailc) {
        return None;
    }
    let mut domain_end = domain_start;
    while at(domain_end).is_some_and(|c| is_emailc(c) || c == '.') {
        domain_end += 1;
    }
    // `emailc+(\.emailc*)*` then one `uri_end` char at k, then the suffix.
    let mut k = domain_end;
    while k > domain_start {
        if let Some(c) = at(k) {
            let is_end = is_urilast(c) || (is_uric(c) && at(k + 1) == Some('>'));
            if is_end && suffix_ok(s, k + 1) {
                return Some(k + 1);
            }
        }
        k -= 1;
    }
    None
}

/// docutils' `email` pattern anchored at both ends (for `adjust_uri`).
fn is_email(s: &[char]) -> bool {
    let at = |i: usize| s.get(i).copied();
    if !at(0).is_some_and(is_emailc) {
        return false;
    }
    let mut local_end = 0;
    while at(local_end).is_some_and(|c| is_emailc(c) || c == '.') {
        local_end += 1;
    }
    if at(local_end) != Some('@') {
        return false;
    }
    let domain_start = local_end + 1;
    if !at(domain_start).is_some_and(is_emailc) {
        return false;
    }
    let last = s.last().copied().unwrap_or(' ');
    let body_ok = s
        .get(domain_start..s.len().saturating_sub(1))
        .is_some_and(|d| d.iter().all(|&c| is_emailc(c) || c == '.'));
    body_ok && s.len() > domain_start + 1 && is_urilast(last)
}

/// URI schemes docutils recognises in standalone URIs (IANA list as of
/// docutils' `urischemes`), sorted for binary search.
#[rustfmt::skip]
static URI_SCHEMES: &[&str] = &[
    "about", "acap", "addbook", "afp", "afs", "aim", "callto", "castanet", "chttp", "cid", "crid",
    "data", "dav", "dict", "dns", "eid", "fax", "feed", "file", "finger", "freenet", "ftp", "go",
    "gopher", "gsm-sms", "h323", "h324", "hdl", "hnews", "http", "https", "hydra", "iioploc", "ilu",
    "im", "imap", "info", "ior", "ipp", "irc", "iris.beep", "iseek", "jar", "javascript", "jdbc",
    "ldap", "lifn", "livescript", "lrq", "mailbox", "mailserver", "mailto", "md5", "mid", "mocha",
    "modem", "mtqp", "mupdate", "news", "nfs", "nntp", "opaquelocktoken", "phone", "pop", "pop3",
    "pres", "printer", "prospero", "rdar", "res", "rtsp", "rvp", "rwhois", "rx", "sdp", "service",
    "shttp", "sip", "sips", "smb", "snmp", "soap.beep", "soap.beeps", "ssh", "t120", "tag", "tcp",
    "tel", "telephone", "telnet", "tftp", "tip", "tn3270", "tv", "urn", "uuid", "vemmi", "videotex",
    "view-source", "wais", "whodp", "whois++", "x-man-page", "xmlrpc.beep", "xmlrpc.beeps",
    "z39.50r", "z39.50s",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_schemes_are_sorted() {
        assert!(URI_SCHEMES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn escapes_become_markers_and_unescape_drops_them() {
        let chars = escape_to_null(r"a\*b\ c\\d");
        assert_eq!(unescape(&chars), r"a*bc\d");
        assert_eq!(restore_backslashes(&chars), r"a\*b\ c\\d");
    }

    #[test]
    fn uri_search_finds_the_docutils_extent() {
        let s: Vec<char> = "see http://x.org/a. now".chars().collect();
        let m = search_uri(&s).expect("uri");
        assert_eq!(
            s[m.start..m.end].iter().collect::<String>(),
            "http://x.org/a"
        );
        let s: Vec<char> = "mail me@example.com.".chars().collect();
        let m = search_uri(&s).expect("email");
        assert!(m.email);
        assert_eq!(
            s[m.start..m.end].iter().collect::<String>(),
            "me@example.com"
        );
    }
}
