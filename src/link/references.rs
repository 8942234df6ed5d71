//! Reference extraction: every place a spec points at something that may be
//! another spec, before anything is resolved.
//!
//! Runs per spec over the document tree and the header fields the metadata
//! sources recorded, so it needs no knowledge of other specs except the
//! identifier prefixes in use (`spec`, `lse`, `kep`), which the link stage
//! passes in. Resolution (in `link::mod`) turns these into edges or
//! unresolved references; keeping the two apart lets the closing note count
//! references by where they were written.

use crate::markup::doc::{Document, Kind, NodeId};
use crate::model::Spec;
use crate::source::Span;

use super::settings::normalise_section;
use super::EdgeKind;

/// What a reference names, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefTarget {
    /// A path (relative to the spec's directory, or to the root with a
    /// leading `/`), possibly without extension: header values, links.
    Path(String),
    /// A Sphinx `:doc:` target.
    Doc(String),
    /// A Sphinx `:ref:` label.
    Label(String),
    /// An absolute URL.
    Url(String),
    /// `KEP-1234`, `Spec 12`: a prefix (lower case) and a number.
    Identifier(String, u64),
    /// A bare number in a header (`Requires: 5`), in the spec's own namespace.
    Number(u64),
    /// `owner/repo#N` naming a pull request whose number is a spec number.
    PullRequest(String, u64),
    /// A spec title named in a Dependencies section (lower case).
    Title(String),
}

/// One reference found in a spec.
#[derive(Clone, Debug)]
pub struct Reference {
    pub kind: EdgeKind,
    pub target: RefTarget,
    /// Where it is written, when the tree or the field knows.
    pub span: Option<Span>,
    /// From a header field (declared), rather than the body.
    pub declared: bool,
    /// Written in the header area: a metadata field, or the body before
    /// the first section after the title, where a spec names its own
    /// blueprint or tracking issue.
    pub in_header: bool,
}

/// Spec titles (lower case) that name one spec only, by their first word,
/// so a reference section is scanned once rather than once per title (a
/// repository of 800 specs has 800 titles and long References sections).
#[derive(Clone, Debug, Default)]
pub struct TitleIndex {
    by_first_word: std::collections::HashMap<String, Vec<String>>,
}

/// Shorter titles ("Quotas") would match ordinary words.
const MIN_TITLE_BYTES: usize = 8;

impl TitleIndex {
    pub fn new(titles: impl IntoIterator<Item = String>) -> TitleIndex {
        let mut index = TitleIndex::default();
        for title in titles {
            let first = title.split(|c: char| !c.is_alphanumeric()).next();
            if let Some(first) = first.filter(|w| !w.is_empty()) {
                if title.len() >= MIN_TITLE_BYTES {
                    index
                        .by_first_word
                        .entry(first.to_string())
                        .or_default()
                        .push(title.clone());
                }
            }
        }
        index
    }
}

/// Header field names (lower case) that declare relations, and their kind.
pub fn field_kind(name: &str) -> Option<EdgeKind> {
    match name.to_ascii_lowercase().as_str() {
        "requires" | "depends-on" | "depends on" => Some(EdgeKind::Requires),
        "replaces" => Some(EdgeKind::Replaces),
        "superseded-by" | "superseded by" => Some(EdgeKind::SupersededBy),
        "see-also" | "see also" | "previous proposal" | "related" => Some(EdgeKind::References),
        _ => None,
    }
}

/// Settings reference extraction needs from the config.
#[derive(Clone, Debug)]
pub struct ExtractOptions<'a> {
    /// Identifier prefixes in use (lower case), e.g. `kep`, `spec`, `lse`.
    pub prefixes: &'a [String],
    /// Repositories whose pull-request numbers are spec numbers (`owner/repo`).
    pub pull_request_repos: &'a [String],
    /// Reference sections (normalised titles): spec titles are matched in them.
    pub sections: &'a [String],
    /// Sections (normalised titles) whose mentions are `requires`.
    pub requires_sections: &'a [String],
    /// Spec titles that may be named in a reference section.
    pub titles: &'a TitleIndex,
}

/// Every reference in one spec.
pub fn extract(spec: &Spec, options: &ExtractOptions<'_>) -> Vec<Reference> {
    let mut found = Vec::new();
    header_references(spec, &mut found);
    let header_end = header_end(spec);
    body_references(&spec.doc, options, &mut found);
    for reference in &mut found {
        if let Some(span) = reference.span {
            reference.in_header |= span.start < header_end;
        }
    }
    found
}

