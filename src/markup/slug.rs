//! Heading anchors, computed the way GitHub computes them.
//!
//! Markdown parsing gives every section an id; readers paste links such as
//! `README.md#design-goals` copied from GitHub, so our ids must be the very
//! anchors GitHub generates or those links break. GitHub's rule (its
//! table-of-contents filter) is: lowercase the heading's text, delete every
//! character that is not a "word" character (Unicode letters, marks, decimal
//! digits, connector punctuation such as `_`), a hyphen or a space, then turn
//! each space into a hyphen. Nothing is trimmed or collapsed. Repeated
//! anchors in one document get `-1`, `-2`, ... in document order, which
//! [`AnchorSet`] does.

use std::collections::HashMap;

/// The anchor GitHub gives a Markdown heading whose text content is `text`.
///
/// `text` is the heading's rendered text: code spans contribute their
/// contents, images and HTML tags contribute nothing.
pub fn github_anchor(text: &str) -> String {
    let mut anchor = String::with_capacity(text.len());
    if text.is_ascii() {
        // The same rule, without Unicode tables, for the common case.
        for byte in text.bytes() {
            match byte {
                b' ' => anchor.push('-'),
                b'-' | b'_' => anchor.push(char::from(byte)),
                _ if byte.is_ascii_alphanumeric() => {
                    anchor.push(char::from(byte.to_ascii_lowercase()));
                }
                _ => {}
            }
        }
        return anchor;
    }
    for lower in text.chars().flat_map(char::to_lowercase) {
        if lower == ' ' {
            anchor.push('-');
        } else if lower == '-' || is_word_char(lower) {
            anchor.push(lower);
        }
    }
    anchor
}

/// Whether `c` is a "word" character in GitHub's (Onigmo's) sense, which
/// follows Unicode's UTS #18: Alphabetic, any Mark, decimal Number,
/// Connector_Punctuation, or Join_Control.
///
/// The standard library knows Alphabetic only; `XID_Continue` from
/// `unicode-ident` adds exactly the marks (Mn, Mc), decimal digits and
/// connector punctuation, plus a handful of characters Unicode keeps for
/// identifier stability, which we take out again. Enclosing marks (Me) and
/// the joiners are not identifier characters, so they are listed here.
fn is_word_char(c: char) -> bool {
    if c.is_alphabetic() {
        return true;
    }
    if matches!(c, '\u{200C}' | '\u{200D}') || is_enclosing_mark(c) {
        return true;
    }
    unicode_ident::is_xid_continue(c) && !is_identifier_stability_exception(c)
}

/// General category Me (enclosing marks), e.g. the keycap U+20E3 in `1️⃣`.
fn is_enclosing_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0488}'..='\u{0489}'
            | '\u{1ABE}'
            | '\u{20DD}'..='\u{20E0}'
            | '\u{20E2}'..='\u{20E4}'
            | '\u{A670}'..='\u{A672}'
    )
}

/// Characters in `XID_Continue` only through Other_ID_Start/Other_ID_Continue
/// that are punctuation, symbols or non-decimal numbers, so GitHub drops them.
fn is_identifier_stability_exception(c: char) -> bool {
    matches!(
        c,
        '\u{00B7}' | '\u{0387}' | '\u{1369}'..='\u{1371}' | '\u{19DA}' | '\u{2118}' | '\u{212E}'
    )
}

/// Anchors handed out so far in one document; makes each new one unique the
/// way GitHub does (`intro`, `intro-1`, `intro-2`, ...).
#[derive(Clone, Debug, Default)]
pub struct AnchorSet {
    /// Every anchor taken, mapped to the last suffix tried for it as a base.
    taken: HashMap<String, usize>,
}

impl AnchorSet {
    pub fn new() -> AnchorSet {
        AnchorSet::default()
    }

    /// The unique anchor for a heading with this text.
    pub fn anchor_for_heading(&mut self, text: &str) -> String {
        self.unique(github_anchor(text))
    }

    /// `base` itself if unused, else `base-N` for the first free N ≥ 1;
    /// the result is recorded as taken.
    pub fn unique(&mut self, base: String) -> String {
        let Some(&last_suffix) = self.taken.get(&base) else {
            self.taken.insert(base.clone(), 0);
            return base;
        };
        let mut suffix = last_suffix;
        let candidate = loop {
            suffix += 1;
            let candidate = format!("{base}-{suffix}");
            if !self.taken.contains_key(&candidate) {
                break candidate;
            }
        };
        self.taken.insert(base, suffix);
        self.taken.insert(candidate.clone(), 0);
        candidate
    }

