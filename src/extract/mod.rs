//! Extraction: a parsed document becomes a [`Spec`].
//!
//! Runs per file, in parallel, after parsing. Every convention a spec
//! repository uses to write status, milestone, authors and dates is one
//! submodule with one function from a [`FileContext`] to a [`Found`]: the
//! values it saw, each with its [`Origin`]. [`extract_with`] runs the
//! sources in the configured order and keeps, for each value, the first
//! source that had it; mapping raw statuses to the lifecycle and spotting
//! milestone placeholders happen once, here, so every source gets the same
//! diagnostics. Sources that need the whole repository (index pages, git
//! history) run afterwards in [`finish`].

pub mod bullet_header;
pub mod frontmatter;
pub mod git;
pub mod identity;
pub mod index_pages;
pub mod kep;
pub mod openstack;
pub mod pep_header;
pub mod rst_fields;
pub mod status_section;

use std::path::Path;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::markup::doc::{Document, Kind, NodeId};
use crate::markup::frontmatter::FrontMatter;
use crate::markup::Parsed;
use crate::model::{
    classify_milestone, Field, Milestone, MilestoneValue, Origin, Origins, Spec, Status, StatusKey,
};
use crate::preset::{MetadataConfig, MetadataSource};
use crate::source::{SharedSource, SourceFile, Span};

/// Section titles that open a document's body rather than name it (many
/// RFCs start with "# Summary" and have no title heading at all).
const BODY_SECTION_TITLES: &[&str] = &[
    "summary",
    "abstract",
    "motivation",
    "overview",
    "introduction",
    "problem description",
    "background",
];

/// What a source sees of one file.
pub struct FileContext<'a> {
    pub source: &'a SourceFile,
    pub doc: &'a Document,
    pub front_matter: Option<&'a FrontMatter>,
    /// Repository root, for sidecar files; `None` reads no other file.
    pub root: Option<&'a Path>,
    pub metadata: &'a MetadataConfig,
}

impl FileContext<'_> {
    /// Origin of a value found at byte `offset` of this file.
    pub fn origin_at(&self, offset: usize, source: &'static str) -> Origin {
        Origin::file(
            self.source.rel_path.clone(),
            Some(self.source.line_col(offset).line),
            source,
        )
    }
}

/// A value as one source found it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub text: String,
    pub origin: Origin,
    /// Where in the spec's own file, for diagnostics (none for other files).
    pub span: Option<Span>,
}

/// A status as found, optionally with the key the source's convention
/// gives it (a directory named `abandoned` means withdrawn, whatever the
/// word means elsewhere).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundStatus {
    pub value: Located,
    pub key: Option<StatusKey>,
}

