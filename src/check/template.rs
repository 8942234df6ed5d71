//! Template conformance: each spec's sections against its repository's
//! template.
//!
//! Runs after extraction, on parsed documents. A template applies to the
//! specs in its scope: `specs/kilo-template.rst` to `specs/kilo/…` (the
//! OpenStack per-release layout), `proposals/0000-template.md` or
//! `template.rst` to its own directory and below; the most specific scope
//! wins. Sections are compared by normalised title (case, punctuation and
//! spacing ignored) at the top level, plus the template's second-level
//! sections under each top-level section the spec has. Extra sections are
//! reported only at the top level: subsections are the author's to choose.

use std::collections::{HashMap, HashSet};

use super::{CheckConfig, StatusRule};
use crate::diag::Diagnostic;
use crate::markup::doc::{Document, Kind, NodeId};
use crate::model::Spec;
use crate::source::{SourceFile, Span};

/// One section of an outline: its normalised key, title as written, the
/// span of its title, and its subsections.
#[derive(Clone, Debug)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub span: Span,
    pub children: Vec<Section>,
    /// Whether the section says anything besides its title and subsections
    /// ("None." and "N/A" count as nothing), for rules like "an accepted
    /// spec has no open questions left".
    pub has_content: bool,
}

/// Body text that says there is nothing here.
const EMPTY_WORDS: &[&str] = &["", "none", "na", "nothing", "noneyet", "nonesofar"];

/// Lower-case letters and digits only: "Assignee(s)" and "assignees" match.
pub fn normalise_title(title: &str) -> String {
    title
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Section children of `node` that are sections (directly, or inside
/// non-section containers such as a wrapper).
fn child_sections(doc: &Document, node: NodeId, depth: usize) -> Vec<Section> {
    let mut sections = Vec::new();
    for &child in doc.children(node) {
        if doc.kind(child) != Kind::Section {
            continue;
        }
        let title_node = doc
            .children(child)
            .iter()
            .copied()
            .find(|&c| doc.kind(c) == Kind::Title);
        let title = title_node.map_or_else(String::new, |t| doc.text_content(t));
        let span = title_node.map_or_else(|| doc.span(child), |t| doc.span(t));
        let body: String = doc
            .children(child)
            .iter()
            .filter(|&&c| !matches!(doc.kind(c), Kind::Title | Kind::Section))
            .map(|&c| doc.text_content(c))
            .collect();
        sections.push(Section {
            has_content: !EMPTY_WORDS.contains(&normalise_title(&body).as_str()),
            key: normalise_title(&title),
            title: title.trim().to_string(),
            span,
            // Two levels are all the comparison looks at: bounded depth.
            children: if depth < 2 {
                child_sections(doc, child, depth + 1)
            } else {
                Vec::new()
            },
        });
    }
    sections
}

/// The outline that matters for conformance: the top-level sections, or,
/// when the whole document is one titled section (a Markdown `# Title`),
/// the sections inside it.
pub fn outline(doc: &Document) -> Vec<Section> {
    let top = child_sections(doc, doc.root(), 0);
    if top.len() == 1 {
        let only = doc
            .children(doc.root())
            .iter()
            .copied()
            .find(|&child| doc.kind(child) == Kind::Section);
        if let Some(only) = only {
            let inner = child_sections(doc, only, 0);
            if !inner.is_empty() {
                return inner;
            }
        }
    }
    top
}

/// Which directory a template file governs (with a trailing `/`, "" for
/// the root), given every spec path, and whether that scope is a directory
/// named by the template's prefix (`specs/kilo-template.rst` → `specs/kilo/`).
pub fn template_scope<'p>(
    template_path: &str,
    spec_paths: impl Iterator<Item = &'p str>,
) -> (String, bool) {
    let (dir, file) = match template_path.rsplit_once('/') {
        Some((dir, file)) => (format!("{dir}/"), file),
        None => (String::new(), template_path),
    };
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let prefix_len = stem
        .to_ascii_lowercase()
        .strip_suffix("template")
        .map_or(0, |prefix| prefix.trim_end_matches(['-', '_', '.']).len());
    if prefix_len > 0 {
        let candidate = format!("{dir}{}/", &stem[..prefix_len]);
        let mut spec_paths = spec_paths;
        if spec_paths.any(|path| path.starts_with(&candidate)) {
            return (candidate, true);
        }
    }
    (dir, false)
}

/// A parsed template with its scope.
pub struct Template {
    pub path: String,
    pub scope: String,
    pub outline: Vec<Section>,
}

/// Positions (into `items`) of a longest strictly increasing subsequence.
fn longest_increasing(items: &[usize]) -> Vec<usize> {
    // O(n²) is fine: a spec has tens of sections.
    let n = items.len();
    let mut length = vec![1usize; n];
    let mut previous = vec![usize::MAX; n];
    for i in 0..n {
        for j in 0..i {
            if items[j] < items[i] && length[j] + 1 > length[i] {
                length[i] = length[j] + 1;
                previous[i] = j;
            }
        }
    }
    let Some((mut at, _)) = length.iter().enumerate().max_by_key(|(i, l)| (**l, *i)) else {
        return Vec::new();
    };
    let mut chain = vec![at];
    while previous[at] != usize::MAX {
        at = previous[at];
        chain.push(at);
    }
    chain.reverse();
    chain
}

/// Compare one spec's outline with its template's.
pub fn conformance(
    spec_path: &str,
    spec_outline: &[Section],
    template: &Template,
    optional: &HashSet<String>,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let template_index: HashMap<&str, usize> = template
        .outline
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.as_str(), i))
        .collect();
    let spec_index: HashMap<&str, usize> = spec_outline
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key.as_str(), i))
        .collect();
    let end_of_spec = spec_outline.last().map_or(Span::default(), |s| s.span);

    // Missing top-level sections, pointed at where they belong: before the
    // next template section the spec has.
    for (position, wanted) in template.outline.iter().enumerate() {
        if wanted.key.is_empty() || optional.contains(&wanted.key) {
            continue;
        }
        match spec_index.get(wanted.key.as_str()) {
            None => {
                let place = template.outline[position + 1..]
                    .iter()
                    .find_map(|later| spec_index.get(later.key.as_str()))
                    .and_then(|&i| spec_outline.get(i))
                    .map_or(end_of_spec, |s| Span::new(s.span.start, s.span.start));
                diagnostics.push(
                    Diagnostic::warning(
                        "check/template-missing-section",
                        format!("section \"{}\" of the template is missing", wanted.title),
                    )
                    .at(spec_path, place)
                    .with_help(format!("the template is {}", template.path)),
                );
            }
            Some(&present) => {
                let Some(have) = spec_outline.get(present) else {
                    continue;
                };
                let have_keys: Vec<&str> = have.children.iter().map(|c| c.key.as_str()).collect();
                for sub in &wanted.children {
                    if !sub.key.is_empty()
                        && !optional.contains(&sub.key)
                        && !have_keys.contains(&sub.key.as_str())
                    {
                        diagnostics.push(
                            Diagnostic::warning(
                                "check/template-missing-section",
                                format!(
                                    "section \"{} › {}\" of the template is missing",
                                    wanted.title, sub.title
                                ),
                            )
                            .at(spec_path, have.span)
                            .with_help(format!("the template is {}", template.path)),
                        );
                    }
                }
            }
        }
    }
    // Extra top-level sections.
    for section in spec_outline {
        if !section.key.is_empty() && !template_index.contains_key(section.key.as_str()) {
            diagnostics.push(
                Diagnostic::note(
                    "check/template-extra-section",
                    format!("section \"{}\" is not in the template", section.title),
                )
                .at(spec_path, section.span)
                .with_help(format!("the template is {}", template.path)),
            );
        }
    }
    // Order: the sections outside a longest run in template order are the
    // ones that moved.
    let present: Vec<(usize, &Section)> = spec_outline
        .iter()
        .filter_map(|s| template_index.get(s.key.as_str()).map(|&i| (i, s)))
        .collect();
    let order: Vec<usize> = present.iter().map(|(i, _)| *i).collect();
    let keep = longest_increasing(&order);
    for (position, (_, section)) in present.iter().enumerate() {
        if !keep.contains(&position) {
            diagnostics.push(
                Diagnostic::warning(
                    "check/template-section-order",
                    format!(
                        "section \"{}\" is out of the template's order",
                        section.title
                    ),
                )
                .at(spec_path, section.span)
                .with_help(format!("the template is {}", template.path)),
            );
        }
    }
    diagnostics
}

