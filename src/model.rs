//! The spec model: what a proposal *is*, independent of how it was written.
//!
//! Extraction fills these values from documents; linking and rendering read
//! them. Status and milestone keep the raw value the author wrote next to
//! the canonical one, and every value remembers where it came from
//! ([`Origin`]) so pages and diagnostics can say so.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use crate::markup::doc::{Document, NodeId};
use crate::source::{Format, SharedSource};

/// Where a metadata value was read from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    /// Repository-relative path of the file or directory.
    pub path: String,
    /// 1-based line, when the value came from a line of a file.
    pub line: Option<usize>,
    /// What kind of source this was ("front matter", "directory", …).
    pub source: &'static str,
}

impl Origin {
    pub fn file(path: impl Into<String>, line: Option<usize>, source: &'static str) -> Origin {
        Origin {
            path: path.into(),
            line,
            source,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{} ({})", self.path, line, self.source),
            None => write!(f, "{} ({})", self.path, self.source),
        }
    }
}

/// The canonical lifecycle every repository's vocabulary maps onto.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusKey {
    Draft,
    InReview,
    Accepted,
    Implemented,
    Deferred,
    Rejected,
    Withdrawn,
    Superseded,
    Unknown,
}

impl StatusKey {
    /// Lifecycle order, which is also the order of the home page's groups.
    pub const ALL: [StatusKey; 9] = [
        StatusKey::Draft,
        StatusKey::InReview,
        StatusKey::Accepted,
        StatusKey::Implemented,
        StatusKey::Deferred,
        StatusKey::Rejected,
        StatusKey::Withdrawn,
        StatusKey::Superseded,
        StatusKey::Unknown,
    ];

    pub fn key(self) -> &'static str {
        match self {
            StatusKey::Draft => "draft",
            StatusKey::InReview => "in-review",
            StatusKey::Accepted => "accepted",
            StatusKey::Implemented => "implemented",
            StatusKey::Deferred => "deferred",
            StatusKey::Rejected => "rejected",
            StatusKey::Withdrawn => "withdrawn",
            StatusKey::Superseded => "superseded",
            StatusKey::Unknown => "unknown",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusKey::Draft => "Draft",
            StatusKey::InReview => "In review",
            StatusKey::Accepted => "Accepted",
            StatusKey::Implemented => "Implemented",
            StatusKey::Deferred => "Deferred",
            StatusKey::Rejected => "Rejected",
            StatusKey::Withdrawn => "Withdrawn",
            StatusKey::Superseded => "Superseded",
            StatusKey::Unknown => "Unknown",
        }
    }

    /// Badge colour; chosen to keep white text at WCAG AA contrast.
    pub fn color(self) -> &'static str {
        match self {
            StatusKey::Draft => "#6b5a00",
            StatusKey::InReview => "#8a4b00",
            StatusKey::Accepted => "#0b5cad",
            StatusKey::Implemented => "#1a7f37",
            StatusKey::Deferred => "#6e5494",
            StatusKey::Rejected => "#b42318",
            StatusKey::Withdrawn => "#57606a",
            StatusKey::Superseded => "#8250df",
            StatusKey::Unknown => "#57606a",
        }
    }

    pub fn from_key(key: &str) -> Option<StatusKey> {
        StatusKey::ALL
            .into_iter()
            .find(|status| status.key() == key)
    }
}

/// Map a status as written in some repository's vocabulary to the lifecycle.
/// `None` when the value is not one we know.
pub fn canonical_status(raw: &str) -> Option<StatusKey> {
    let normal = normalise_status(raw);
    // A Swift-Evolution status carries a version: "implemented (swift 5.9)".
    let head = normal.split(" (").next().unwrap_or(&normal);
    default_status(head)
}

