//! Metadata source: a `Status` section holding the one status phrase the
//! author kept (the OME proposal template: *Being written*, *Under review*,
//! *Open questions*, *Design accepted*, *Implementation complete*).
//!
//! Read from the tree, so it works for Markdown and RST alike. The
//! template lists every phrase for the author to delete all but one; a
//! section that still lists two or more is template text left unedited and
//! means "not set", with a warning, rather than the first phrase listed.

use super::{FileContext, Found, FoundStatus, Located};
use crate::diag::Diagnostic;
use crate::markup::doc::{Document, Kind, NodeId};
use crate::model::StatusScheme;

/// Section titles that hold a status.
const STATUS_TITLES: &[&str] = &["status", "current status", "proposal status"];

/// What a Status section says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SectionStatus {
    /// One phrase: its paragraph.
    Value(NodeId, String),
    /// Several status phrases: the template's list, unedited.
    TemplateText { phrases: usize },
    /// Nothing usable (empty section).
    Empty,
}

/// The first section titled "Status", anywhere in the document.
pub fn status_section(doc: &Document) -> Option<(NodeId, NodeId)> {
    doc.descendants(doc.root()).find_map(|node| {
        if doc.kind(node) != Kind::Section {
            return None;
        }
        let title = doc
            .children(node)
            .first()
            .copied()
            .filter(|&t| doc.kind(t) == Kind::Title)?;
        let text = doc.text_content(title).trim().to_lowercase();
        STATUS_TITLES
            .contains(&text.trim_end_matches(':'))
            .then_some((node, title))
    })
}

/// Read a Status section's paragraphs.
pub fn classify(doc: &Document, section: NodeId, scheme: &StatusScheme) -> SectionStatus {
    let paragraphs: Vec<(NodeId, String)> = doc
        .children(section)
        .iter()
        .copied()
        .filter(|&c| doc.kind(c) == Kind::Paragraph)
        .map(|p| (p, doc.text_content(p).trim().to_string()))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let phrases: Vec<&(NodeId, String)> = paragraphs
        .iter()
        .filter(|(_, text)| text.len() <= 60 && scheme.canonical(text).is_some())
        .collect();
    match phrases.as_slice() {
        [] => match paragraphs.first() {
            // No known phrase: the first paragraph is the author's value
            // (an unknown status, reported with a suggestion).
            Some((node, text)) => SectionStatus::Value(*node, first_line(text)),
            None => SectionStatus::Empty,
        },
        [(node, text)] => SectionStatus::Value(*node, text.clone()),
        many => SectionStatus::TemplateText {
            phrases: many.len(),
        },
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_string()
}

pub fn read(context: &FileContext<'_>) -> Found {
    let mut found = Found::default();
    let doc = context.doc;
    let Some((section, title)) = status_section(doc) else {
        return found;
    };
    match classify(doc, section, &context.metadata.status) {
        SectionStatus::Value(node, text) => {
            let span = doc.span(node);
            found.status = Some(FoundStatus {
                value: Located {
                    origin: context.origin_at(span.start, "Status section"),
                    text,
                    span: Some(span),
                },
                key: None,
            });
        }
        SectionStatus::TemplateText { phrases } => {
            found.status_not_set = true;
            found.diagnostics.push(
                Diagnostic::warning(
                    "meta/status-not-set",
                    format!(
                        "status not set: the Status section still lists {phrases} status phrases, as the template does"
                    ),
                )
                .at(context.source.rel_path.clone(), doc.span(title))
                .with_help("keep the one phrase that describes the proposal now and delete the others"),
            );
        }
        SectionStatus::Empty => {}
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tests::spec_from;
    use crate::markup::markdown;
    use crate::model::StatusKey;
    use crate::source::Format;

    fn spec(text: &str) -> (crate::model::Spec, Vec<Diagnostic>) {
        let source = std::sync::Arc::new(crate::source::SourceFile::new(
            "proposals/x.md".into(),
            "proposals/x.md".into(),
            Format::Markdown,
            crate::source::FileRole::Spec,
            text.into(),
        ));
        crate::extract::extract(source, markdown::parse(text), "x.html".into())
    }

    #[test]
    fn the_one_kept_phrase_is_the_status() {
        let text =
            "# P\n\n## Status\n\nOpen questions\n\nThe open questions:\n\n1. a\n\n## References\n";
        let (spec, diagnostics) = spec(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let status = spec.status.expect("status");
        assert_eq!(status.key, StatusKey::InReview);
        assert_eq!(status.raw, "Open questions");
        assert_eq!(status.origin.line, Some(5));
        assert_eq!(status.origin.source, "Status section");
    }

    #[test]
    fn template_text_left_unedited_is_not_set_with_a_warning() {
        let text = "# P\n\n## Status\n\nKeep exactly one of these lines:\n\nBeing written\n\nUnder review\n\nOpen questions\n\nDesign accepted\n\nImplementation complete\n";
        let (spec, diagnostics) = spec(text);
        assert!(spec.status.is_none());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "meta/status-not-set");
        let span = diagnostics[0].location.as_ref().expect("location").span;
        assert_eq!(&text[span.start..span.start + 9], "## Status");
    }

    #[test]
    fn a_misspelt_phrase_is_an_unknown_status_with_a_suggestion() {
        let (spec, diagnostics) = spec("# P\n\n## Status\n\nDesign acepted\n");
        assert_eq!(spec.status_key(), StatusKey::Unknown);
        assert!(diagnostics[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("design accepted"));
    }

    #[test]
    fn rst_documents_without_the_section_are_untouched() {
        let spec = spec_from(
            "a.rst",
            Format::Rst,
            "",
            crate::markup::doc::Document::default(),
        );
        assert!(spec.status.is_none());
    }
}
