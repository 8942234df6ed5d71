//! Tables: grid and simple tables, and the table directives.

use super::block::Parser;
use super::directives::{Block, Failure};
use super::lines::Line;
use crate::markup::doc::NodeId;

impl Parser<'_> {
    pub(super) fn grid_table(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let _ = parent;
        let _ = lines;
        i + 1
    }
    pub(super) fn simple_table(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let _ = (lines, parent);
        i + 1
    }
    pub(super) fn table_directive(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        let _ = block;
        Ok(Vec::new())
    }
}
