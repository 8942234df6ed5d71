//! Metadata sources of the OpenStack spec repositories (nova, trove,
//! cinder…): the directory layout, and the `Milestones` and `Assignee(s)`
//! sections of their template.
//!
//! `specs/<release>/<approved|implemented|…>/name.rst` gives status and
//! release; `specs/<backlog|abandoned>/…` a status only (it wins over an
//! `approved/` below it); `specs/<release>/name.rst` (trove) a release
//! only. The sections are read from the raw text: "Target Milestone for
//! completion:" followed by the value, and "Primary assignee:" followed by
//! a name, which is how every one of these templates writes them.

use super::rst_fields::is_adornment;
use super::{FileContext, Found, FoundStatus, Located};
use crate::model::{capitalise, milestone_order, MilestoneOrder, Origin, StatusKey};
use crate::source::{Format, Span};

/// Directory names of the OpenStack layout and the status each one means.
pub const STATE_DIRECTORIES: &[(&str, StatusKey)] = &[
    ("approved", StatusKey::Accepted),
    ("implemented", StatusKey::Implemented),
    ("abandoned", StatusKey::Withdrawn),
    ("backlog", StatusKey::Deferred),
    ("superseded", StatusKey::Superseded),
];

fn state_of(dir: &str) -> Option<StatusKey> {
    STATE_DIRECTORIES
        .iter()
        .find(|(name, _)| *name == dir)
        .map(|(_, key)| *key)
}

/// A directory name that names a release: an OpenStack release, a
/// configured one, or a version (`2023.1`).
fn is_release_dir(dir: &str, extra_releases: &[String]) -> bool {
    !matches!(milestone_order(dir, extra_releases), MilestoneOrder::Raw(_))
}

/// A status read from a directory: key, directory name, directory path.
pub type DirectoryStatus = (StatusKey, String, String);
/// A release read from a directory: name, directory path.
pub type DirectoryRelease = (String, String);

/// What the path of a spec says: status and release, each with the
/// directory it came from.
pub fn directory_metadata(
    rel_path: &str,
    extra_releases: &[String],
) -> (Option<DirectoryStatus>, Option<DirectoryRelease>) {
    let parts: Vec<&str> = rel_path.split('/').collect();
    let Some(specs_index) = parts.iter().position(|p| *p == "specs") else {
        return (None, None);
    };
    let prefix = |n: usize| parts[..(specs_index + 1 + n).min(parts.len())].join("/");
    let rest = parts.get(specs_index + 1..).unwrap_or_default();
    // The file itself is the last part; only directories count.
    let dirs = rest.get(..rest.len().saturating_sub(1)).unwrap_or_default();
    match dirs {
        [first, ..] if state_of(first).is_some() => {
            let status = state_of(first).map(|key| (key, first.to_string(), prefix(1)));
            (status, None)
        }
        [release, state, ..] if state_of(state).is_some() => {
            let status = state_of(state).map(|key| (key, state.to_string(), prefix(2)));
            (status, Some((release.to_string(), prefix(1))))
        }
        [release, ..] if is_release_dir(release, extra_releases) => {
            (None, Some((release.to_string(), prefix(1))))
        }
        _ => (None, None),
    }
}

pub fn read_directories(context: &FileContext<'_>) -> Found {
    let mut found = Found::default();
    let (status, release) =
        directory_metadata(&context.source.rel_path, &context.metadata.releases);
    if let Some((key, raw, dir)) = status {
        found.status = Some(FoundStatus {
            value: Located {
                text: raw,
                origin: Origin::file(dir, None, "directory"),
                span: None,
            },
            key: Some(key),
        });
    }
    if let Some((release, dir)) = release {
        found.release = Some(Located {
            text: capitalise(&release),
            origin: Origin::file(dir, None, "directory"),
            span: None,
        });
    }
    found
}

