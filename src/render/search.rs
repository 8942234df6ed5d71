//! The search stage: every spec's document tree in, a static, chunked
//! full-text index out (files under `search/` in the [`OutputTree`]).
//!
//! It runs beside page rendering (see `render::site`), is pure, and has no
//! server part: `static/search.js` fetches the files it needs with relative
//! URLs, so the index works on GitHub Pages under any sub-path and in
//! `serve`. The layout is chosen so that a first query loads little:
//!
//! * `search/manifest.json` (fixed name, small): format version, tokeniser
//!   settings, the facet values (statuses, milestones, with counts), every
//!   document as a compact array `[dir, file, title, status, milestone]`,
//!   the chunk boundaries and the directory of the fragments.
//! * `search/t/<hash>.json`: the inverted index split by term into chunks
//!   of about [`CHUNK_TARGET_BYTES`], each `[[term, postings], ...]` sorted
//!   by term (UTF-16 order, as JavaScript compares), postings a flat array
//!   of `doc-delta, weighted-tf, heading+1 (0 = none)` triples. A query
//!   fetches only the chunks whose range holds its words.
//! * `search/f-<hash>/<block>.json`: the fragments of [`FRAGMENT_BLOCK`]
//!   consecutive documents, each `[excerpt, [[anchor, heading], ...]]`,
//!   fetched for the results on screen only. One file per document would
//!   fetch the fewest bytes (10 KB gzip for 20 nova results against 19 KB
//!   in blocks of 4) but doubles the files a build writes, which cost more
//!   build time than the whole index.
//!
//! Chunks and fragments are named by content hash, so they may be cached
//! forever; only the manifest must be revalidated. Nothing from content is
//! interpreted here beyond splitting text into words.

use std::collections::HashMap;

use hashbrown::HashTable;
use rayon::prelude::*;

use crate::markup::doc::{Document, Kind, NodeId};
use crate::model::{Spec, StatusScheme};
use crate::output::OutputTree;

/// Version of the index format, checked by search.js.
pub const INDEX_VERSION: u32 = 1;
/// Weight of one occurrence of a word in the spec's title.
pub const TITLE_WEIGHT: u32 = 8;
/// Weight of one occurrence in a section heading.
pub const HEADING_WEIGHT: u32 = 3;
/// Weight of one occurrence in the body.
pub const BODY_WEIGHT: u32 = 1;
/// Words shorter than this (in characters) are not indexed.
pub const MIN_TERM_CHARS: usize = 2;
/// Longer "words" are hashes, URLs or base64 nobody types: not indexed.
pub const MAX_TERM_CHARS: usize = 40;
/// Target size of one index chunk, in bytes of JSON: big enough that a
/// query needs one or two, small enough that each loads fast.
pub const CHUNK_TARGET_BYTES: usize = 24 * 1024;
/// Documents whose fragments share one file.
pub const FRAGMENT_BLOCK: usize = 4;
/// Characters of body text kept as a result's excerpt.
pub const EXCERPT_CHARS: usize = 220;

/// Words so common in specs that they select nothing; sorted for binary
/// search. The browser drops them from queries too (the manifest lists them).
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "do", "does", "each", "for", "from", "has", "have", "how", "if",
    "in", "into", "is", "it", "its", "may", "more", "no", "not", "of", "on", "one", "only", "or",
    "other", "our", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "us", "was", "we", "were", "what", "when", "which",
    "while", "who", "will", "with", "would", "you",
];

/// Longest word in [`STOP_WORDS`]: longer words skip the stop-word search.
const LONGEST_STOP_WORD: usize = 6;