/// Lower-case, `_`/`-` as spaces, emphasis and quotes stripped, spaces collapsed.
pub fn normalise_status(raw: &str) -> String {
    let normal: String = raw
        .trim()
        .trim_matches(|c: char| c == '*' || c == '`' || c == '"')
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    normal.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The built-in vocabulary: OME, OpenStack directories, PEPs, Swift
/// Evolution, KEPs and the usual front-matter words.
fn default_status(head: &str) -> Option<StatusKey> {
    let key = match head {
        "draft" | "being written" | "provisional" | "proposed" | "open" | "wip"
        | "work in progress" | "pre draft" | "new" => StatusKey::Draft,
        "in review"
        | "under review"
        | "active review"
        | "review"
        | "scheduled for review"
        | "awaiting review"
        | "open questions"
        | "returned for revision"
        | "pending" => StatusKey::InReview,
        "accepted"
        | "approved"
        | "design accepted"
        | "implementable"
        | "accepted with revisions"
        | "active"
        | "provisionally accepted"
        | "previewing"
        | "in progress" => StatusKey::Accepted,
        "implemented"
        | "implementation complete"
        | "final"
        | "complete"
        | "completed"
        | "done"
        | "merged"
        | "released"
        | "stable" => StatusKey::Implemented,
        "deferred" | "postponed" | "backlog" | "on hold" => StatusKey::Deferred,
        "rejected" | "declined" | "abandoned" | "closed" => StatusKey::Rejected,
        "withdrawn" | "obsolete" | "retired" => StatusKey::Withdrawn,
        "superseded" | "replaced" | "deprecated" => StatusKey::Superseded,
        _ => return None,
    };
    Some(key)
}

/// The status words every spec list offers as suggestions for a typo.
pub const KNOWN_STATUS_WORDS: &[&str] = &[
    "draft",
    "in review",
    "accepted",
    "implemented",
    "deferred",
    "rejected",
    "withdrawn",
    "superseded",
    "being written",
    "under review",
    "open questions",
    "design accepted",
    "implementation complete",
    "approved",
    "final",
    "implementable",
    "provisional",
    "postponed",
    "replaced",
    "active",
];

/// A repository's status vocabulary: the built-in mapping plus what its
/// config adds or remaps, and the labels, colours and order it shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusScheme {
    /// Extra or remapped values, keyed by their normalised form.
    pub map: BTreeMap<String, StatusKey>,
    pub labels: BTreeMap<StatusKey, String>,
    pub colors: BTreeMap<StatusKey, String>,
    /// Display order; statuses not named keep lifecycle order after these.
    pub order: Vec<StatusKey>,
}

impl StatusScheme {
    /// Canonical status of a raw value: config mapping first, then the
    /// built-in vocabulary.
    pub fn canonical(&self, raw: &str) -> Option<StatusKey> {
        let normal = normalise_status(raw);
        if let Some(key) = self.map.get(&normal) {
            return Some(*key);
        }
        let head = normal.split(" (").next().unwrap_or(&normal);
        self.map.get(head).copied().or_else(|| default_status(head))
    }

    pub fn label(&self, key: StatusKey) -> String {
        self.labels
            .get(&key)
            .cloned()
            .unwrap_or_else(|| key.label().to_string())
    }

    pub fn color(&self, key: StatusKey) -> String {
        self.colors
            .get(&key)
            .cloned()
            .unwrap_or_else(|| key.color().to_string())
    }

    /// Every status in display order.
    pub fn ordered(&self) -> Vec<StatusKey> {
        let mut out: Vec<StatusKey> = Vec::with_capacity(StatusKey::ALL.len());
        for key in self.order.iter().chain(StatusKey::ALL.iter()) {
            if !out.contains(key) {
                out.push(*key);
            }
        }
        out
    }

    /// Known words for "did you mean" (built-in and configured).
    pub fn known_words(&self) -> Vec<&str> {
        let mut words: Vec<&str> = KNOWN_STATUS_WORDS.to_vec();
        words.extend(self.map.keys().map(String::as_str));
        words
    }
}

