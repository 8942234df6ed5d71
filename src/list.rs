//! `specsite list`: the spec model as a table, JSON or CSV, for scripts.
//!
//! Reads the repository exactly as a build does (config, load, parse,
//! extract, whole-repository sources) but renders nothing, so what it
//! prints is what the site's index shows. The JSON rows are the records of
//! the site's `api/specs.json`.

use crate::model::{compare_milestones, Spec, StatusKey, StatusScheme};
use crate::render::site::spec_record;

/// Output format of `specsite list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}

/// Which specs to list.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// Status key ("implemented") or label ("Implemented").
    pub status: Option<String>,
    /// Milestone label, case-insensitive; "none" lists specs without one.
    pub milestone: Option<String>,
}

/// Resolve `--status` to a key, or explain what is known.
pub fn parse_status(text: &str, scheme: &StatusScheme) -> Result<StatusKey, String> {
    let lower = text.trim().to_lowercase();
    if let Some(key) = StatusKey::ALL
        .into_iter()
        .find(|k| k.key() == lower || scheme.label(*k).to_lowercase() == lower)
    {
        return Ok(key);
    }
    if lower == "none" {
        return Ok(StatusKey::Unknown);
    }
    if let Some(key) = scheme.canonical(&lower) {
        return Ok(key);
    }
    let keys: Vec<&str> = StatusKey::ALL.iter().map(|k| k.key()).collect();
    Err(
        match crate::suggest::nearest(&lower, keys.iter().copied()) {
            Some(near) => format!("unknown status {text:?}; did you mean {near:?}?"),
            None => format!("unknown status {text:?}; known: {}", keys.join(", ")),
        },
    )
}

/// The specs that pass the filter, in index order: by status (lifecycle
/// order), then milestone (release order), then id.
pub fn select<'s>(
    specs: &'s [Spec],
    filter: &ListFilter,
    scheme: &StatusScheme,
    releases: &[String],
) -> Result<Vec<&'s Spec>, String> {
    let status = filter
        .status
        .as_deref()
        .map(|s| parse_status(s, scheme))
        .transpose()?;
    let milestone = filter.milestone.as_deref().map(|m| m.trim().to_lowercase());
    let order = scheme.ordered();
    let mut selected: Vec<&Spec> = specs
        .iter()
        .filter(|spec| status.is_none_or(|s| spec.status_key() == s))
        .filter(|spec| match (&milestone, &spec.milestone) {
            (None, _) => true,
            (Some(wanted), None) => wanted == "none",
            (Some(wanted), Some(m)) => m.label.to_lowercase() == *wanted,
        })
        .collect();
    let rank = |spec: &Spec| {
        order
            .iter()
            .position(|k| *k == spec.status_key())
            .unwrap_or(order.len())
    };
    selected.sort_by(|a, b| {
        rank(a)
            .cmp(&rank(b))
            .then_with(|| match (&a.milestone, &b.milestone) {
                (Some(x), Some(y)) => compare_milestones(&x.label, &y.label, releases),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(selected)
}

fn csv_cell(text: &str) -> String {
    // Cells starting with these are formulas to a spreadsheet.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Print the selected specs.
pub fn render(specs: &[&Spec], format: ListFormat, scheme: &StatusScheme) -> String {
    let status_of = |spec: &Spec| spec.status_key().key().to_string();
    let milestone_of = |spec: &Spec| {
        spec.milestone
            .as_ref()
            .map_or(String::new(), |m| m.label.clone())
    };
    match format {
        ListFormat::Json => {
            let records: Vec<serde_json::Value> =
                specs.iter().map(|s| spec_record(s, scheme)).collect();
            let mut text = serde_json::to_string_pretty(&records).unwrap_or_default();
            text.push('\n');
            text
        }
        ListFormat::Csv => {
            let mut out =
                String::from("id,status,raw_status,milestone,authors,created,updated,title,path\n");
            for spec in specs {
                let row = [
                    spec.id.clone(),
                    status_of(spec),
                    spec.status
                        .as_ref()
                        .map_or(String::new(), |s| s.raw.clone()),
                    milestone_of(spec),
                    spec.authors.join("; "),
                    spec.created.clone().unwrap_or_default(),
                    spec.updated.clone().unwrap_or_default(),
                    spec.title.clone(),
                    spec.source.rel_path.clone(),
                ];
                let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
                out.push_str(&cells.join(","));
                out.push('\n');
            }
            out
        }
        ListFormat::Table => {
            let rows: Vec<[String; 4]> = specs
                .iter()
                .map(|spec| {
                    [
                        status_of(spec),
                        milestone_of(spec),
                        spec.id.clone(),
                        spec.title.replace(['\n', '\t'], " "),
                    ]
                })
                .collect();
            let header = ["STATUS", "MILESTONE", "ID", "TITLE"].map(String::from);
            let widths: Vec<usize> = (0..3)
                .map(|i| {
                    rows.iter()
                        .chain(std::iter::once(&header))
                        .map(|r| r[i].chars().count())
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let mut out = String::new();
            for row in std::iter::once(&header).chain(rows.iter()) {
                for (i, width) in widths.iter().enumerate() {
                    let cell = &row[i];
                    out.push_str(cell);
                    out.push_str(&" ".repeat(width.saturating_sub(cell.chars().count()) + 2));
                }
                out.push_str(&row[3]);
                out.push('\n');
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_by_key_label_or_vocabulary_and_typos_suggest() {
        let scheme = StatusScheme::default();
        assert_eq!(
            parse_status("implemented", &scheme),
            Ok(StatusKey::Implemented)
        );
        assert_eq!(parse_status("In review", &scheme), Ok(StatusKey::InReview));
        assert_eq!(parse_status("approved", &scheme), Ok(StatusKey::Accepted));
        let error = parse_status("implemnted", &scheme).expect_err("typo");
        assert!(error.contains("did you mean \"implemented\""), "{error}");
    }

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=cmd()"), "'=cmd()");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