/// Hash of a word for the index's tables: FxHash's multiply-rotate over
/// 8-byte words. The keys are words of the build's own input and only
/// decide which bucket holds them, so a keyed hash buys nothing here;
/// SipHash was once the largest single cost of indexing.
fn word_hash(word: &str) -> u64 {
    fn mix(hash: u64, bytes: &[u8]) -> u64 {
        let mut word = [0u8; 8];
        word.iter_mut()
            .zip(bytes)
            .for_each(|(to, from)| *to = *from);
        (hash.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
    }
    let bytes = word.as_bytes();
    let mut hash = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for eight in &mut words {
        hash = mix(hash, eight);
    }
    if !words.remainder().is_empty() {
        hash = mix(hash, words.remainder());
    }
    // The multiply leaves the low bits weakest; the tables pick buckets
    // with them, so bring the strong high bits down.
    hash.rotate_left(26)
}

/// How many shards the merge into the inverted index runs in: enough to
/// keep every core busy, few enough that per-shard work dominates.
const MERGE_SHARDS: usize = 16;

/// The merge shard of a term, from bits of its hash that neither the
/// tables' bucket (low bits) nor their tag (top 7 bits) use, so the terms
/// of one shard still spread over the whole of the shard's table.
fn shard_of(hash: u64) -> usize {
    usize::try_from((hash >> 40) % MERGE_SHARDS as u64).unwrap_or(0)
}

/// Call `each` with every word of `text` between [`MIN_TERM_CHARS`] and
/// [`MAX_TERM_CHARS`] characters long, stop words included: split on
/// characters that are not alphanumeric (Unicode), lowercased character by
/// character (as search.js does). Runs of ASCII letters and digits, nearly
/// all of the text, are cut and lowercased bytewise and passed on borrowed
/// from `text` when already lowercase; `buffer` holds the others.
fn each_sized_word(text: &str, buffer: &mut String, mut each: impl FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while let Some(&first) = bytes.get(at) {
        if first.is_ascii() {
            if !first.is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
        } else {
            match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) if c.is_alphanumeric() => {}
                Some(c) => {
                    at += c.len_utf8();
                    continue;
                }
                None => break,
            }
        }
        let start = at;
        let rest = bytes.get(start..).unwrap_or_default();
        let ascii_end = start
            + rest
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(rest.len());
        if bytes.get(ascii_end).is_none_or(u8::is_ascii) {
            // Letters and digits only: one byte is one character.
            at = ascii_end;
            let word = text.get(start..ascii_end).unwrap_or_default();
            if (MIN_TERM_CHARS..=MAX_TERM_CHARS).contains(&word.len()) {
                if word.bytes().any(|b| b.is_ascii_uppercase()) {
                    buffer.clear();
                    buffer.push_str(word);
                    buffer.make_ascii_lowercase();
                    each(buffer);
                } else {
                    each(word);
                }
            }
            continue;
        }
        // A word with non-ASCII letters: character by character.
        buffer.clear();
        let mut chars = 0usize;
        for c in text.get(start..).unwrap_or_default().chars() {
            let ascii = c.is_ascii_alphanumeric();
            if !ascii && (c.is_ascii() || !c.is_alphanumeric()) {
                break;
            }
            at += c.len_utf8();
            chars += 1;
            // Past the limit the word is dropped: stop growing the buffer
            // (a hostile "word" may be megabytes long).
            if chars > MAX_TERM_CHARS {
                continue;
            }
            if ascii {
                buffer.push(c.to_ascii_lowercase());
            } else {
                buffer.extend(c.to_lowercase());
            }
        }
        if (MIN_TERM_CHARS..=MAX_TERM_CHARS).contains(&chars) {
            each(buffer);
        }
    }
}

/// A word of at most 8 bytes as a number that sorts as the word does
/// (bytes big-end first, padded with zeros, which sort before any byte).
fn packed_word(word: &str) -> u64 {
    let mut bytes = [0u8; 8];
    bytes
        .iter_mut()
        .zip(word.as_bytes())
        .for_each(|(to, from)| *to = *from);
    u64::from_be_bytes(bytes)
}

/// Whether `word` is one of [`STOP_WORDS`]. Asked once per distinct word
/// of each document: comparing packed numbers rather than strings keeps
/// the search free of `memcmp` calls.
fn is_stop_word(word: &str) -> bool {
    static PACKED: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let packed = PACKED.get_or_init(|| STOP_WORDS.iter().map(|w| packed_word(w)).collect());
    word.len() <= LONGEST_STOP_WORD && packed.binary_search(&packed_word(word)).is_ok()
}

/// Whether two words are the same. Words are short, where a loop beats a
/// call to `memcmp`.
fn same_word(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

/// Call `each` with every indexable word of `text`: split on characters
/// that are not alphanumeric (Unicode), lowercased character by character
/// (as search.js does), without stop words and too short or long words.
pub fn tokenize(text: &str, mut each: impl FnMut(&str)) {
    let mut buffer = String::new();
    each_sized_word(text, &mut buffer, |word| {
        if !is_stop_word(word) {
            each(word);
        }
    });
}

/// One document's occurrences of one term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Posting {
    /// Sum of the field weights of every occurrence.
    weight: u32,
    /// 1 + index of the first heading the term occurs in; 0 when none.
    heading: u32,
}

/// One distinct term of a document: where its text sits in the
/// document's [`DocumentWords::term_text`], and what it scored.
#[derive(Clone, Copy, Debug)]
struct DocumentTerm {
    hash: u64,
    start: u32,
    len: u16,
    /// A stop word: kept in the table so that each further occurrence is
    /// recognised by the lookup that happens anyway, then dropped.
    stop: bool,
    posting: Posting,
}

/// Scratch space for reading documents, reused from one document to the
/// next on the same thread so that counting words allocates nothing per
/// word and little per document.
#[derive(Default)]
struct WordScratch {
    /// Index into [`DocumentWords::terms`] of each term, by its text.
    table: HashTable<u32>,
    /// A word being lowercased.
    buffer: String,
}

/// What the index keeps of one spec.
#[derive(Debug, Default)]
struct DocumentWords {
    /// The text of every distinct term, one after another.
    term_text: String,
    /// The distinct terms, grouped by merge shard once the document is read
    /// (see [`DocumentWords::finish`]).
    terms: Vec<DocumentTerm>,
    /// End in `terms` of each shard's group.
    shard_ends: [u32; MERGE_SHARDS],
    /// (anchor, heading text) of every section with an anchor.
    headings: Vec<(String, String)>,
    excerpt: String,
}