    /// Record an anchor chosen by the author (`{#id}`); false if it was
    /// already taken, which the caller reports.
    pub fn reserve(&mut self, anchor: &str) -> bool {
        if self.taken.contains_key(anchor) {
            return false;
        }
        self.taken.insert(anchor.to_string(), 0);
        true
    }

    pub fn contains(&self, anchor: &str) -> bool {
        self.taken.contains_key(anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_are_lowercased_and_joined_by_hyphens() {
        assert_eq!(github_anchor("Design Goals"), "design-goals");
        assert_eq!(github_anchor("Summary"), "summary");
    }

    #[test]
    fn punctuation_is_removed_but_hyphen_and_underscore_stay() {
        assert_eq!(github_anchor("What's new in v1.2?"), "whats-new-in-v12");
        assert_eq!(
            github_anchor("snake_case & kebab-case"),
            "snake_case--kebab-case"
        );
        assert_eq!(github_anchor("C++ (and C#)"), "c-and-c");
        assert_eq!(github_anchor("foo/bar: baz!"), "foobar-baz");
    }

    #[test]
    fn spaces_are_not_collapsed_or_trimmed() {
        assert_eq!(github_anchor("a  b"), "a--b");
        assert_eq!(github_anchor(" a "), "-a-");
    }

    #[test]
    fn code_span_text_counts_like_any_text() {
        // `Option<T>` in a heading renders as the text "Option<T>".
        assert_eq!(github_anchor("The Option<T> type"), "the-optiont-type");
        assert_eq!(github_anchor("impl Trait for &'a T"), "impl-trait-for-a-t");
    }

    #[test]
    fn non_ascii_letters_are_kept_and_lowercased() {
        assert_eq!(github_anchor("Café Été"), "café-été");
        assert_eq!(github_anchor("Привет Мир"), "привет-мир");
        assert_eq!(github_anchor("日本語の見出し"), "日本語の見出し");
        assert_eq!(github_anchor("Straße"), "straße");
    }

    #[test]
    fn emoji_are_removed_but_variation_selectors_stay() {
        assert_eq!(github_anchor("🎉 Release"), "-release");
        assert_eq!(github_anchor("Rocket 🚀"), "rocket-");
        // U+FE0F is a nonspacing mark, which GitHub keeps.
        assert_eq!(github_anchor("❤️ Love"), "\u{fe0f}-love");
        // Keycap: digit, VS16 and the enclosing mark U+20E3 all survive.
        assert_eq!(github_anchor("1️⃣ One"), "1\u{fe0f}\u{20e3}-one");
    }

    #[test]
    fn symbols_and_other_numbers_are_removed() {
        assert_eq!(github_anchor("x² ½ ©"), "x--");
        assert_eq!(github_anchor("a·b"), "ab");
        assert_eq!(github_anchor("→ next"), "-next");
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_unicode_rule() {
        let samples = ["Hello, World! 1.0_beta-2 (x) [y] {z} ~`'\"\t"];
        for sample in samples {
            let mut slow = String::new();
            for lower in sample.chars().flat_map(char::to_lowercase) {
                if lower == ' ' {
                    slow.push('-');
                } else if lower == '-' || is_word_char(lower) {
                    slow.push(lower);
                }
            }
            assert_eq!(github_anchor(sample), slow);
        }
        let all_ascii: String = (0u8..128).map(char::from).collect();
        let via_unicode: String = all_ascii
            .chars()
            .filter(|&c| c == ' ' || c == '-' || is_word_char(c))
            .map(|c| {
                if c == ' ' {
                    '-'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        assert_eq!(github_anchor(&all_ascii), via_unicode);
    }

    #[test]
    fn repeated_anchors_get_numbered_suffixes() {
        let mut set = AnchorSet::new();
        assert_eq!(set.anchor_for_heading("Example"), "example");
        assert_eq!(set.anchor_for_heading("Example"), "example-1");
        assert_eq!(set.anchor_for_heading("Example"), "example-2");
        assert_eq!(set.anchor_for_heading("Other"), "other");
    }

    #[test]
    fn suffixes_skip_anchors_already_taken_literally() {
        let mut set = AnchorSet::new();
        assert_eq!(set.anchor_for_heading("foo-1"), "foo-1");
        assert_eq!(set.anchor_for_heading("foo"), "foo");
        assert_eq!(set.anchor_for_heading("foo"), "foo-2");
        assert_eq!(set.anchor_for_heading("foo-1"), "foo-1-1");
    }

    #[test]
    fn reserved_ids_are_avoided_and_clashes_reported() {
        let mut set = AnchorSet::new();
        assert!(set.reserve("intro"));
        assert!(!set.reserve("intro"));
        assert_eq!(set.anchor_for_heading("Intro"), "intro-1");
        assert!(set.contains("intro-1"));
    }
}
