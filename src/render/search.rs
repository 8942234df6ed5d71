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
use std::hash::BuildHasher;

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

/// A fast hasher for the index's word maps (FxHash's multiply-rotate).
/// The keys are words of the build's own input and only decide which
/// bucket holds them, so a keyed hash buys nothing here; SipHash was the
/// largest single cost of indexing.
#[derive(Clone, Copy, Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word.iter_mut()
                .zip(chunk)
                .for_each(|(to, from)| *to = *from);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type WordMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<WordHasher>>;

/// Call `each` with every indexable word of `text`: split on characters
/// that are not alphanumeric (Unicode), lowercased character by character
/// (as search.js does), without stop words and too short or long words.
pub fn tokenize(text: &str, mut each: impl FnMut(&str)) {
    let mut word = String::new();
    let mut chars = 0usize;
    let mut flush = |word: &mut String, chars: &mut usize| {
        if (MIN_TERM_CHARS..=MAX_TERM_CHARS).contains(chars)
            && (word.len() > LONGEST_STOP_WORD || STOP_WORDS.binary_search(&word.as_str()).is_err())
        {
            each(word);
        }
        word.clear();
        *chars = 0;
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
            chars += 1;
        } else if !c.is_ascii() && c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            chars += 1;
        } else if !word.is_empty() {
            flush(&mut word, &mut chars);
        }
    }
    if !word.is_empty() {
        flush(&mut word, &mut chars);
    }
}

/// One document's occurrences of one term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Posting {
    /// Sum of the field weights of every occurrence.
    weight: u32,
    /// 1 + index of the first heading the term occurs in; 0 when none.
    heading: u32,
}

/// What the index keeps of one spec.
#[derive(Debug, Default)]
struct DocumentWords {
    /// Term → posting; the merge sorts, so the order here does not matter.
    terms: WordMap<Posting>,
    /// (anchor, heading text) of every section with an anchor.
    headings: Vec<(String, String)>,
    excerpt: String,
}