fn header_references(spec: &Spec, found: &mut Vec<Reference>) {
    for field in &spec.fields {
        let Some(kind) = field_kind(&field.name) else {
            continue;
        };
        let span = field
            .origin
            .line
            .and_then(|line| spec.source.lines.line_start(line))
            .map(|start| {
                let end = spec.source.text[start..]
                    .find('\n')
                    .map_or(spec.source.text.len(), |n| start + n);
                Span::new(start, end)
            });
        for token in field
            .value
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(|t| t.trim_matches(|c: char| c == '"' || c == '\'' || c == '[' || c == ']'))
            .filter(|t| !t.is_empty())
        {
            let target = if let Ok(number) = token.parse::<u64>() {
                RefTarget::Number(number)
            } else if token.contains("://") {
                RefTarget::Url(token.to_string())
            } else if let Some((prefix, number)) = split_identifier(token) {
                RefTarget::Identifier(prefix, number)
            } else {
                RefTarget::Path(token.to_string())
            };
            found.push(Reference {
                kind,
                target,
                span,
                declared: true,
                in_header: true,
            });
        }
    }
}

/// Where the header area ends: the start of the first section heading
/// after the spec's own title (or of the first heading, when the spec's
/// title is not a heading, as in an RFC that opens with `# Summary`).
fn header_end(spec: &Spec) -> usize {
    let doc = &spec.doc;
    let mut titles: Vec<(usize, String)> = doc
        .all_nodes()
        .filter(|node| doc.kind(*node) == Kind::Title)
        .map(|node| (doc.span(node).start, doc.text_content(node)))
        .collect();
    titles.sort_by_key(|(start, _)| *start);
    let own_title = spec.title.trim().to_lowercase();
    match titles.as_slice() {
        [(_, first), (second, _), ..] if first.trim().to_lowercase() == own_title => *second,
        [(_, first)] if first.trim().to_lowercase() == own_title => 0,
        [(first, _), ..] => *first,
        [] => 0,
    }
}

/// `KEP-1234`, `PEP 8`, `LSE-0003` as one token → (`kep`, 1234).
fn split_identifier(token: &str) -> Option<(String, u64)> {
    let (prefix, number) = token.split_once(['-', ' '])?;
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let number = number.parse().ok()?;
    Some((prefix.to_ascii_lowercase(), number))
}

/// Kinds whose text is code, not prose: no identifiers are read there.
fn is_code(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Literal | Kind::LiteralBlock | Kind::Comment | Kind::Raw
    )
}

fn body_references(doc: &Document, options: &ExtractOptions<'_>, found: &mut Vec<Reference>) {
    // An explicit stack of (node, inside code, inside a reference section,
    // kind of its mentions): no recursion on deep trees.
    let mut stack: Vec<(NodeId, bool, bool, EdgeKind)> =
        vec![(doc.root(), false, false, EdgeKind::References)];
    while let Some((id, in_code, in_section, kind)) = stack.pop() {
        let node = doc.get(id);
        let in_code = in_code || is_code(node.kind);
        let mut child_section = in_section;
        let mut child_kind = kind;
        let mention = |target: RefTarget, span: Span| Reference {
            kind,
            target,
            span: Some(span),
            declared: false,
            in_header: false,
        };
        match node.kind {
            Kind::Reference => {
                if let Some(uri) = node.attrs.str("refuri") {
                    let uri = uri.trim();
                    let target = if uri.contains("://") {
                        Some(RefTarget::Url(uri.to_string()))
                    } else if uri.starts_with('#') || uri.starts_with("mailto:") {
                        None
                    } else {
                        Some(RefTarget::Path(uri.to_string()))
                    };
                    if let Some(target) = target {
                        found.push(mention(target, node.span));
                    }
                }
            }
            Kind::PendingXref => {
                let target = node.attrs.str("reftarget").unwrap_or_default().to_string();
                match node.attrs.str("reftype") {
                    Some("doc") => found.push(mention(RefTarget::Doc(target), node.span)),
                    Some("ref") => found.push(mention(
                        RefTarget::Label(target.to_ascii_lowercase()),
                        node.span,
                    )),
                    _ => {}
                }
            }
            Kind::Section => {
                if let Some(title) = doc.find(id, Kind::Title) {
                    let heading = normalise_section(&doc.text_content(title));
                    if options.requires_sections.contains(&heading) {
                        child_kind = EdgeKind::Requires;
                    }
                    if options.sections.contains(&heading) && !in_section {
                        child_section = true;
                        titles_in_section(doc, id, child_kind, options, found);
                    }
                }
            }
            Kind::Text if !in_code => {
                identifiers_in_text(&node.text, node.span, kind, options, found)
            }
            _ => {}
        }
        for child in node.children.iter().rev() {
            stack.push((*child, in_code, child_section, child_kind));
        }
    }
}

fn body(target: RefTarget, kind: EdgeKind, span: Span) -> Reference {
    Reference {
        kind,
        target,
        span: Some(span),
        declared: false,
        in_header: false,
    }
}

