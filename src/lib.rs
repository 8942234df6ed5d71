//! specsite turns a repository of design proposals into a cross-linked site.
//!
//! The pipeline, each stage a function of values with diagnostics carried
//! beside its result:
//!
//! ```text
//! Config::load ─► load (walk + read) ─► Vec<SourceFile>
//!   ─(rayon)► markup::parse ─► Document ─► extract ─► Spec        per file, independent
//!   ─► link ─► SiteIndex + SpecGraph (+ git dates)                 global
//!   ─► render::plan ─► Vec<Job> ─(rayon)► render ─► OutputTree     pure, no I/O
//!   ─► build: write atomically (staging dir, then swap)
//!   ─► serve: swap the in-memory OutputTree, push "reload"
//! ```

// A `Diagnostic` is the error value of content-facing functions; it is
// created only on the (rare) error path, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod check;
pub mod cli;
pub mod config;
pub mod detect;
pub mod diag;
pub mod extract;
pub mod link;
pub mod list;
pub mod load;
pub mod markup;
pub mod model;
pub mod output;
pub mod preset;
pub mod render;
pub mod report;
pub mod serve;
pub mod source;
pub mod suggest;
