//! Metadata step, repository-wide: specs that claim the same identity.
//!
//! Runs in [`finish`](super::finish) once every spec is read, because a
//! collision is a fact about two files, never one. Two shapes are errors,
//! each reported at every file involved so the author sees all of them:
//!
//! * the same explicit `id` in metadata (`id: 42` in two front matters);
//! * the same leading number *and* the same name once case and punctuation
//!   are folded (`0042-Foo-Bar.md`, `0042-foo_bar.md`, `0042-foo-bar.rst`):
//!   their pages differ only by case or by a `-`/`_`, which breaks on
//!   case-insensitive file systems and confuses every reference to them.
//!
//! Numbers alone may repeat: rust-rfcs merged several RFCs under one number
//! (2071, 2856, 3392, 3606), and each keeps its page.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::model::Spec;
use crate::source::Span;

/// Every identity collision among `specs`, as errors.
pub fn duplicate_identities(specs: &[Spec]) -> Vec<Diagnostic> {
    let mut diagnostics = explicit_id_collisions(specs);
    diagnostics.extend(folded_name_collisions(specs));
    diagnostics
}

fn explicit_id_collisions(specs: &[Spec]) -> Vec<Diagnostic> {
    let mut by_id: BTreeMap<String, Vec<(usize, Option<usize>)>> = BTreeMap::new();
    for (index, spec) in specs.iter().enumerate() {
        for field in spec
            .fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("id"))
        {
            let id = field.value.trim();
            if !id.is_empty() {
                by_id
                    .entry(id.to_string())
                    .or_default()
                    .push((index, field.origin.line));
            }
        }
    }
    let mut diagnostics = Vec::new();
    for (id, claims) in by_id.into_iter().filter(|(_, claims)| claims.len() > 1) {
        for &(index, line) in &claims {
            let spec = &specs[index];
            let others = other_paths(specs, claims.iter().map(|(i, _)| *i), index);
            let start = line
                .and_then(|line| spec.source.lines.line_start(line))
                .unwrap_or(0);
            diagnostics.push(
                Diagnostic::error(
                    "meta/duplicate-id",
                    format!("spec id `{id}` is claimed by this spec and by {others}"),
                )
                .at(spec.source.rel_path.clone(), Span::new(start, start))
                .with_help("give each spec an id of its own"),
            );
        }
    }
    diagnostics
}

fn folded_name_collisions(specs: &[Spec]) -> Vec<Diagnostic> {
    let mut by_name: BTreeMap<(u64, String), Vec<usize>> = BTreeMap::new();
    for (index, spec) in specs.iter().enumerate() {
        if let Some(key) = numbered_name(&spec.source.rel_path) {
            by_name.entry(key).or_default().push(index);
        }
    }
    let mut diagnostics = Vec::new();
    for ((number, _), members) in by_name.into_iter().filter(|(_, m)| m.len() > 1) {
        for &index in &members {
            let others = other_paths(specs, members.iter().copied(), index);
            diagnostics.push(
                Diagnostic::error(
                    "load/duplicate-spec-name",
                    format!(
                        "this spec and {others} have number {number} and the same name once case and punctuation are ignored; their pages and references cannot be told apart"
                    ),
                )
                .at(specs[index].source.rel_path.clone(), Span::new(0, 0))
                .with_help("rename one of them or give it another number"),
            );
        }
    }
    diagnostics
}

/// (leading number, name folded to lower-case letters and digits) of a
/// file name such as `0042-Foo_Bar.md`; `None` without a number or name.
fn numbered_name(path: &str) -> Option<(u64, String)> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let digits = stem.len() - stem.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let number = stem.get(..digits)?.parse().ok()?;
    let folded: String = stem[digits..]
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    (!folded.is_empty()).then_some((number, folded))
}

/// The paths of `members` other than `me`, in backticks, joined for a message.
fn other_paths(specs: &[Spec], members: impl Iterator<Item = usize>, me: usize) -> String {
    members
        .filter(|&i| i != me)
        .filter_map(|i| specs.get(i))
        .map(|spec| format!("`{}`", spec.source.rel_path))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_and_punctuation_but_keep_the_number() {
        assert_eq!(
            numbered_name("text/0042-Foo-Bar.md"),
            Some((42, "foobar".into()))
        );
        assert_eq!(
            numbered_name("0042-foo_bar.rst"),
            numbered_name("x/0042-foo-bar.md")
        );
        assert_ne!(numbered_name("0042-foo.md"), numbered_name("0043-foo.md"));
        assert_eq!(numbered_name("foo-bar.md"), None);
        assert_eq!(numbered_name("0042.md"), None);
        assert_eq!(numbered_name("0042-é.md"), Some((42, "é".into())));
    }
}