/// Everything one source found in one file. Empty means "nothing here".
#[derive(Clone, Debug, Default)]
pub struct Found {
    pub title: Option<Located>,
    pub status: Option<FoundStatus>,
    /// The source saw where a status should be and found it unset
    /// (template text): stops later sources guessing.
    pub status_not_set: bool,
    pub milestone: Option<Located>,
    pub release: Option<Located>,
    pub authors: Option<(Vec<String>, Origin)>,
    pub created: Option<Located>,
    pub updated: Option<Located>,
    pub fields: Vec<Field>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Build the spec for one parsed file with the default metadata settings.
pub fn extract(source: SharedSource, parsed: Parsed, page_path: String) -> (Spec, Vec<Diagnostic>) {
    let metadata = MetadataConfig::default();
    extract_with(source, parsed, page_path, None, &metadata)
}

/// Build the spec for one parsed file. `page_path` is decided by the
/// caller, which sees all files and can resolve collisions; `root` lets
/// sidecar files be read.
pub fn extract_with(
    source: SharedSource,
    parsed: Parsed,
    page_path: String,
    root: Option<&Path>,
    metadata: &MetadataConfig,
) -> (Spec, Vec<Diagnostic>) {
    let Parsed {
        doc,
        front_matter,
        diagnostics: _,
    } = parsed;
    let context = FileContext {
        source: &source,
        doc: &doc,
        front_matter: front_matter.as_ref(),
        root,
        metadata,
    };
    let found: Vec<Found> = metadata
        .sources
        .iter()
        .map(|kind| read_source(*kind, &context))
        .collect();

    let rel_path = source.rel_path.clone();
    let mut spec = Spec {
        id: strip_extension(&rel_path).to_string(),
        source: source.clone(),
        title: String::new(),
        title_node: None,
        status: None,
        milestone: None,
        release: None,
        authors: Vec::new(),
        created: None,
        updated: None,
        origins: Origins::default(),
        fields: Vec::new(),
        metadata_error: None,
        page_path,
        problems: 0,
        doc: Document::default(),
    };
    let mut diagnostics = Vec::new();
    merge(&mut spec, found, metadata, &mut diagnostics);

    if spec.title.is_empty() {
        if let Some((node, text)) = document_title(&doc) {
            spec.title = text;
            spec.title_node = Some(node);
        } else {
            spec.title = title_from_file_name(&rel_path);
        }
    } else if let Some((node, text)) = document_title(&doc) {
        // The metadata named the spec; a heading saying the same (or
        // "KEP-1234: Same") is not repeated in the body.
        let heading = text.trim();
        if heading == spec.title.trim() || heading.ends_with(&format!(": {}", spec.title.trim())) {
            spec.title_node = Some(node);
        }
    }
    spec.doc = doc;
    (spec, diagnostics)
}

fn read_source(kind: MetadataSource, context: &FileContext<'_>) -> Found {
    match kind {
        MetadataSource::FrontMatter => frontmatter::read(context),
        MetadataSource::RstFields => rst_fields::read(context),
        MetadataSource::PepHeader => pep_header::read(context),
        MetadataSource::BulletHeader => bullet_header::read(context),
        MetadataSource::StatusSection => status_section::read(context),
        MetadataSource::MilestonesSection => openstack::read_sections(context),
        MetadataSource::Sidecar => kep::read(context),
        MetadataSource::Directory => openstack::read_directories(context),
        // Whole-repository sources run in `finish`.
        MetadataSource::IndexPages | MetadataSource::Git => Found::default(),
    }
}

/// Keep, for each value, the first source that had it; canonicalise the
/// status and classify the milestone once.
fn merge(
    spec: &mut Spec,
    found: Vec<Found>,
    metadata: &MetadataConfig,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let rel_path = spec.source.rel_path.clone();
    let mut status_decided = false;
    let mut milestone_decided = false;
    for mut one in found {
        diagnostics.append(&mut one.diagnostics);
        if spec.title.is_empty() {
            if let Some(title) = one.title.filter(|t| !t.text.is_empty()) {
                spec.title = title.text;
                spec.origins.title = Some(title.origin);
            }
        }
        if !status_decided {
            if one.status_not_set {
                status_decided = true;
            } else if let Some(found_status) = one.status {
                status_decided = true;
                spec.status = Some(resolve_status(
                    found_status,
                    metadata,
                    &rel_path,
                    diagnostics,
                    &mut spec.metadata_error,
                ));
            }
        }
        if !milestone_decided {
            if let Some(milestone) = one.milestone {
                milestone_decided = true;
                spec.milestone =
                    resolve_milestone(milestone, &rel_path, &metadata.releases, diagnostics);
            }
        }
        if spec.release.is_none() {
            if let Some(release) = one.release {
                spec.release = Some(Milestone {
                    label: release.text.clone(),
                    raw: release.text,
                    origin: release.origin,
                });
            }
        }
        if spec.authors.is_empty() {
            if let Some((authors, origin)) = one.authors.filter(|(a, _)| !a.is_empty()) {
                spec.authors = authors;
                spec.origins.authors = Some(origin);
            }
        }
        if spec.created.is_none() {
            if let Some(created) = one.created {
                spec.created = Some(created.text);
                spec.origins.created = Some(created.origin);
            }
        }
        if spec.updated.is_none() {
            if let Some(updated) = one.updated {
                spec.updated = Some(updated.text);
                spec.origins.updated = Some(updated.origin);
            }
        }
        for field in one.fields {
            if !spec.fields.iter().any(|f| f.name == field.name) {
                spec.fields.push(field);
            }
        }
    }
    // Without a milestone of its own a spec targets its release.
    if !milestone_decided && spec.milestone.is_none() {
        spec.milestone = spec.release.clone();
    }
}

fn resolve_status(
    found: FoundStatus,
    metadata: &MetadataConfig,
    rel_path: &str,
    diagnostics: &mut Vec<Diagnostic>,
    metadata_error: &mut Option<String>,
) -> Status {
    let FoundStatus { value, key } = found;
    let raw = value
        .text
        .trim()
        .trim_matches(|c: char| c == '*' || c == '`' || c == '"')
        .trim()
        .to_string();
    let key = match key.or_else(|| metadata.status.canonical(&raw)) {
        Some(key) => key,
        None => {
            let known = metadata.status.known_words();
            let mut diagnostic = Diagnostic::warning(
                "meta/unknown-status",
                format!(
                    "unknown status {raw:?} ({}); the spec is listed under \"Unknown\"",
                    value.origin
                ),
            );
            if let Some(span) = value.span {
                diagnostic = diagnostic.at(rel_path, span);
            } else {
                diagnostic = diagnostic.at(rel_path, Span::default());
            }
            diagnostic = match crate::suggest::nearest(&raw, known.iter().copied()) {
                Some(near) => diagnostic.with_help(format!(
                    "did you mean {near:?}? Or map it in specsite.toml: [status.map] {:?} = \"accepted\"",
                    raw.to_lowercase()
                )),
                None => diagnostic.with_help(format!(
                    "use a known status, or map it in specsite.toml: [status.map] {:?} = \"accepted\"",
                    raw.to_lowercase()
                )),
            };
            diagnostics.push(diagnostic);
            *metadata_error = Some(format!("unknown status {raw:?}"));
            StatusKey::Unknown
        }
    };
    Status {
        key,
        raw,
        origin: value.origin,
    }
}

fn resolve_milestone(
    found: Located,
    rel_path: &str,
    releases: &[String],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Milestone> {
    match classify_milestone(&found.text) {
        MilestoneValue::Set(label) => {
            if let Some(near) = misspelt_release(&label, releases) {
                diagnostics.push(
                    Diagnostic::warning(
                        "meta/unknown-milestone",
                        format!("milestone {label:?} names no known release; it is listed after the ordered milestones"),
                    )
                    .at(rel_path, found.span.unwrap_or_default())
                    .with_help(format!("did you mean {near:?}?")),
                );
            }
            Some(Milestone {
                label,
                raw: found.text,
                origin: found.origin,
            })
        }
        MilestoneValue::None => None,
        MilestoneValue::Placeholder => {
            diagnostics.push(
                Diagnostic::warning(
                    "meta/milestone-placeholder",
                    format!(
                        "milestone {:?} is template text, not a milestone; it is treated as not set",
                        found.text.trim()
                    ),
                )
                .at(rel_path, found.span.unwrap_or_default())
                .with_help("write the milestone the spec targets (e.g. Liberty-1), or None"),
            );
            None
        }
    }
}

/// "Netwon-1" → Some("Newton-1"): a milestone that cannot be ordered
/// because its release name looks misspelt.
fn misspelt_release(label: &str, releases: &[String]) -> Option<String> {
    if !matches!(
        crate::model::milestone_order(label, releases),
        crate::model::MilestoneOrder::Raw(_)
    ) {
        return None;
    }
    let (name, rest) = match label.split_once('-') {
        Some((name, rest)) => (name, Some(rest)),
        None => (label, None),
    };
    if name.len() < 4 || name.contains(' ') {
        return None;
    }
    let known = crate::model::OPENSTACK_RELEASES
        .iter()
        .copied()
        .chain(releases.iter().map(String::as_str));
    let near = crate::suggest::nearest(name, known)?;
    let near = crate::model::capitalise(near);
    Some(match rest {
        Some(rest) => format!("{near}-{rest}"),
        None => near,
    })
}

fn strip_extension(path: &str) -> &str {
    match path.rfind('.') {
        Some(dot) if !path[dot..].contains('/') => &path[..dot],
        _ => path,
    }
}

/// "text/0001-private-fields.md" → "Private fields"; the numeric prefix is
/// the RFC number, shown elsewhere.
pub fn title_from_file_name(rel_path: &str) -> String {
    let stem = strip_extension(rel_path.rsplit('/').next().unwrap_or(rel_path));
    let stem = if stem.eq_ignore_ascii_case("readme") || stem.eq_ignore_ascii_case("index") {
        // keps/sig-x/1234-name/README.md: the directory names the spec.
        rel_path.rsplit('/').nth(1).unwrap_or(stem)
    } else {
        stem
    };
    let without_number = match stem.split_once(['-', '_']) {
        Some((number, rest))
            if !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
                && !rest.is_empty() =>
        {
            rest
        }
        _ => stem,
    };
    let words = without_number.replace(['-', '_'], " ");
    crate::model::capitalise(words.trim())
}

/// The node and text of the document's own title, if it has one: docutils'
/// promoted `title`, or the title of the one top-level section that opens
/// the document (the rule docutils uses for title promotion).
pub fn document_title(doc: &Document) -> Option<(NodeId, String)> {
    let root = doc.root();
    let mut sections = Vec::new();
    let mut content_before_section = false;
    for &child in doc.children(root) {
        match doc.kind(child) {
            Kind::Title => return Some((child, doc.text_content(child).trim().to_string())),
            Kind::Section => sections.push(child),
            Kind::Comment
            | Kind::Target
            | Kind::SubstitutionDefinition
            | Kind::Raw
            | Kind::Docinfo
            | Kind::Decoration
            | Kind::Meta
            | Kind::Pending
            | Kind::SystemMessage => {}
            Kind::FieldList if sections.is_empty() => {}
            _ if sections.is_empty() => content_before_section = true,
            _ => {}
        }
    }
    if content_before_section || sections.len() != 1 {
        return None;
    }
    let title = doc
        .children(sections[0])
        .first()
        .copied()
        .filter(|&t| doc.kind(t) == Kind::Title)?;
    let text = doc.text_content(title).trim().to_string();
    if text.is_empty() || BODY_SECTION_TITLES.contains(&text.to_lowercase().as_str()) {
        return None;
    }
    Some((title, text))
}

/// Split an author list written on one line: commas, " and ", semicolons;
/// e-mail addresses in `<…>` and Markdown links reduced to the name.
pub fn split_authors(text: &str) -> Vec<String> {
    let mut authors = Vec::new();
    for part in text.split([',', ';']) {
        for name in part.split(" and ") {
            let name = display_name(name);
            if !name.is_empty() && !authors.contains(&name) {
                authors.push(name);
            }
        }
    }
    authors
}

/// "Jun Sato <jsato@x>" → "Jun Sato"; "[Jun Sato](https://…)" → "Jun Sato".
pub fn display_name(text: &str) -> String {
    let text = text.trim();
    let text = match (text.find('['), text.find("](")) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        _ => text,
    };
    let text = match text.find('<') {
        Some(lt) if lt > 0 => &text[..lt],
        _ => text,
    };
    text.trim()
        .trim_matches(|c: char| c == '"' || c == '*' || c == '`')
        .trim()
        .to_string()
}

/// Sources that need every file: index pages (status of specs listed under
/// a labelled toctree) and git history (created / updated dates). Only
/// fills values no per-file source gave.
pub fn finish(specs: &mut [Spec], index_files: &[&SourceFile], config: &Config) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let metadata = &config.metadata;
    if metadata.uses(MetadataSource::IndexPages) {
        let labels = index_pages::read(
            index_files,
            specs.iter().map(|s| s.source.rel_path.as_str()),
        );
        for spec in specs.iter_mut() {
            let Some(label) = labels.get(spec.source.rel_path.as_str()) else {
                continue;
            };
            if spec.status.is_none() {
                if let Some(key) = label.status {
                    spec.status = Some(Status {
                        key,
                        raw: label.heading.clone(),
                        origin: label.origin.clone(),
                    });
                }
            }
        }
    }
    apply_folder_status(specs, metadata);
    if metadata.uses(MetadataSource::Git) {
        let (history, mut git_diagnostics) = git::read_history(&config.root);
        diagnostics.append(&mut git_diagnostics);
        for spec in specs.iter_mut() {
            let Some(dates) = history.get(spec.source.rel_path.as_str()) else {
                continue;
            };
            let origin = Origin::file(spec.source.rel_path.clone(), None, "git history");
            if spec.created.is_none() {
                spec.created = Some(dates.created.clone());
                spec.origins.created = Some(origin.clone());
            }
            if spec.updated.is_none() {
                spec.updated = Some(dates.updated.clone());
                spec.origins.updated = Some(origin);
            }
        }
    }
    diagnostics.extend(identity::duplicate_identities(specs));
    diagnostics
}

