//! Rendering: documents and the site index to an in-memory output tree.

pub mod highlight;
pub mod html;
pub mod sanitize;
pub mod theme;