/// OpenStack's release names in release order; from 2023 releases are
/// numbered `YYYY.N` (the names after zed are aliases of those numbers).
pub const OPENSTACK_RELEASES: &[&str] = &[
    "austin", "bexar", "cactus", "diablo", "essex", "folsom", "grizzly", "havana", "icehouse",
    "juno", "kilo", "liberty", "mitaka", "newton", "ocata", "pike", "queens", "rocky", "stein",
    "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
];

/// Release names used alongside the numbered releases since 2023.
const OPENSTACK_NUMBERED_NAMES: &[(&str, u64, u64)] = &[
    ("antelope", 2023, 1),
    ("bobcat", 2023, 2),
    ("caracal", 2024, 1),
    ("dalmatian", 2024, 2),
    ("epoxy", 2025, 1),
    ("flamingo", 2025, 2),
    ("gazpacho", 2026, 1),
];

/// Where a milestone falls in release order. Derived `Ord` gives the order
/// of the milestone index: named releases (in release order, the release
/// itself before its milestones), then version numbers numerically, then
/// values that cannot be ordered, alphabetically.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum MilestoneOrder {
    Release {
        index: usize,
        step: Option<u64>,
    },
    Version {
        numbers: Vec<u64>,
        step: Option<u64>,
    },
    Raw(String),
}

/// A release name's position, if it is one: OpenStack's names, then any
/// names the config lists (after OpenStack's).
fn release_index(name: &str, extra_releases: &[String]) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    OPENSTACK_RELEASES
        .iter()
        .position(|r| *r == lower)
        .or_else(|| {
            extra_releases
                .iter()
                .position(|r| r.eq_ignore_ascii_case(&lower))
                .map(|i| OPENSTACK_RELEASES.len() + i)
        })
}

/// "2.3", "v2.3", "2023.1" → numbers; anything else → `None`.
fn version_numbers(text: &str) -> Option<Vec<u64>> {
    let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    text.split('.')
        .map(|part| {
            if part.is_empty() || part.len() > 18 || !part.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                part.parse::<u64>().ok()
            }
        })
        .collect()
}

/// The milestone step after a release: "1", "m1", "rc2", "R2", "Q2".
fn milestone_step(text: &str) -> Option<u64> {
    let digits = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Order of a milestone label (`extra_releases` are release names from the
/// config, ordered after OpenStack's).
pub fn milestone_order(label: &str, extra_releases: &[String]) -> MilestoneOrder {
    let trimmed = label.trim();
    // "Lumen 2.1", "Swift 5.9": a product name and a version.
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    let last_word = words.last().copied().unwrap_or(trimmed);
    if words.len() > 2 {
        return MilestoneOrder::Raw(trimmed.to_lowercase());
    }
    if let Some(numbers) = version_numbers(last_word) {
        return MilestoneOrder::Version {
            numbers,
            step: None,
        };
    }
    let (name, step) = match trimmed.split_once('-') {
        Some((name, rest)) => match milestone_step(rest) {
            Some(step) => (name, Some(step)),
            None => (trimmed, None),
        },
        None => (trimmed, None),
    };
    if let Some(index) = release_index(name, extra_releases) {
        return MilestoneOrder::Release { index, step };
    }
    if let Some((_, year, minor)) = OPENSTACK_NUMBERED_NAMES
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
    {
        return MilestoneOrder::Version {
            numbers: vec![*year, *minor],
            step,
        };
    }
    if let Some(numbers) = version_numbers(name) {
        return MilestoneOrder::Version { numbers, step };
    }
    MilestoneOrder::Raw(trimmed.to_lowercase())
}

/// Compare two milestone labels in release order.
pub fn compare_milestones(a: &str, b: &str, extra_releases: &[String]) -> Ordering {
    milestone_order(a, extra_releases)
        .cmp(&milestone_order(b, extra_releases))
        .then_with(|| a.cmp(b))
}

/// What a milestone value written by an author amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MilestoneValue {
    /// A real milestone, tidied for display ("kilo-3" → "Kilo-3").
    Set(String),
    /// Deliberately none ("None", "N/A", "-").
    None,
    /// Template text or an example left in ("eg. Liberty-1", "0.0", "<release>").
    Placeholder,
}

/// Classify a milestone as written: tidy it, or recognise "none" and
/// template placeholders.
pub fn classify_milestone(raw: &str) -> MilestoneValue {
    let value = raw
        .trim()
        .trim_start_matches(['*', '-', ' '])
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '`' || c == '*')
        .trim()
        .trim_end_matches(['.', ','])
        .trim();
    let lower = value.to_lowercase();
    if lower.is_empty() || matches!(lower.as_str(), "none" | "n/a" | "na" | "-" | "—" | "no") {
        return MilestoneValue::None;
    }
    let looks_like_example = ["eg.", "eg ", "e.g.", "e.g ", "for example", "example:"]
        .iter()
        .any(|prefix| lower.starts_with(prefix));
    let looks_like_template = lower.starts_with('<')
        || lower.starts_with('{')
        || lower.starts_with("tbd")
        || lower.starts_with("xxx")
        || lower == "?"
        || lower.contains("target milestone")
        || version_numbers(&lower).is_some_and(|numbers| numbers.iter().all(|n| *n == 0));
    if looks_like_example || looks_like_template {
        return MilestoneValue::Placeholder;
    }
    // Release names written in lower case ("kilo-3") read as the release.
    let label = if lower
        .split('-')
        .next()
        .is_some_and(|name| release_index(name, &[]).is_some())
    {
        capitalise(value)
    } else {
        value.to_string()
    };
    MilestoneValue::Set(label)
}