/// `[metadata] folder_status`: specs under a folder that state no status.
fn apply_folder_status(specs: &mut [Spec], metadata: &MetadataConfig) {
    if metadata.folder_status.is_empty() || !metadata.uses(MetadataSource::Directory) {
        return;
    }
    for spec in specs.iter_mut().filter(|s| s.status.is_none()) {
        let path = spec.source.rel_path.clone();
        let best = metadata
            .folder_status
            .iter()
            .filter(|(folder, _)| path.starts_with(&format!("{folder}/")))
            .max_by_key(|(folder, _)| folder.len());
        if let Some((folder, key)) = best {
            spec.status = Some(Status {
                key: *key,
                raw: String::new(),
                origin: Origin::file(folder.clone(), None, "folder status in specsite.toml"),
            });
        }
    }
}

/// Lines of `text` without their line ending, each with its byte offset.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split_inclusive('\n').map(move |line| {
        let start = offset;
        offset += line.len();
        (start, line.trim_end_matches(['\n', '\r']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileRole, Format, SourceFile, Span};
    use std::sync::Arc;

    pub(crate) fn spec_from(rel_path: &str, format: Format, text: &str, doc: Document) -> Spec {
        let source = Arc::new(SourceFile::new(
            rel_path.into(),
            rel_path.into(),
            format,
            FileRole::Spec,
            text.into(),
        ));
        let parsed = Parsed {
            doc,
            ..Parsed::default()
        };
        extract(source, parsed, "x.html".into()).0
    }

    fn spec_of(rel_path: &str, doc: Document) -> Spec {
        spec_from(rel_path, Format::Rst, "", doc)
    }

    fn doc_with_sections(titles: &[&str], lead_paragraph: bool) -> Document {
        let mut doc = Document::default();
        let root = doc.root();
        if lead_paragraph {
            let p = doc.push(root, Kind::Paragraph, Span::default());
            doc.push_text(p, "- Feature Name: x", Span::default());
        }
        for title in titles {
            let section = doc.push(root, Kind::Section, Span::default());
            let t = doc.push(section, Kind::Title, Span::default());
            doc.push_text(t, *title, Span::default());
        }
        doc
    }

    #[test]
    fn title_from_a_single_opening_section() {
        let spec = spec_of(
            "proposals/a.md",
            doc_with_sections(&["Zero-copy reads"], false),
        );
        assert_eq!(spec.title, "Zero-copy reads");
        assert!(spec.title_node.is_some());
    }

    #[test]
    fn rfc_without_a_title_heading_takes_the_file_name() {
        let spec = spec_of(
            "text/0001-private-fields.md",
            doc_with_sections(&["Summary", "Motivation"], true),
        );
        assert_eq!(spec.title, "Private fields");
        assert!(spec.title_node.is_none());
        let spec = spec_of("text/0002-x.md", doc_with_sections(&["Summary"], false));
        assert_eq!(spec.title, "X");
        assert_eq!(
            title_from_file_name("keps/sig-a/1234-online-scrubber/README.md"),
            "Online scrubber"
        );
        assert_eq!(
            title_from_file_name("specs/kilo/a/flavor_x.rst"),
            "Flavor x"
        );
    }

    #[test]
    fn misspelt_release_names_get_a_suggestion() {
        assert_eq!(
            misspelt_release("Netwon-1", &[]).as_deref(),
            Some("Newton-1")
        );
        assert_eq!(misspelt_release("Newton-1", &[]), None);
        assert_eq!(misspelt_release("post ocata", &[]), None);
        assert_eq!(misspelt_release("N-Release-1", &[]), None);
    }

    #[test]
    fn authors_are_split_and_reduced_to_names() {
        assert_eq!(
            split_authors("Jun Sato <jsato@x.org>, [Amir Khalil](https://x) and Bo"),
            ["Jun Sato", "Amir Khalil", "Bo"]
        );
        assert!(split_authors(" , ").is_empty());
    }

    #[test]
    fn first_source_wins_and_milestone_falls_back_to_the_release() {
        let text = "Title\n=====\n\nMilestones\n----------\n\nTarget Milestone for completion:\n  kilo-3\n";
        let spec = spec_from(
            "specs/kilo/approved/x.rst",
            Format::Rst,
            text,
            Document::default(),
        );
        assert_eq!(
            spec.milestone.as_ref().map(|m| m.label.as_str()),
            Some("Kilo-3")
        );
        assert_eq!(
            spec.release.as_ref().map(|m| m.label.as_str()),
            Some("Kilo")
        );
        let spec = spec_from(
            "specs/kilo/approved/y.rst",
            Format::Rst,
            "Title\n=====\n",
            Document::default(),
        );
        let milestone = spec.milestone.expect("release as milestone");
        assert_eq!(milestone.label, "Kilo");
        assert_eq!(milestone.origin.source, "directory");
    }
}
