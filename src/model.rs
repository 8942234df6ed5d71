//! The spec model: what a proposal *is*, independent of how it was written.
//!
//! Extraction fills these values from documents; linking and rendering read
//! them. Status and milestone keep the raw value the author wrote next to
//! the canonical one, and every value remembers where it came from
//! ([`Origin`]) so pages and diagnostics can say so.

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
    let normal: String = raw
        .trim()
        .trim_matches(|c: char| c == '*' || c == '`' || c == '"')
        .to_lowercase()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let normal = normal.split_whitespace().collect::<Vec<_>>().join(" ");
    // A Swift-Evolution status carries a version: "implemented (swift 5.9)".
    let head = normal.split(" (").next().unwrap_or(&normal);
    let key = match head {
        "draft" | "being written" | "provisional" | "proposed" | "open" | "wip"
        | "work in progress" | "pre draft" => StatusKey::Draft,
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
        | "provisionally accepted" => StatusKey::Accepted,
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
    pub milestone: Option<Milestone>,
    pub authors: Vec<String>,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub fields: Vec<Field>,
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
}