/// "kilo" → "Kilo"; "2024.2" stays.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A spec's status: canonical key, the words the author used, and where.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    pub key: StatusKey,
    pub raw: String,
    pub origin: Origin,
}

/// A release or milestone a spec targets.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Milestone {
    /// As shown: "Kilo", "2024.2", "Liberty-1".
    pub label: String,
    pub raw: String,
    pub origin: Origin,
}

/// Any other metadata row shown in a spec's header.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

/// Origins of the values of [`Spec`] that are plain strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Origins {
    pub title: Option<Origin>,
    pub authors: Option<Origin>,
    pub created: Option<Origin>,
    pub updated: Option<Origin>,
}

/// One proposal, parsed and described.
#[derive(Debug)]
pub struct Spec {
    /// Stable identifier: the source path without its extension.
    pub id: String,
    pub source: SharedSource,
    pub doc: Document,
    pub title: String,
    /// The tree node the title was taken from (left out of the body).
    pub title_node: Option<NodeId>,
    pub status: Option<Status>,
    /// The milestone the spec targets (a Milestones section, front matter,
    /// a header) or, failing that, its release.
    pub milestone: Option<Milestone>,
    /// The release cycle the spec belongs to (OpenStack's release directory).
    pub release: Option<Milestone>,
    pub authors: Vec<String>,
    pub created: Option<String>,
    pub updated: Option<String>,
    /// Where the title, authors and dates came from.
    pub origins: Origins,
    pub fields: Vec<Field>,
    /// Why the metadata could not be read, when it could not (the spec is
    /// then listed under "unknown" with a badge).
    pub metadata_error: Option<String>,
    /// Output path of the spec's page, relative to the site root.
    pub page_path: String,
    /// Number of diagnostics reported against this spec's file.
    pub problems: usize,
}

impl Spec {
    pub fn format(&self) -> Format {
        self.source.format
    }