/// The `[[check.rule]]`s that apply to a spec of its status: required
/// sections it lacks, and sections that should be settled but still say
/// something. Sections are looked up at the top level and one below.
pub fn status_rules(
    spec_path: &str,
    spec: &Spec,
    outline: &[Section],
    rules: &[StatusRule],
) -> Vec<Diagnostic> {
    let Some(status) = &spec.status else {
        return Vec::new();
    };
    let find = |title: &str| {
        let key = normalise_title(title);
        outline
            .iter()
            .chain(outline.iter().flat_map(|s| s.children.iter()))
            .find(|s| s.key == key)
    };
    // Point at the line the status was read from, when it is in the spec.
    let status_place = status
        .origin
        .line
        .filter(|_| status.origin.path == spec_path)
        .and_then(|line| spec.source.lines.line_start(line))
        .map_or_else(Span::default, |start| Span::new(start, start));
    let mut diagnostics = Vec::new();
    for rule in rules.iter().filter(|rule| rule.status == status.key) {
        for title in &rule.require {
            if find(title).is_none() {
                diagnostics.push(
                    Diagnostic::warning(
                        "check/status-rule-missing-section",
                        format!(
                            "the spec is {} but has no \"{title}\" section",
                            status.key.key()
                        ),
                    )
                    .at(spec_path, status_place)
                    .with_help(format!(
                        "add a \"{title}\" section, or change the status (rule from [[check.rule]] in specsite.toml)"
                    )),
                );
            }
        }
        for title in &rule.forbid_content {
            if let Some(section) = find(title).filter(|s| s.has_content) {
                diagnostics.push(
                    Diagnostic::warning(
                        "check/status-rule-open-section",
                        format!(
                            "the spec is {} but its \"{}\" section still has content",
                            status.key.key(),
                            section.title
                        ),
                    )
                    .at(spec_path, section.span)
                    .with_help(
                        "settle what it lists and remove the section (or leave only \"None\"), or move the spec back to review (rule from [[check.rule]] in specsite.toml)",
                    ),
                );
            }
        }
    }
    diagnostics
}

