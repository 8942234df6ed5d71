//! (Stub: filled in by the HTML work.)

use crate::markup::doc::{Document, NodeId};
use crate::markup::RawHtmlPolicy;

pub trait LinkResolver: Sync {
    fn rewrite_uri(&self, _uri: &str) -> Option<String> {
        None
    }
    fn resolve_xref(&self, _reftype: &str, _target: &str) -> Option<String> {
        None
    }
}

pub struct HtmlOptions<'a> {
    pub links: &'a dyn LinkResolver,
    pub raw_html: RawHtmlPolicy,
    pub highlight: bool,
    pub omit: Option<NodeId>,
}

pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

pub struct RenderedHtml {
    pub body: String,
    pub toc: Vec<TocEntry>,
    pub has_raw_html: bool,
}

pub fn render(doc: &Document, _options: &HtmlOptions) -> RenderedHtml {
    RenderedHtml {
        body: doc.text_content(doc.root()),
        toc: Vec::new(),
        has_raw_html: false,
    }
}
