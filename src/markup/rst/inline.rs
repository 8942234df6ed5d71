//! Inline markup parser (part B). Temporary stub from part A: plain text only.

use super::state::{InlineInput, ParserState};
use crate::markup::doc::{Document, NodeId};

/// Append `input` as plain text under `parent`; returns no messages.
pub fn parse_inline(
    doc: &mut Document,
    parent: NodeId,
    input: &InlineInput,
    state: &mut ParserState,
) -> Vec<NodeId> {
    let _ = state;
    if !input.text.is_empty() {
        let span = input.span(0, input.text.len());
        doc.push_text(parent, input.text.clone(), span);
    }
    Vec::new()
}