/// Whole-phrase, case-insensitive matches of spec titles in a section.
fn titles_in_section(
    doc: &Document,
    section: NodeId,
    kind: EdgeKind,
    options: &ExtractOptions<'_>,
    found: &mut Vec<Reference>,
) {
    let text = doc.text_content(section).to_lowercase();
    // The heading itself is not a mention.
    let heading = doc
        .find(section, Kind::Title)
        .map(|title| doc.text_content(title).to_lowercase())
        .unwrap_or_default();
    let text = text.strip_prefix(heading.as_str()).unwrap_or(&text);
    let mut named: Vec<&String> = Vec::new();
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    let mut previous: Option<char> = None;
    for (start, c) in text.char_indices() {
        let word_start = c.is_alphanumeric() && boundary(previous);
        previous = Some(c);
        if !word_start {
            continue;
        }
        let rest = &text[start..];
        let word_end = rest
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(rest.len());
        let Some(candidates) = options.titles.by_first_word.get(&rest[..word_end]) else {
            continue;
        };
        for title in candidates {
            let after = rest.get(title.len()..).map(|tail| tail.chars().next());
            if rest.starts_with(title.as_str())
                && after.is_some_and(boundary)
                && !named.contains(&title)
            {
                named.push(title);
            }
        }
    }
    for title in named {
        found.push(body(
            RefTarget::Title(title.clone()),
            kind,
            doc.span(section),
        ));
    }
}

/// `KEP-1234`, `Spec 12`, `rust-lang/rfcs#2094` in prose.
fn identifiers_in_text(
    text: &str,
    span: Span,
    kind: EdgeKind,
    options: &ExtractOptions<'_>,
    found: &mut Vec<Reference>,
) {
    let bytes = text.as_bytes();
    let span_at = |start: usize, end: usize| {
        if span.len() == text.len() {
            Span::new(span.start + start, span.start + end)
        } else {
            span
        }
    };
    // Pull-request style references.
    for repo in options.pull_request_repos {
        let needle = format!("{repo}#");
        let mut from = 0;
        while let Some(at) = text.get(from..).and_then(|rest| rest.find(&needle)) {
            let start = from + at;
            let digits_start = start + needle.len();
            let digits_end = digits_start
                + bytes[digits_start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            if let Ok(number) = text[digits_start..digits_end].parse::<u64>() {
                found.push(body(
                    RefTarget::PullRequest(repo.clone(), number),
                    kind,
                    span_at(start, digits_end),
                ));
            }
            from = digits_end.max(start + 1);
        }
    }
    if options.prefixes.is_empty() {
        return;
    }
    // Words followed by `-` or a space and digits.
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_alphabetic()
            || (index > 0 && (bytes[index - 1].is_ascii_alphanumeric() || bytes[index - 1] == b'-'))
        {
            index += 1;
            continue;
        }
        let word_end = index
            + bytes[index..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
        let separator = bytes.get(word_end).copied();
        if matches!(separator, Some(b'-') | Some(b' ')) {
            let digits_start = word_end + 1;
            let digits_end = digits_start
                + bytes[digits_start..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
            let after = bytes.get(digits_end).copied();
            let ends_cleanly = after.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'-');
            if digits_end > digits_start && ends_cleanly {
                let prefix = text[index..word_end].to_ascii_lowercase();
                if options.prefixes.contains(&prefix) {
                    if let Ok(number) = text[digits_start..digits_end].parse::<u64>() {
                        found.push(body(
                            RefTarget::Identifier(prefix, number),
                            kind,
                            span_at(index, digits_end),
                        ));
                    }
                }
            }
        }
        index = word_end.max(index + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str, prefixes: &[&str]) -> Vec<RefTarget> {
        let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
        let repos = vec!["rust-lang/rfcs".to_string()];
        let options = ExtractOptions {
            prefixes: &prefixes,
            pull_request_repos: &repos,
            sections: &[],
            requires_sections: &[],
            titles: &TitleIndex::default(),
        };
        let mut found = Vec::new();
        identifiers_in_text(
            text,
            Span::new(0, text.len()),
            EdgeKind::References,
            &options,
            &mut found,
        );
        found.into_iter().map(|r| r.target).collect()
    }

    #[test]
    fn identifiers_need_a_known_prefix_and_whole_words() {
        assert_eq!(
            scan(
                "see KEP-1234 and Spec 12, not RFC 9110 or xKEP-1 or KEP-12a",
                &["kep", "spec"]
            ),
            [
                RefTarget::Identifier("kep".into(), 1234),
                RefTarget::Identifier("spec".into(), 12)
            ]
        );
    }

    #[test]
    fn pull_request_references_name_a_number() {
        assert_eq!(
            scan("as in rust-lang/rfcs#2094.", &[]),
            [RefTarget::PullRequest("rust-lang/rfcs".into(), 2094)]
        );
    }

    #[test]
    fn header_kinds() {
        assert_eq!(field_kind("Superseded-By"), Some(EdgeKind::SupersededBy));
        assert_eq!(field_kind("see-also"), Some(EdgeKind::References));
        assert_eq!(field_kind("Type"), None);
    }
}