impl DocumentWords {
    fn text_of(&self, term: &DocumentTerm) -> &str {
        let start = term.start as usize;
        self.term_text
            .get(start..start + usize::from(term.len))
            .unwrap_or_default()
    }

    /// Count the words of `text`, each worth `weight`, found under heading
    /// `heading` (0 = none).
    fn add(&mut self, scratch: &mut WordScratch, text: &str, weight: u32, heading: u32) {
        let WordScratch { table, buffer } = scratch;
        each_sized_word(text, buffer, |word| {
            let hash = word_hash(word);
            let found = table.find(hash, |&id| {
                self.terms
                    .get(id as usize)
                    .is_some_and(|term| same_word(self.text_of(term), word))
            });
            if let Some(term) = found.and_then(|&id| self.terms.get_mut(id as usize)) {
                let posting = &mut term.posting;
                posting.weight = posting.weight.saturating_add(weight);
                if posting.heading == 0 {
                    posting.heading = heading;
                }
                return;
            }
            // A new term. Offsets beyond u32 (a document of gigabytes)
            // drop the word rather than wrap.
            let (Ok(id), Ok(start), Ok(len)) = (
                u32::try_from(self.terms.len()),
                u32::try_from(self.term_text.len()),
                u16::try_from(word.len()),
            ) else {
                return;
            };
            self.term_text.push_str(word);
            self.terms.push(DocumentTerm {
                hash,
                start,
                len,
                stop: is_stop_word(word),
                posting: Posting { weight, heading },
            });
            let terms = &self.terms;
            table.insert_unique(hash, id, |&id| {
                terms.get(id as usize).map_or(0, |term| term.hash)
            });
        });
    }

    /// Drop the stop words and group the terms by merge shard.
    fn finish(&mut self, scratch: &mut WordScratch) {
        scratch.table.clear();
        self.terms.retain(|term| !term.stop);
        self.terms.sort_unstable_by_key(|term| shard_of(term.hash));
        let mut end = 0usize;
        for (shard, shard_end) in self.shard_ends.iter_mut().enumerate() {
            end += self
                .terms
                .get(end..)
                .unwrap_or_default()
                .iter()
                .take_while(|term| shard_of(term.hash) == shard)
                .count();
            *shard_end = u32::try_from(end).unwrap_or(u32::MAX);
        }
    }

    /// The terms of merge shard `shard`.
    fn shard(&self, shard: usize) -> &[DocumentTerm] {
        let start = shard
            .checked_sub(1)
            .and_then(|previous| self.shard_ends.get(previous))
            .map_or(0, |&end| end as usize);
        let end = self.shard_ends.get(shard).map_or(0, |&end| end as usize);
        self.terms.get(start..end).unwrap_or_default()
    }

    fn extend_excerpt(&mut self, paragraph: &str) {
        let room = EXCERPT_CHARS.saturating_sub(self.excerpt.chars().count());
        if room == 0 {
            return;
        }
        if !self.excerpt.is_empty() {
            self.excerpt.push(' ');
        }
        let mut words = paragraph.split_whitespace().peekable();
        let mut used = 0;
        while let Some(word) = words.next() {
            let length = word.chars().count();
            if used + length > room {
                self.excerpt.push('…');
                return;
            }
            self.excerpt.push_str(word);
            used += length + 1;
            if words.peek().is_some() {
                self.excerpt.push(' ');
            }
        }
    }
}

/// Elements whose text is not part of what a reader sees as the spec.
fn skipped(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Comment
            | Kind::Raw
            | Kind::SystemMessage
            | Kind::SubstitutionDefinition
            | Kind::Target
            | Kind::Pending
            | Kind::Meta
            | Kind::Image
    )
}

/// Read one spec's title, headings, body text and excerpt. Iterative, so
/// deep documents cannot overflow the stack.
fn document_words(spec: &Spec, scratch: &mut WordScratch) -> DocumentWords {
    let doc: &Document = &spec.doc;
    let mut words = DocumentWords::default();
    words.add(scratch, &spec.title, TITLE_WEIGHT, 0);
    let mut stack: Vec<NodeId> = vec![doc.root()];
    while let Some(node) = stack.pop() {
        let kind = doc.kind(node);
        if skipped(kind) || Some(node) == spec.title_node {
            continue;
        }
        match kind {
            Kind::Text => words.add(scratch, &doc.get(node).text, BODY_WEIGHT, 0),
            Kind::Title if doc.parent(node).map(|p| doc.kind(p)) == Some(Kind::Section) => {
                let text = doc.text_content(node);
                let anchor = doc
                    .parent(node)
                    .and_then(|section| doc.attrs(section).list("ids").first().cloned());
                let heading = match anchor {
                    Some(anchor) => {
                        words.headings.push((
                            anchor,
                            text.split_whitespace().collect::<Vec<_>>().join(" "),
                        ));
                        u32::try_from(words.headings.len()).unwrap_or(0)
                    }
                    None => 0,
                };
                words.add(scratch, &text, HEADING_WEIGHT, heading);
                continue;
            }
            // Prose directly in a section: header bullet lists and field
            // lists at the top of many specs are metadata, not a summary.
            Kind::Paragraph
                if words.excerpt.chars().count() < EXCERPT_CHARS
                    && matches!(
                        doc.parent(node).map(|p| doc.kind(p)),
                        Some(Kind::Section | Kind::Document)
                    ) =>
            {
                let text = doc.text_content(node);
                // A paragraph that is one URL or one word says nothing.
                if text.split_whitespace().nth(2).is_some() {
                    words.extend_excerpt(&text);
                }
            }
            _ => {}
        }
        stack.extend(doc.children(node).iter().rev());
    }
    words.finish(scratch);
    words
}

