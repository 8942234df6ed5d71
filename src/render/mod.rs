//! Rendering: documents and the site index to an in-memory output tree.
//!
//! `html` serialises one document tree, `highlight` colours code (`code_cache` keeps it between builds), `sanitize`
//! cleans raw HTML, `theme` holds the templates and assets, and `site` plans
//! and renders every page of the site from them.

pub mod assets;
pub mod code_cache;
pub mod feeds;
pub mod graph;
pub mod highlight;
pub mod html;
pub mod sanitize;
pub mod search;
pub mod site;
pub mod theme;
pub mod unsafe_content;