    pub fn status_key(&self) -> StatusKey {
        self.status.as_ref().map_or(StatusKey::Unknown, |s| s.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_map_onto_the_lifecycle() {
        let cases = [
            ("Being written", StatusKey::Draft),
            ("Under review", StatusKey::InReview),
            ("Open questions", StatusKey::InReview),
            ("Design accepted", StatusKey::Accepted),
            ("Implementation complete", StatusKey::Implemented),
            ("approved", StatusKey::Accepted),
            ("Final", StatusKey::Implemented),
            ("**Implemented (Swift 5.9)**", StatusKey::Implemented),
            ("implementable", StatusKey::Accepted),
            ("abandoned", StatusKey::Rejected),
            ("Superseded", StatusKey::Superseded),
        ];
        for (raw, expected) in cases {
            assert_eq!(canonical_status(raw), Some(expected), "{raw}");
        }
        assert_eq!(canonical_status("acepted"), None);
    }

    #[test]
    fn keys_round_trip() {
        for status in StatusKey::ALL {
            assert_eq!(StatusKey::from_key(status.key()), Some(status));
        }
    }

    #[test]
    fn milestones_order_releases_then_versions_then_raw() {
        let mut labels = vec![
            "post ocata",
            "2024.2",
            "Liberty-1",
            "Kilo",
            "2023.1",
            "Liberty",
            "Kilo-3",
            "2024.10",
            "Zed",
            "Rocky-R2",
            "Antelope",
        ];
        labels.sort_by(|a, b| compare_milestones(a, b, &[]));
        assert_eq!(
            labels,
            [
                "Kilo",
                "Kilo-3",
                "Liberty",
                "Liberty-1",
                "Rocky-R2",
                "Zed",
                "2023.1",
                "Antelope",
                "2024.2",
                "2024.10",
                "post ocata"
            ]
        );
        assert_eq!(
            milestone_order("v2.3", &[]),
            MilestoneOrder::Version {
                numbers: vec![2, 3],
                step: None
            }
        );
        assert_eq!(
            milestone_order("Lumen 2.1", &[]),
            milestone_order("2.1", &[])
        );
        let extra = vec!["aurora".to_string(), "borealis".to_string()];
        assert!(compare_milestones("Borealis-2", "Aurora-3", &extra).is_gt());
        assert!(matches!(
            milestone_order("Aurora-3", &[]),
            MilestoneOrder::Raw(_)
        ));
    }

    #[test]
    fn milestone_placeholders_and_none_are_not_set() {
        for placeholder in ["eg. Liberty-1", "e.g. Mitaka", "0.0", "<release>", "TBD"] {
            assert_eq!(
                classify_milestone(placeholder),
                MilestoneValue::Placeholder,
                "{placeholder}"
            );
        }
        for none in ["None", "", "  n/a "] {
            assert_eq!(classify_milestone(none), MilestoneValue::None, "{none}");
        }
        assert_eq!(
            classify_milestone("  kilo-3"),
            MilestoneValue::Set("Kilo-3".into())
        );
        assert_eq!(
            classify_milestone("\"Kilo-3\""),
            MilestoneValue::Set("Kilo-3".into())
        );
        assert_eq!(
            classify_milestone("* Mitaka-3"),
            MilestoneValue::Set("Mitaka-3".into())
        );
        assert_eq!(
            classify_milestone("v2.3"),
            MilestoneValue::Set("v2.3".into())
        );
    }

    #[test]
    fn config_remaps_and_adds_values_and_orders_statuses() {
        let mut scheme = StatusScheme::default();
        scheme.map.insert("shipped".into(), StatusKey::Implemented);
        scheme.map.insert("final".into(), StatusKey::Accepted);
        scheme.order = vec![StatusKey::Implemented];
        scheme.labels.insert(StatusKey::Accepted, "Approved".into());
        assert_eq!(scheme.canonical("Shipped"), Some(StatusKey::Implemented));
        assert_eq!(scheme.canonical("Final"), Some(StatusKey::Accepted));
        assert_eq!(scheme.canonical("Being written"), Some(StatusKey::Draft));
        assert_eq!(scheme.canonical("nonsense"), None);
        assert_eq!(scheme.ordered()[0], StatusKey::Implemented);
        assert_eq!(scheme.ordered().len(), StatusKey::ALL.len());
        assert_eq!(scheme.label(StatusKey::Accepted), "Approved");
        assert_eq!(scheme.label(StatusKey::Draft), "Draft");
    }
}