/// The line range of the section titled by one of `titles` (RST headings:
/// a title line followed by an adornment line).
fn section_lines<'t>(lines: &[(usize, &'t str)], titles: &[&str]) -> Option<Vec<(usize, &'t str)>> {
    let heading_at = |i: usize| {
        lines.get(i + 1).is_some_and(|(_, next)| is_adornment(next))
            && lines
                .get(i)
                .is_some_and(|(_, l)| !l.trim().is_empty() && !is_adornment(l))
    };
    let start = (0..lines.len()).find(|&i| {
        heading_at(i)
            && lines
                .get(i)
                .is_some_and(|(_, l)| titles.contains(&l.trim().to_lowercase().as_str()))
    })?;
    let body_start = start + 2;
    let end = (body_start..lines.len())
        .find(|&i| heading_at(i))
        .unwrap_or(lines.len());
    Some(lines.get(body_start..end).unwrap_or_default().to_vec())
}

/// The value of a `Label:` line: the rest of the line, else the next
/// non-blank line. Returns the value and its span.
fn labelled_value(section: &[(usize, &str)], label: &str) -> Option<(String, Span)> {
    let position = section
        .iter()
        .position(|(_, l)| l.trim().to_lowercase().starts_with(label))?;
    let (offset, line) = section.get(position)?;
    let after = line
        .trim()
        .split_once(':')
        .map(|(_, rest)| rest.trim())
        .unwrap_or("");
    if !after.is_empty() {
        let start = offset + line.find(after).unwrap_or(0);
        return Some((after.to_string(), Span::new(start, start + after.len())));
    }
    first_text_line(section.get(position + 1..).unwrap_or_default())
}

fn first_text_line(lines: &[(usize, &str)]) -> Option<(String, Span)> {
    lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .map(|(offset, line)| {
            let text = line.trim();
            let start = offset + line.find(text).unwrap_or(0);
            (text.to_string(), Span::new(start, start + text.len()))
        })
}

/// "Target Milestone for completion: Liberty-1" in a Milestones section.
pub fn milestone_in_section(text: &str) -> Option<(String, Span)> {
    let lines: Vec<(usize, &str)> = super::lines(text).collect();
    let section = section_lines(&lines, &["milestones", "milestone", "target milestone"])?;
    labelled_value(&section, "target milestone").or_else(|| {
        let (first, span) = first_text_line(&section)?;
        // Another label ("Targeting this for milestone:"): the value follows it.
        match first.strip_suffix(':') {
            Some(label) if !label.contains(':') => {
                labelled_value(&section, &label.trim().to_lowercase())
            }
            _ => Some((first, span)),
        }
    })
}

/// "Primary assignee:" and the name under it.
pub fn primary_assignee(text: &str) -> Option<(Vec<String>, Span)> {
    let lines: Vec<(usize, &str)> = super::lines(text).collect();
    let (value, span) = labelled_value(&lines, "primary assignee")?;
    // Template text: "<launchpad-id or None>".
    if value.starts_with('<') {
        return None;
    }
    let names = super::split_authors(value.trim_start_matches(['*', '-', ' ']));
    (!names.is_empty()).then_some((names, span))
}

