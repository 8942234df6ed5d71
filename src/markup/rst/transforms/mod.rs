//! docutils' standard transforms (part B). Temporary stub from part A.

use super::state::ParserState;
use crate::markup::doc::Document;

/// Apply the standard transforms (stub: none yet).
pub fn apply(doc: &mut Document, state: &mut ParserState) {
    let _ = (doc, state);
}