/// Parse the templates and check every spec in some template's scope, and
/// every spec against the status rules. `configured`: the one template
/// named by `[check] template`, which governs every spec. Returns the
/// diagnostics and, for reports, how many specs were checked against which
/// template.
pub fn check_templates(
    templates: &[(&SourceFile, Document)],
    specs: &[Spec],
    settings: &CheckConfig,
    configured: bool,
) -> (Vec<Diagnostic>, Vec<(String, usize)>) {
    let optional: HashSet<String> = settings
        .optional_sections
        .iter()
        .map(|title| normalise_title(title))
        .collect();
    let scoped: Vec<(Template, bool)> = templates
        .iter()
        .map(|(file, doc)| {
            let (scope, specific) = if configured {
                (String::new(), false)
            } else {
                template_scope(
                    &file.rel_path,
                    specs.iter().map(|s| s.source.rel_path.as_str()),
                )
            };
            let template = Template {
                path: file.rel_path.clone(),
                scope,
                outline: outline(doc),
            };
            (template, specific)
        })
        .collect();
    // A per-release template whose release has no directory yet (nova's
    // next release) does not govern its siblings' whole directory: its
    // siblings are per-release too.
    let per_release_dirs: Vec<String> = scoped
        .iter()
        .filter(|(_, specific)| *specific)
        .filter_map(|(t, _)| {
            t.scope
                .trim_end_matches('/')
                .rsplit_once('/')
                .map(|(d, _)| format!("{d}/"))
        })
        .collect();
    let parsed: Vec<Template> = scoped
        .into_iter()
        .filter(|(t, specific)| *specific || !per_release_dirs.contains(&t.scope))
        .map(|(t, _)| t)
        .collect();
    let mut diagnostics = Vec::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for spec in specs {
        let path = spec.source.rel_path.as_str();
        let spec_outline = outline(&spec.doc);
        diagnostics.extend(status_rules(path, spec, &spec_outline, &settings.rules));
        let Some(template) = parsed
            .iter()
            .filter(|t| path.starts_with(&t.scope))
            .max_by_key(|t| t.scope.len())
        else {
            continue;
        };
        *counts.entry(template.path.as_str()).or_default() += 1;
        diagnostics.extend(conformance(path, &spec_outline, template, &optional));
    }
    let mut counts: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(path, count)| (path.to_string(), count))
        .collect();
    counts.sort();
    (diagnostics, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(title: &str, children: &[&str]) -> Section {
        Section {
            key: normalise_title(title),
            title: title.into(),
            span: Span::default(),
            children: children.iter().map(|c| section(c, &[])).collect(),
            has_content: true,
        }
    }

    #[test]
    fn scopes_follow_release_prefixes_and_directories() {
        let specs = ["specs/kilo/approved/a.rst", "proposals/0001-x.md"];
        let scope = |path: &str| template_scope(path, specs.iter().copied());
        assert_eq!(
            scope("specs/kilo-template.rst"),
            ("specs/kilo/".into(), true)
        );
        assert_eq!(scope("specs/juno-template.rst"), ("specs/".into(), false));
        assert_eq!(
            scope("proposals/0000-template.md"),
            ("proposals/".into(), false)
        );
        assert_eq!(scope("template.rst"), (String::new(), false));
        let dotted = ["specs/2023.1/approved/a.rst"];
        assert_eq!(
            template_scope("specs/2023.1-template.rst", dotted.iter().copied()),
            ("specs/2023.1/".into(), true)
        );
        assert_eq!(normalise_title("Assignee(s)"), "assignees");
    }

    #[test]
    fn missing_extra_and_moved_sections_are_reported() {
        let template = Template {
            path: "t.rst".into(),
            scope: String::new(),
            outline: vec![
                section("Problem description", &["Use Cases"]),
                section("Proposed change", &[]),
                section("Alternatives", &[]),
                section("Testing", &[]),
            ],
        };
        let spec = vec![
            section("Problem Description", &[]),
            section("Testing", &[]),
            section("Proposed change", &[]),
            section("Notes", &[]),
        ];
        let diagnostics = conformance("s.rst", &spec, &template, &HashSet::new());
        let mut messages: Vec<String> = diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect();
        messages.sort();
        assert_eq!(
            messages,
            [
                "check/template-extra-section section \"Notes\" is not in the template",
                "check/template-missing-section section \"Alternatives\" of the template is missing",
                "check/template-missing-section section \"Problem description › Use Cases\" of the template is missing",
                "check/template-section-order section \"Testing\" is out of the template's order",
            ]
        );
    }
}