pub fn read_sections(context: &FileContext<'_>) -> Found {
    let mut found = Found::default();
    if context.source.format != Format::Rst {
        return found;
    }
    let text = &context.source.text;
    if let Some((value, span)) = milestone_in_section(text) {
        found.milestone = Some(Located {
            text: value,
            origin: context.origin_at(span.start, "Milestones section"),
            span: Some(span),
        });
    }
    if let Some((names, span)) = primary_assignee(text) {
        found.authors = Some((names, context.origin_at(span.start, "Assignee(s) section")));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tests::spec_from;
    use crate::markup::doc::Document;

    #[test]
    fn directories_give_status_and_release() {
        let (status, release) = directory_metadata("specs/kilo/implemented/flavor.rst", &[]);
        assert_eq!(
            status,
            Some((
                StatusKey::Implemented,
                "implemented".into(),
                "specs/kilo/implemented".into()
            ))
        );
        assert_eq!(release, Some(("kilo".into(), "specs/kilo".into())));
        let (status, release) = directory_metadata("specs/backlog/approved/x.rst", &[]);
        assert_eq!(status.map(|s| s.0), Some(StatusKey::Deferred));
        assert_eq!(release, None);
        let (status, _) = directory_metadata("specs/abandoned/x.rst", &[]);
        assert_eq!(status.map(|s| s.0), Some(StatusKey::Withdrawn));
        let (status, release) = directory_metadata("specs/liberty/x.rst", &[]);
        assert_eq!(
            (status, release.map(|r| r.0)),
            (None, Some("liberty".into()))
        );
        let (status, release) = directory_metadata("specs/2024.1/approved/x.rst", &[]);
        assert_eq!(status.map(|s| s.0), Some(StatusKey::Accepted));
        assert_eq!(release.map(|r| r.0), Some("2024.1".into()));
        assert_eq!(directory_metadata("specs/misc/x.rst", &[]), (None, None));
        assert_eq!(directory_metadata("specs/x.rst", &[]), (None, None));
        assert_eq!(directory_metadata("text/0001-x.md", &[]), (None, None));
        let aurora = ["aurora".to_string()];
        assert_eq!(
            directory_metadata("specs/aurora/x.rst", &aurora)
                .1
                .map(|r| r.0),
            Some("aurora".into())
        );
    }

    #[test]
    fn milestones_section_in_its_written_forms() {
        let cases = [
            ("Milestones\n----------\n\nTarget Milestone for completion:\n    Kilo-1\n\nWork Items\n----------\n", Some("Kilo-1")),
            ("Milestones\n----------\n\nTarget Milestone for completion:\n\nliberty-1\n", Some("liberty-1")),
            ("Milestones\n----------\n\"Kilo-3\"\n\nDependencies\n============\nNone\n", Some("\"Kilo-3\"")),
            ("Milestones\n----------\n\nTarget Milestone for completion: Newton\n", Some("Newton")),
            ("Work Items\n----------\n\nTarget Milestone for completion: X\n", None),
            ("Milestones\n----------\n\nTargeting this for milestone:\nMitaka-3\n\n", Some("Mitaka-3")),
        ];
        for (text, expected) in cases {
            assert_eq!(
                milestone_in_section(text).map(|(v, _)| v).as_deref(),
                expected,
                "{text}"
            );
        }
        let text = "Milestones\n----------\n\nTarget Milestone for completion:\n  Liberty-2\n";
        let (_, span) = milestone_in_section(text).expect("milestone");
        assert_eq!(&text[span.start..span.end], "Liberty-2");
    }

    #[test]
    fn milestone_section_wins_over_the_release_directory_and_placeholders_warn() {
        let text =
            "T\n=\n\nMilestones\n----------\n\nTarget Milestone for completion:\n  eg. Liberty-1\n";
        let source = std::sync::Arc::new(crate::source::SourceFile::new(
            "specs/liberty/x.rst".into(),
            "specs/liberty/x.rst".into(),
            Format::Rst,
            crate::source::FileRole::Spec,
            text.into(),
        ));
        let (spec, diagnostics) =
            crate::extract::extract(source, crate::markup::Parsed::default(), "x.html".into());
        assert!(spec.milestone.is_none(), "placeholder is not a milestone");
        assert_eq!(spec.release.expect("release").label, "Liberty");
        assert_eq!(diagnostics[0].code, "meta/milestone-placeholder");
        let span = diagnostics[0].location.as_ref().expect("location").span;
        assert_eq!(&text[span.start..span.end], "eg. Liberty-1");
    }

    #[test]
    fn primary_assignee_gives_the_authors() {
        let text = "Assignee(s)\n-----------\n\nPrimary assignee:\n  rdubois\n\nOther contributors:\n  x\n";
        let spec = spec_from(
            "specs/abandoned/x.rst",
            Format::Rst,
            text,
            Document::default(),
        );
        assert_eq!(spec.authors, ["rdubois"]);
        assert_eq!(spec.origins.authors.and_then(|o| o.line), Some(5));
        assert!(primary_assignee("Primary assignee:\n  <launchpad-id or None>\n").is_none());
    }
}