impl DocumentWords {
    fn add(&mut self, text: &str, weight: u32, heading: u32) {
        let terms = &mut self.terms;
        tokenize(text, |word| match terms.get_mut(word) {
            Some(posting) => {
                posting.weight = posting.weight.saturating_add(weight);
                if posting.heading == 0 {
                    posting.heading = heading;
                }
            }
            None => {
                terms.insert(word.to_string(), Posting { weight, heading });
            }
        });
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
fn document_words(spec: &Spec) -> DocumentWords {
    let doc: &Document = &spec.doc;
    let mut words = DocumentWords::default();
    words.add(&spec.title, TITLE_WEIGHT, 0);
    let mut stack: Vec<NodeId> = vec![doc.root()];
    while let Some(node) = stack.pop() {
        let kind = doc.kind(node);
        if skipped(kind) || Some(node) == spec.title_node {
            continue;
        }
        match kind {
            Kind::Text => words.add(&doc.get(node).text, BODY_WEIGHT, 0),
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
                words.add(&text, HEADING_WEIGHT, heading);
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
    words
}

/// Compare strings the way JavaScript does (by UTF-16 code units), so the
/// browser can binary-search what we sorted.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Append `text` to `out` as a JSON string.
fn push_json_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::Value::from(text).to_string());
}

/// One term with its postings, in document order.
struct TermPostings {
    term: String,
    /// (document, posting), ascending by document.
    postings: Vec<(u32, Posting)>,
}

/// How many shards the merge into the inverted index runs in: enough to
/// keep every core busy, few enough that per-shard work dominates.
const MERGE_SHARDS: usize = 16;

/// Merge the per-document words into the inverted index, sorted by term.
/// Terms are sharded by hash so the shards merge in parallel; only the
/// distinct terms are sorted at the end (by UTF-16 order, which is slow to
/// compare, so it must not run once per posting).
fn invert(documents: Vec<DocumentWords>) -> Vec<TermPostings> {
    let hasher = std::hash::BuildHasherDefault::<WordHasher>::default();
    let shard_of =
        |term: &str| usize::try_from(hasher.hash_one(term) % MERGE_SHARDS as u64).unwrap_or(0);
    // Per document, its terms split by shard (in parallel).
    let split: Vec<Vec<Vec<(String, Posting)>>> = documents
        .into_par_iter()
        .map(|words| {
            let mut shards: Vec<Vec<(String, Posting)>> = vec![Vec::new(); MERGE_SHARDS];
            for (term, posting) in words.terms {
                if let Some(shard) = shards.get_mut(shard_of(&term)) {
                    shard.push((term, posting));
                }
            }
            shards
        })
        .collect();
    // Per shard, the postings of each term in document order.
    let mut index: Vec<TermPostings> = (0..MERGE_SHARDS)
        .into_par_iter()
        .flat_map_iter(|shard| {
            let mut terms: HashMap<
                &str,
                Vec<(u32, Posting)>,
                std::hash::BuildHasherDefault<WordHasher>,
            > = HashMap::default();
            for (doc, shards) in split.iter().enumerate() {
                let doc = u32::try_from(doc).unwrap_or(u32::MAX);
                for (term, posting) in shards.get(shard).into_iter().flatten() {
                    terms
                        .entry(term.as_str())
                        .or_default()
                        .push((doc, *posting));
                }
            }
            terms
                .into_iter()
                .map(|(term, postings)| TermPostings {
                    term: term.to_string(),
                    postings,
                })
                .collect::<Vec<_>>()
        })
        .collect();
    index.par_sort_unstable_by(|a, b| utf16_order(&a.term, &b.term));
    index
}

/// The JSON of one term's entry in a chunk: `["term",[d,w,h,...]]`, with
/// document numbers as deltas from the previous one.
fn term_json(entry: &TermPostings) -> String {
    let mut out = String::with_capacity(16 + entry.postings.len() * 8);
    out.push('[');
    push_json_string(&mut out, &entry.term);
    out.push_str(",[");
    let mut previous = 0u32;
    for (n, (doc, posting)) in entry.postings.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        let delta = doc.saturating_sub(previous);
        previous = *doc;
        out.push_str(&format!("{delta},{},{}", posting.weight, posting.heading));
    }
    out.push_str("]]");
    out
}

/// A chunk of the index: its first term and its JSON text.
#[derive(Debug, PartialEq, Eq)]
pub struct Chunk {
    pub first_term: String,
    pub json: String,
}

/// Cut the sorted index into chunks of about `target` bytes; a term never
/// spans two chunks.
fn chunk(index: &[TermPostings], target: usize) -> Vec<Chunk> {
    let entries: Vec<String> = index.par_iter().map(term_json).collect();
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut current: Option<Chunk> = None;
    for (entry, json) in index.iter().zip(entries) {
        let chunk = current.get_or_insert_with(|| Chunk {
            first_term: entry.term.clone(),
            json: String::from("["),
        });
        if chunk.json.len() > 1 {
            chunk.json.push(',');
        }
        chunk.json.push_str(&json);
        if chunk.json.len() >= target {
            if let Some(mut full) = current.take() {
                full.json.push(']');
                chunks.push(full);
            }
        }
    }
    if let Some(mut last) = current {
        last.json.push(']');
        chunks.push(last);
    }
    chunks
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

/// The whole index as files: path under the site root → contents.
pub struct SearchIndex {
    pub files: Vec<(String, Vec<u8>)>,
}

/// Build the search index of `specs` (in the order given; documents are
/// numbered by position).
pub fn build_index(specs: &[Spec], scheme: &StatusScheme, releases: &[String]) -> SearchIndex {
    let documents: Vec<DocumentWords> = specs.par_iter().map(document_words).collect();
    let fragments: Vec<String> = documents
        .par_iter()
        .map(|words| {
            let headings: Vec<[&str; 2]> = words
                .headings
                .iter()
                .map(|(anchor, text)| [anchor.as_str(), text.as_str()])
                .collect();
            serde_json::json!([words.excerpt, headings]).to_string()
        })
        .collect();
    let index = invert(documents);
    let chunks = chunk(&index, CHUNK_TARGET_BYTES);

    let mut files = Vec::with_capacity(chunks.len() + fragments.len() + 1);
    let mut chunk_list = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let name = super::site::content_hash(chunk.json.as_bytes());
        let path = format!("search/t/{name}.json");
        chunk_list.push(serde_json::json!([chunk.first_term, name]));
        files.push((path, chunk.json.into_bytes()));
    }
    let fragment_dir = format!(
        "f-{}",
        super::site::content_hash(fragments.concat().as_bytes())
    );
    for (n, block) in fragments.chunks(FRAGMENT_BLOCK).enumerate() {
        files.push((
            format!("search/{fragment_dir}/{n}.json"),
            format!("[{}]", block.join(",")).into_bytes(),
        ));
    }

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

    fn postings(list: &[(u32, u32, u32)]) -> Vec<(u32, Posting)> {
        list.iter()
            .map(|&(doc, weight, heading)| (doc, Posting { weight, heading }))
            .collect()
    }

    #[test]
    fn inverted_index_is_sorted_and_sums_field_weights() {
        let mut first = DocumentWords::default();
        first.add("Live migration", TITLE_WEIGHT, 0);
        first.add("migration again", BODY_WEIGHT, 0);
        let mut second = DocumentWords::default();
        second.add("Migration", HEADING_WEIGHT, 2);
        let index = invert(vec![first, second]);
        let terms: Vec<&str> = index.iter().map(|t| t.term.as_str()).collect();
        assert_eq!(terms, ["again", "live", "migration"]);
        let migration = index.iter().find(|t| t.term == "migration");
        assert_eq!(
            migration.map(|t| t.postings.clone()),
            Some(postings(&[
                (0, TITLE_WEIGHT + BODY_WEIGHT, 0),
                (1, HEADING_WEIGHT, 2)
            ]))
        );
        assert_eq!(
            migration.map(term_json).as_deref(),
            Some("[\"migration\",[0,9,0,1,3,2]]")
        );
    }

    #[test]
    fn chunks_split_between_terms_and_keep_every_term() {
        let index: Vec<TermPostings> = (0..50)
            .map(|n| TermPostings {
                term: format!("term{n:02}"),
                postings: postings(&[(0, 1, 0), (3, 2, 0)]),
            })
            .collect();
        let chunks = chunk(&index, 100);
        assert!(chunks.len() > 5);
        let mut seen = Vec::new();
        for chunk in &chunks {
            let parsed: Vec<(String, Vec<u32>)> =
                serde_json::from_str(&chunk.json).unwrap_or_default();
            assert_eq!(parsed.first().map(|t| &t.0), Some(&chunk.first_term));
            seen.extend(parsed.into_iter().map(|t| t.0));
        }
        let all: Vec<String> = index.iter().map(|t| t.term.clone()).collect();
        assert_eq!(seen, all);
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
    }

    #[test]
    fn excerpt_stops_at_a_word_boundary() {
        let mut words = DocumentWords::default();
        words.extend_excerpt(&"word ".repeat(100));
        assert!(words.excerpt.ends_with('…'));
        assert!(words.excerpt.chars().count() <= EXCERPT_CHARS + 1);
    }
}