/// Where a character sorts among UTF-16 code units: characters beyond the
/// BMP are encoded with surrogates (0xD800..0xE000), so they sort after
/// U+D7FF and before U+E000, and among themselves by code point.
fn utf16_rank(c: char) -> u32 {
    let c = u32::from(c);
    match c {
        0..0xD800 => c,
        0x1_0000.. => 0xD800 + (c - 0x1_0000),
        // U+E000..=U+FFFF, above every supplementary character.
        _ => c + 0x10_0000,
    }
}

/// Compare strings the way JavaScript does (by UTF-16 code units), so the
/// browser can binary-search what we sorted. UTF-8 bytes sort like code
/// points, which differ from UTF-16 only at the first character that
/// differs, so only that character is decoded.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    let Some(differ) = a.bytes().zip(b.bytes()).position(|(x, y)| x != y) else {
        return a.len().cmp(&b.len());
    };
    // The bytes before `differ` are the same in both, so the character
    // they differ in starts at the same place in both.
    let start = (0..=differ)
        .rev()
        .find(|&at| a.is_char_boundary(at))
        .unwrap_or(0);
    let first_char = |s: &str| s.get(start..).and_then(|rest| rest.chars().next());
    first_char(a)
        .map(utf16_rank)
        .cmp(&first_char(b).map(utf16_rank))
}

/// One document's posting of a term, as the merge collects them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Occurrence {
    /// The term, numbered within its merge shard.
    term: u32,
    document: u32,
    posting: Posting,
}

/// One merge shard: its distinct terms and their postings.
struct ShardIndex<'a> {
    /// (term, range of its postings in `occurrences`).
    terms: Vec<(&'a str, std::ops::Range<usize>)>,
    /// Grouped by term, in document order within a term.
    occurrences: Vec<Occurrence>,
}

/// Collect the postings of the terms of shard `shard` from every document:
/// number the distinct terms, then sort the (term, document) pairs, so
/// no term needs a list of its own.
fn merge_shard(shard: usize, documents: &[DocumentWords]) -> ShardIndex<'_> {
    let mut table: HashTable<u32> = HashTable::new();
    let mut terms: Vec<(&str, u64)> = Vec::new();
    let mut occurrences: Vec<Occurrence> = Vec::new();
    for (document, words) in documents.iter().enumerate() {
        let document = u32::try_from(document).unwrap_or(u32::MAX);
        for term in words.shard(shard) {
            let text = words.text_of(term);
            let found = table.find(term.hash, |&id| {
                terms
                    .get(id as usize)
                    .is_some_and(|known| same_word(known.0, text))
            });
            let id = match found {
                Some(&id) => id,
                None => {
                    let Ok(id) = u32::try_from(terms.len()) else {
                        continue;
                    };
                    terms.push((text, term.hash));
                    table.insert_unique(term.hash, id, |&id| {
                        terms.get(id as usize).map_or(0, |known| known.1)
                    });
                    id
                }
            };
            occurrences.push(Occurrence {
                term: id,
                document,
                posting: term.posting,
            });
        }
    }
    drop(table);
    occurrences.sort_unstable_by_key(|o| (u64::from(o.term) << 32) | u64::from(o.document));
    let mut ranges = vec![0..0; terms.len()];
    let mut start = 0;
    for run in occurrences.chunk_by(|a, b| a.term == b.term) {
        if let Some(range) = run.first().and_then(|o| ranges.get_mut(o.term as usize)) {
            *range = start..start + run.len();
        }
        start += run.len();
    }
    ShardIndex {
        terms: terms
            .into_iter()
            .map(|(text, _)| text)
            .zip(ranges)
            .collect(),
        occurrences,
    }
}

/// One term of the inverted index with its postings, in document order.
#[derive(Clone, Copy)]
struct TermPostings<'a> {
    term: &'a str,
    postings: &'a [Occurrence],
}

/// Merge the per-document words into the inverted index, one merge shard
/// per task (see [`sorted_terms`] for the order).
fn invert(documents: &[DocumentWords]) -> Vec<ShardIndex<'_>> {
    (0..MERGE_SHARDS)
        .into_par_iter()
        .map(|shard| merge_shard(shard, documents))
        .collect()
}

/// The index's terms sorted as the browser searches them. Only distinct
/// terms are sorted, never postings.
fn sorted_terms<'a>(shards: &'a [ShardIndex<'a>]) -> Vec<TermPostings<'a>> {
    let mut index: Vec<TermPostings> = shards
        .iter()
        .flat_map(|shard| {
            shard.terms.iter().map(|(term, range)| TermPostings {
                term,
                postings: shard.occurrences.get(range.clone()).unwrap_or_default(),
            })
        })
        .collect();
    index.par_sort_unstable_by(|a, b| utf16_order(a.term, b.term));
    index
}

/// Whether `text` can go into JSON between quotes as it is. Terms are
/// letters and digits, so always; the check keeps that an optimisation.
fn json_plain(text: &str) -> bool {
    text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Bytes of `n` in decimal.
fn decimal_len(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |digits| digits as usize + 1)
}

/// Append `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut rest = n;
    let mut first = digits.len();
    for slot in digits.iter_mut().rev() {
        // `rest % 10` is below 10, so the cast cannot truncate.
        *slot = b'0' + (rest % 10) as u8;
        first -= 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(first..).unwrap_or_default());
}

/// The document numbers of `postings` as deltas from the previous one,
/// with each posting.
fn deltas(postings: &[Occurrence]) -> impl Iterator<Item = (u32, &Posting)> {
    postings.iter().scan(0u32, |previous, occurrence| {
        let delta = occurrence.document.saturating_sub(*previous);
        *previous = occurrence.document;
        Some((delta, &occurrence.posting))
    })
}

/// Bytes [`write_term`] appends for `entry`, so chunks can be cut before
/// any is written.
fn term_json_len(entry: &TermPostings) -> usize {
    let term = if json_plain(entry.term) {
        entry.term.len() + 2
    } else {
        serde_json::Value::from(entry.term).to_string().len()
    };
    let postings: usize = deltas(entry.postings)
        .map(|(delta, posting)| {
            decimal_len(delta) + decimal_len(posting.weight) + decimal_len(posting.heading) + 3
        })
        .sum();
    // `[` term `,[` postings (one comma fewer than postings) `]]`
    1 + term + 2 + postings.saturating_sub(1) + 2
}

/// Append one term's entry in a chunk: `["term",[d,w,h,...]]`, with
/// document numbers as deltas from the previous one.
fn write_term(out: &mut Vec<u8>, entry: &TermPostings) {
    out.push(b'[');
    if json_plain(entry.term) {
        out.push(b'"');
        out.extend_from_slice(entry.term.as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(serde_json::Value::from(entry.term).to_string().as_bytes());
    }
    out.extend_from_slice(b",[");
    for (n, (delta, posting)) in deltas(entry.postings).enumerate() {
        if n > 0 {
            out.push(b',');
        }
        push_decimal(out, delta);
        out.push(b',');
        push_decimal(out, posting.weight);
        out.push(b',');
        push_decimal(out, posting.heading);
    }
    out.extend_from_slice(b"]]");
}

/// A chunk of the index: its first term and its JSON text.
#[derive(Debug, PartialEq, Eq)]
pub struct Chunk {
    pub first_term: String,
    pub json: Vec<u8>,
}

/// Cut the sorted index into chunks of about `target` bytes; a term never
/// spans two chunks. The cuts are found from the entries' lengths, then
/// each chunk is written straight into its own buffer, in parallel.
fn chunk(index: &[TermPostings], target: usize) -> Vec<Chunk> {
    let lengths: Vec<usize> = index.par_iter().map(term_json_len).collect();
    // (first entry, end of entries, bytes) of each chunk.
    let mut cuts: Vec<(usize, usize, usize)> = Vec::new();
    let mut start = 0;
    let mut bytes = 1; // `[`
    for (n, length) in lengths.iter().enumerate() {
        if n > start {
            bytes += 1; // `,`
        }
        bytes += length;
        if bytes >= target {
            cuts.push((start, n + 1, bytes + 1));
            start = n + 1;
            bytes = 1;
        }
    }
    if start < index.len() {
        cuts.push((start, index.len(), bytes + 1));
    }
    cuts.into_par_iter()
        .map(|(start, end, bytes)| {
            let entries = index.get(start..end).unwrap_or_default();
            let mut json = Vec::with_capacity(bytes);
            json.push(b'[');
            for (n, entry) in entries.iter().enumerate() {
                if n > 0 {
                    json.push(b',');
                }
                write_term(&mut json, entry);
            }
            json.push(b']');
            Chunk {
                first_term: entries
                    .first()
                    .map(|entry| entry.term.to_string())
                    .unwrap_or_default(),
                json,
            }
        })
        .collect()
}

/// Facet values in display order with their document counts, and each
/// document's value as an index into them.
struct Facet {
    /// (key for the URL, label, documents, colour or "").
    values: Vec<(String, String, usize, String)>,
    of_document: Vec<Option<usize>>,
}

fn status_facet(specs: &[Spec], scheme: &StatusScheme) -> Facet {
    let ordered = scheme.ordered();
    let mut counts = vec![0usize; ordered.len()];
    let of_document: Vec<Option<usize>> = specs
        .iter()
        .map(|spec| {
            let position = ordered.iter().position(|key| *key == spec.status_key());
            if let Some(count) = position.and_then(|p| counts.get_mut(p)) {
                *count += 1;
            }
            position
        })
        .collect();
    let values = ordered
        .iter()
        .zip(&counts)
        .map(|(key, count)| {
            (
                key.key().to_string(),
                scheme.label(*key).to_string(),
                *count,
                scheme.color(*key).to_string(),
            )
        })
        .collect();
    Facet {
        values,
        of_document,
    }
}

fn milestone_facet(specs: &[Spec], releases: &[String]) -> Facet {
    let labels = super::site::milestone_labels(specs, releases);
    let position: HashMap<&str, usize> = labels.iter().enumerate().map(|(n, l)| (*l, n)).collect();
    let mut counts = vec![0usize; labels.len()];
    let of_document: Vec<Option<usize>> = specs
        .iter()
        .map(|spec| {
            let index = spec
                .milestone
                .as_ref()
                .and_then(|m| position.get(m.label.as_str()).copied());
            if let Some(count) = index.and_then(|n| counts.get_mut(n)) {
                *count += 1;
            }
            index
        })
        .collect();
    let values = labels
        .iter()
        .zip(counts)
        .map(|(label, count)| {
            (
                super::site::milestone_key(label),
                label.to_string(),
                count,
                String::new(),
            )
        })
        .collect();
    Facet {
        values,
        of_document,
    }
}

/// The fragment files of `documents` (in blocks of [`FRAGMENT_BLOCK`])
/// and the name of their directory, a hash of them all.
fn fragment_files(documents: &[DocumentWords]) -> (Vec<(String, Vec<u8>)>, String) {
    let fragments: Vec<String> = documents
        .par_iter()
        .map(|words| {
            let headings: Vec<[&str; 2]> = words
                .headings
                .iter()
                .map(|(anchor, text)| [anchor.as_str(), text.as_str()])
                .collect();
            serde_json::to_string(&(&words.excerpt, headings)).unwrap_or_default()
        })
        .collect();
    let fragment_dir = format!(
        "f-{}",
        super::site::content_hash(fragments.concat().as_bytes())
    );
    let files = fragments
        .chunks(FRAGMENT_BLOCK)
        .enumerate()
        .map(|(n, block)| {
            (
                format!("search/{fragment_dir}/{n}.json"),
                format!("[{}]", block.join(",")).into_bytes(),
            )
        })
        .collect();
    (files, fragment_dir)
}

/// The whole index as files: path under the site root → contents.
pub struct SearchIndex {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Build the search index of `specs` (in the order given; documents are
/// numbered by position).
pub fn build_index(specs: &[Spec], scheme: &StatusScheme, releases: &[String]) -> SearchIndex {
    let documents: Vec<DocumentWords> = specs
        .par_iter()
        .map_init(WordScratch::default, |scratch, spec| {
            document_words(spec, scratch)
        })
        .collect();
    let (chunk_files, (fragment_files, fragment_dir)) = rayon::join(
        || {
            let shards = invert(&documents);
            let index = sorted_terms(&shards);
            chunk(&index, CHUNK_TARGET_BYTES)
                .into_par_iter()
                .map(|chunk| {
                    let name = super::site::content_hash(&chunk.json);
                    (chunk.first_term, name, chunk.json)
                })
                .collect::<Vec<_>>()
        },
        || fragment_files(&documents),
    );

    let mut files = Vec::with_capacity(chunk_files.len() + fragment_files.len() + 1);
    let mut chunk_list = Vec::with_capacity(chunk_files.len());
    for (first_term, name, json) in chunk_files {
        files.push((format!("search/t/{name}.json"), json));
        chunk_list.push(serde_json::json!([first_term, name]));
    }
    files.extend(fragment_files);

    let statuses = status_facet(specs, scheme);
    let milestones = milestone_facet(specs, releases);
    let mut dirs: Vec<&str> = Vec::new();
    let mut dir_numbers: HashMap<&str, usize> = HashMap::new();
    let docs: Vec<serde_json::Value> = specs
        .iter()
        .enumerate()
        .map(|(n, spec)| {
            let (dir, file) = match spec.page_path.rsplit_once('/') {
                Some((dir, file)) => (dir, file),
                None => ("", spec.page_path.as_str()),
            };
            let dir_index = *dir_numbers.entry(dir).or_insert_with(|| {
                dirs.push(dir);
                dirs.len() - 1
            });
            let facet = |facet: &Facet| {
                facet
                    .of_document
                    .get(n)
                    .copied()
                    .flatten()
                    .map_or(-1, |v| i64::try_from(v).unwrap_or(-1))
            };
            serde_json::json!([
                dir_index,
                file,
                spec.title,
                facet(&statuses),
                facet(&milestones)
            ])
        })
        .collect();
    let facet_json = |facet: &Facet| -> Vec<serde_json::Value> {
        facet
            .values
            .iter()
            .map(|(key, label, count, color)| {
                if color.is_empty() {
                    serde_json::json!([key, label, count])
                } else {
                    serde_json::json!([key, label, count, color])
                }
            })
            .collect()
    };
    let manifest = serde_json::json!({
        "version": INDEX_VERSION,
        "min_chars": MIN_TERM_CHARS,
        "max_chars": MAX_TERM_CHARS,
        "stop": STOP_WORDS,
        "statuses": facet_json(&statuses),
        "milestones": facet_json(&milestones),
        "dirs": dirs,
        "docs": docs,
        "chunks": chunk_list,
        "fragments": fragment_dir,
        "fragment_block": FRAGMENT_BLOCK,
    });
    files.push((
        "search/manifest.json".to_string(),
        manifest.to_string().into_bytes(),
    ));
    SearchIndex { files }
}

impl SearchIndex {
    /// Add every file of the index to `tree`.
    pub fn insert_into(self, tree: &mut OutputTree) {
        for (path, bytes) in self.files {
            tree.insert(path, bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize(text, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(STOP_WORDS.iter().all(|w| w.len() <= LONGEST_STOP_WORD));
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        for word in [
            "",
            "x",
            "ab",
            "theirs",
            "wit",
            "withx",
            "zz",
            "aaaaaaaaa",
            "thé",
        ] {
            assert!(!is_stop_word(word), "{word}");
        }
    }

    #[test]
    fn tokenizer_lowercases_splits_and_drops_noise() {
        assert_eq!(
            words("Live-Migration of the NUMA_topology, v2 x"),
            ["live", "migration", "numa", "topology", "v2"]
        );
        assert_eq!(
            words("Ünïcode STRAẞE naïve"),
            ["ünïcode", "straße", "naïve"]
        );
        assert_eq!(words("日本語 テキスト"), ["日本語", "テキスト"]);
        let long = "a".repeat(MAX_TERM_CHARS + 1);
        assert!(words(&long).is_empty());
        assert!(words("").is_empty());
    }

    /// A document's words, counted as a spec's text would be.
    fn counted(fields: &[(&str, u32, u32)]) -> DocumentWords {
        let mut scratch = WordScratch::default();
        let mut words = DocumentWords::default();
        for &(text, weight, heading) in fields {
            words.add(&mut scratch, text, weight, heading);
        }
        words.finish(&mut scratch);
        words
    }

    fn postings(list: &[(u32, u32, u32)]) -> Vec<Occurrence> {
        list.iter()
            .map(|&(document, weight, heading)| Occurrence {
                term: 0,
                document,
                posting: Posting { weight, heading },
            })
            .collect()
    }

    fn term_json(entry: &TermPostings) -> String {
        let mut out = Vec::new();
        write_term(&mut out, entry);
        assert_eq!(out.len(), term_json_len(entry), "length precomputed");
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn inverted_index_is_sorted_and_sums_field_weights() {
        let first = counted(&[
            ("Live migration", TITLE_WEIGHT, 0),
            ("migration again, and the", BODY_WEIGHT, 0),
        ]);
        let second = counted(&[
            ("Migration", HEADING_WEIGHT, 2),
            ("Migration", BODY_WEIGHT, 0),
        ]);
        let documents = [first, second];
        let shards = invert(&documents);
        let index = sorted_terms(&shards);
        let terms: Vec<&str> = index.iter().map(|t| t.term).collect();
        assert_eq!(terms, ["again", "live", "migration"]);
        let migration = index.iter().find(|t| t.term == "migration");
        let without_ids = |postings: &[Occurrence]| -> Vec<(u32, Posting)> {
            postings.iter().map(|o| (o.document, o.posting)).collect()
        };
        assert_eq!(
            migration.map(|t| without_ids(t.postings)),
            Some(without_ids(&postings(&[
                (0, TITLE_WEIGHT + BODY_WEIGHT, 0),
                (1, HEADING_WEIGHT + BODY_WEIGHT, 2)
            ])))
        );
        assert_eq!(
            migration.map(term_json).as_deref(),
            Some("[\"migration\",[0,9,0,1,4,2]]")
        );
    }

    #[test]
    fn first_heading_with_an_anchor_is_kept() {
        let words = counted(&[
            ("quota", BODY_WEIGHT, 0),
            ("quota", HEADING_WEIGHT, 0),
            ("quota", HEADING_WEIGHT, 3),
            ("quota", HEADING_WEIGHT, 5),
        ]);
        let quota: Vec<Posting> = words.terms.iter().map(|t| t.posting).collect();
        assert_eq!(
            quota,
            [Posting {
                weight: BODY_WEIGHT + 3 * HEADING_WEIGHT,
                heading: 3
            }]
        );
    }

    #[test]
    fn every_distinct_term_lands_in_exactly_one_shard() {
        let text: String = (0..2000).map(|n| format!("w{n} W{n} ")).collect();
        let words = counted(&[(&text, BODY_WEIGHT, 0), ("the and of", BODY_WEIGHT, 0)]);
        let mut seen: Vec<&str> = (0..MERGE_SHARDS)
            .flat_map(|shard| words.shard(shard).iter().map(|t| words.text_of(t)))
            .collect();
        assert_eq!(seen.len(), 2000);
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 2000);
        assert!(words.terms.iter().all(|t| t.posting.weight == 2));
    }

    #[test]
    fn term_json_escapes_what_json_must_and_counts_digits() {
        let strange = postings(&[(7, 1_000_000, 0), (4_000_000_000, 9, 10)]);
        for term in ["plain", "quote\"d", "back\\slash", "tab\tnewline\n", "ünï"] {
            let entry = TermPostings {
                term,
                postings: &strange,
            };
            let json = term_json(&entry);
            let parsed: (String, Vec<u32>) = serde_json::from_str(&json).unwrap_or_default();
            assert_eq!(parsed.0, term);
            assert_eq!(parsed.1, [7, 1_000_000, 0, 3_999_999_993, 9, 10]);
        }
        for n in [0, 1, 9, 10, 99, 100, 65_535, u32::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
            assert_eq!(decimal_len(n), out.len());
        }
    }

    #[test]
    fn chunks_split_between_terms_and_keep_every_term() {
        let shared = postings(&[(0, 1, 0), (3, 2, 0)]);
        let names: Vec<String> = (0..50).map(|n| format!("term{n:02}")).collect();
        let index: Vec<TermPostings> = names
            .iter()
            .map(|term| TermPostings {
                term,
                postings: &shared,
            })
            .collect();
        let chunks = chunk(&index, 100);
        assert!(chunks.len() > 5);
        // Every entry has the same length here, with its comma:
        let entry = term_json(&index[0]).len() + 1;
        let mut seen = Vec::new();
        for (n, chunk) in chunks.iter().enumerate() {
            let parsed: Vec<(String, Vec<u32>)> =
                serde_json::from_slice(&chunk.json).unwrap_or_default();
            assert_eq!(parsed.first().map(|t| &t.0), Some(&chunk.first_term));
            // Every chunk but the last closes on the first entry that
            // reaches the target (the length before its closing `]`).
            let open = chunk.json.len() - 1;
            assert!(open < 100 + entry, "chunk {n} ran past the target");
            if n + 1 < chunks.len() {
                assert!(open >= 100, "chunk {n} closed early");
            }
            seen.extend(parsed.into_iter().map(|t| t.0));
        }
        assert_eq!(seen, names);
        assert_eq!(chunk(&[], 100), []);
    }

    #[test]
    fn sort_order_matches_javascript_for_astral_characters() {
        // U+FF5E sorts after U+1F600 by code unit (0xD83D < 0xFF5E), not by
        // code point: JavaScript's order.
        assert_eq!(
            utf16_order("\u{1F600}", "\u{FF5E}"),
            std::cmp::Ordering::Less
        );
        let samples = [
            "",
            "a",
            "ab",
            "b",
            "é",
            "éa",
            "\u{D7FF}",
            "\u{E000}",
            "\u{FFFF}",
            "\u{10000}",
            "\u{1F600}x",
            "\u{10FFFF}",
            "a\u{1F600}",
            "a\u{FF5E}",
            "aé",
            "a\u{E000}b",
        ];
        for a in samples {
            for b in samples {
                assert_eq!(
                    utf16_order(a, b),
                    a.encode_utf16().cmp(b.encode_utf16()),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn tokenizer_takes_the_ascii_path_and_the_unicode_path_alike() {
        // Words mixing ASCII and other letters, in every position.
        assert_eq!(
            words("ABCé éABC AéB x1é ÀB-cD"),
            ["abcé", "éabc", "aéb", "x1é", "àb", "cd"]
        );
        // Lowercasing may lengthen a word; the limit counts source chars.
        assert_eq!(words("İX"), ["i\u{307}x"]);
        let long = format!("{}é", "a".repeat(MAX_TERM_CHARS));
        assert!(words(&long).is_empty());
        let longest = format!("{}é", "a".repeat(MAX_TERM_CHARS - 1));
        assert_eq!(words(&longest).len(), 1);
        assert_eq!(words("\u{1F600}ab\u{1F600}"), ["ab"]);
    }

    #[test]
    fn excerpt_stops_at_a_word_boundary() {
        let mut words = DocumentWords::default();
        words.extend_excerpt(&"word ".repeat(100));
        assert!(words.excerpt.ends_with('…'));
        assert!(words.excerpt.chars().count() <= EXCERPT_CHARS + 1);
    }
}
