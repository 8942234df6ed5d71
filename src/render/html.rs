//! The HTML serializer: a [`Document`] tree to a page body.
//!
//! Sits in `render`, after linking: every page job calls [`render`] with the
//! document and a [`LinkResolver`] that knows the site's URLs. Both Markdown
//! and reStructuredText arrive here as the same docutils-vocabulary tree, so
//! this one serializer renders both, following docutils' HTML5 writer where
//! the node comes from docutils (sections, footnote lists with back-links,
//! admonitions as `<aside>`, field and option lists as `<dl>`, ...) and
//! Sphinx's HTML builder for Sphinx nodes.
//!
//! Shape, and why:
//! - Everything is decided on the tree; no HTML string is ever rewritten
//!   (raw HTML from content is the one exception, and it is sanitised as a
//!   whole body by [`sanitize`](super::sanitize) only when present).
//! - The walk uses an explicit stack of frames with enter/exit steps, so a
//!   10,000-deep tree cannot overflow the call stack. Entering a node writes
//!   its opening markup and returns the closing markup, which the frame keeps
//!   until all children are written; sibling context (previous/next node) is
//!   known at entry, which is all docutils' writer needs for its groupings
//!   (footnote lists, classifiers inside `<dt>`, caption + legend).
//! - Content reaches the output only through [`escape`]; every `href`/`src`
//!   passes [`escape::safe_url`].

pub(crate) mod escape;
mod math;

pub use escape::safe_url;

use std::borrow::Cow;
use std::collections::HashMap;

use crate::markup::doc::{Document, Kind, NodeId, Value};
use crate::markup::RawHtmlPolicy;

use super::code_cache::CodeCache;
use super::{highlight, sanitize};

/// What the serializer asks the site about links.
pub trait LinkResolver: Sync {
    /// Rewrite a link written in content (relative `.md`/`.rst` paths, image
    /// paths → page/asset URLs). `None` = keep as written.
    fn rewrite_uri(&self, _uri: &str) -> Option<String> {
        None
    }

    /// Resolve a Sphinx cross-reference (reftype `doc`, `ref`, `term`,
    /// `download`, ..., and its target). `None` = unresolved.
    fn resolve_xref(&self, _reftype: &str, _target: &str) -> Option<String> {
        None
    }

    /// The title of the spec an internal URL (as returned by the two
    /// methods above) shows, for links written without text of their own.
    fn link_title(&self, _url: &str) -> Option<String> {
        None
    }
}

/// A resolver that knows no links: content links stay as written, and
/// cross-references render as their text.
pub struct NoLinks;

impl LinkResolver for NoLinks {}

static NO_LINKS: NoLinks = NoLinks;

/// How to render one document.
pub struct HtmlOptions<'a> {
    pub links: &'a dyn LinkResolver,
    pub raw_html: RawHtmlPolicy,
    /// Highlight code blocks with a language (off: plain escaped code).
    pub highlight: bool,
    /// Highlighted code from earlier builds, consulted before highlighting.
    pub code_cache: Option<&'a CodeCache>,
    /// The node shown as the page title by the template, left out of the body.
    pub omit: Option<NodeId>,
}

impl Default for HtmlOptions<'static> {
    fn default() -> Self {
        HtmlOptions {
            links: &NO_LINKS,
            raw_html: RawHtmlPolicy::default(),
            highlight: true,
            code_cache: None,
            omit: None,
        }
    }
}

/// One heading for the page's table of contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TocEntry {
    /// Section nesting depth: 1 for a top-level section (rendered `<h2>`).
    /// A section whose title is the omitted page title does not count, so
    /// its subsections are level 1.
    pub level: u8,
    /// The section's anchor (its first id).
    pub id: String,
    /// The heading as plain text.
    pub title: String,
}

/// A rendered page body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RenderedHtml {
    pub body: String,
    pub toc: Vec<TocEntry>,
    /// Raw HTML from content was emitted as HTML (sanitised or allowed).
    pub has_raw_html: bool,
}

/// Render `doc` to HTML.
pub fn render(doc: &Document, options: &HtmlOptions) -> RenderedHtml {
    let stashing = will_sanitize(doc, options);
    let (mut body, toc, has_raw_html, mut stash) = serialize(doc, options, stashing);
    if stash
        .as_ref()
        .is_some_and(|stash| body.matches(STASH_OPEN).count() != stash.blocks.len())
    {
        // Content carries the marker character itself: serialise again
        // without stashing, so no marker can be forged.
        (body, _, _, stash) = serialize(doc, options, false);
    }
    if has_raw_html && options.raw_html == RawHtmlPolicy::Sanitize {
        body = sanitize::sanitize_html(&body);
    }
    if let Some(stash) = stash {
        body = stash.restore(&body);
    }
    RenderedHtml {
        body,
        toc,
        has_raw_html,
    }
}

/// One pass of the serializer: body, table of contents, whether raw HTML
/// was emitted, and the stashed code blocks when `stashing`.
fn serialize(
    doc: &Document,
    options: &HtmlOptions,
    stashing: bool,
) -> (String, Vec<TocEntry>, bool, Option<CodeStash>) {
    let mut serializer = Serializer {
        doc,
        options,
        out: String::with_capacity(doc.len() * 24),
        toc: Vec::new(),
        has_raw_html: false,
        section_depth: 0,
        row_columns: Vec::new(),
        table_stubs: Vec::new(),
        messages: None,
        stash: stashing.then(CodeStash::default),
    };
    serializer.walk();
    (
        serializer.out,
        serializer.toc,
        serializer.has_raw_html,
        serializer.stash,
    )
}

/// Whether the body will go through the sanitiser, so highlighted code is
/// worth stashing: the policy sanitises and the tree has raw HTML.
fn will_sanitize(doc: &Document, options: &HtmlOptions) -> bool {
    options.raw_html == RawHtmlPolicy::Sanitize
        && options.highlight
        && doc.all_nodes().any(|node| doc.kind(node) == Kind::Raw)
}

/// Highest heading element; deeper sections reuse it.
const MAX_HEADING: usize = 6;
/// Browsers clamp `colspan` to 1000 and `rowspan` to 65534; so do we.
const MAX_COLSPAN: i64 = 1000;
const MAX_ROWSPAN: i64 = 65534;
/// A container with more children than this is never "compact" (checking
/// costs a scan of the siblings, which must stay cheap).
const COMPACT_SCAN_LIMIT: usize = 8;

/// What entering a node decided.
enum Visit {
    /// Write the children, then this closing markup.
    Children(Cow<'static, str>),
    /// The node is fully written (or intentionally left out).
    Done,
}

struct Frame {
    node: NodeId,
    next_child: usize,
    close: Cow<'static, str>,
}

#[derive(Clone, Copy)]
struct Siblings {
    prev: Option<NodeId>,
    next: Option<NodeId>,
}

struct Serializer<'d, 'o> {
    doc: &'d Document,
    options: &'o HtmlOptions<'o>,
    out: String,
    toc: Vec<TocEntry>,
    has_raw_html: bool,
    /// Enclosing sections that count for heading levels.
    section_depth: usize,
    /// Column position in each open table row (nested tables stack).
    row_columns: Vec<usize>,
    /// Stub-column flags of each open `tgroup`.
    table_stubs: Vec<Vec<bool>>,
    /// System messages by id, built on the first `problematic` that needs one.
    messages: Option<HashMap<&'d str, NodeId>>,
    /// Highlighted code set aside while the body goes through the sanitiser
    /// (see [`CodeStash`]); `None` when the body will not be sanitised.
    stash: Option<CodeStash>,
}

/// Highlighted code blocks kept out of the sanitiser's way.
///
/// Highlighting output is ours and already safe, and in a code-heavy page it
/// is most of the body: parsing it again with an HTML5 parser only to get the
/// same spans back cost about a tenth of a Markdown corpus build. So while a
/// body that carries raw HTML is serialised, each highlighted block is
/// replaced by a marker made of private-use characters, which the sanitiser
/// keeps as plain text; the blocks go back in afterwards. A body whose
/// content itself contains the marker character is serialised again without
/// stashing, so content can never forge a marker.
#[derive(Default)]
struct CodeStash {
    blocks: Vec<String>,
}

const STASH_OPEN: char = '\u{E000}';
const STASH_CLOSE: char = '\u{E001}';

impl CodeStash {
    /// Keep `html` and return the marker to write in its place.
    fn keep(&mut self, html: String, out: &mut String) {
        out.push(STASH_OPEN);
        out.push_str(&self.blocks.len().to_string());
        out.push(STASH_CLOSE);
        self.blocks.push(html);
    }

    /// Put every kept block back where its marker is in `body`.
    fn restore(self, body: &str) -> String {
        let mut out =
            String::with_capacity(body.len() + self.blocks.iter().map(String::len).sum::<usize>());
        let mut rest = body;
        while let Some(open) = rest.find(STASH_OPEN) {
            out.push_str(&rest[..open]);
            let after = &rest[open + STASH_OPEN.len_utf8()..];
            let block = after.find(STASH_CLOSE).and_then(|close| {
                let index: usize = after[..close].parse().ok()?;
                Some((self.blocks.get(index)?, close))
            });
            match block {
                Some((html, close)) => {
                    out.push_str(html);
                    rest = &after[close + STASH_CLOSE.len_utf8()..];
                }
                None => {
                    // Not one of ours (cannot happen: stashing is off when
                    // the source has the marker); keep the text as it is.
                    out.push(STASH_OPEN);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

impl<'d> Serializer<'d, '_> {
    fn walk(&mut self) {
        let doc = self.doc;
        let mut stack = vec![Frame {
            node: doc.root(),
            next_child: 0,
            close: Cow::Borrowed(""),
        }];
        while let Some(frame) = stack.last_mut() {
            let children = doc.children(frame.node);
            if let Some(&child) = children.get(frame.next_child) {
                let index = frame.next_child;
                frame.next_child += 1;
                let siblings = Siblings {
                    prev: index.checked_sub(1).and_then(|i| children.get(i)).copied(),
                    next: children.get(index + 1).copied(),
                };
                if let Visit::Children(close) = self.enter(child, siblings) {
                    stack.push(Frame {
                        node: child,
                        next_child: 0,
                        close,
                    });
                }
            } else if let Some(frame) = stack.pop() {
                self.out.push_str(&frame.close);
                self.exit(frame.node);
            }
        }
    }

    /// Bookkeeping when a node's frame closes.
    fn exit(&mut self, node: NodeId) {
        match self.doc.kind(node) {
            Kind::Section if self.section_counts(node) => {
                self.section_depth = self.section_depth.saturating_sub(1);
            }
            Kind::Row => {
                self.row_columns.pop();
            }
            Kind::Tgroup => {
                self.table_stubs.pop();
            }
            _ => {}
        }
    }

    fn enter(&mut self, node: NodeId, siblings: Siblings) -> Visit {
        if self.options.omit == Some(node) {
            return Visit::Done;
        }
        let doc = self.doc;
        let kind = doc.kind(node);
        match kind {
            Kind::Text => {
                escape::text(&mut self.out, &doc.get(node).text);
                Visit::Done
            }
            Kind::Document => Visit::Children(Cow::Borrowed("")),

            // ---- Structure
            Kind::Section => {
                if self.section_counts(node) {
                    self.section_depth += 1;
                }
                self.open_tag("section", node, &[], &[]);
                close("</section>")
            }
            Kind::Title => self.title(node),
            Kind::Subtitle => {
                let class = match self.parent_kind(node) {
                    Some(Kind::Sidebar) => "sidebar-subtitle",
                    Some(Kind::Section) => "section-subtitle",
                    _ => "subtitle",
                };
                self.open_tag("p", node, &[class], &[]);
                close("</p>")
            }
            Kind::Topic => {
                if self.has_class(node, "contents") {
                    self.open_tag("nav", node, &["topic"], &[("role", "doc-toc")]);
                    close("</nav>")
                } else {
                    self.open_tag("aside", node, &["topic"], &[]);
                    close("</aside>")
                }
            }
            Kind::Sidebar => {
                self.open_tag("aside", node, &["sidebar"], &[]);
                close("</aside>")
            }
            Kind::Transition => {
                self.open_tag("hr", node, &["docutils"], &[]);
                Visit::Done
            }
            Kind::Rubric => {
                self.open_tag("p", node, &["rubric"], &[]);
                close("</p>")
            }
            Kind::Header => {
                self.open_tag("header", node, &[], &[]);
                close("</header>")
            }
            Kind::Footer => {
                self.open_tag("footer", node, &[], &[]);
                close("</footer>")
            }
            Kind::Decoration => Visit::Children(Cow::Borrowed("")),
            Kind::Meta
            | Kind::Comment
            | Kind::SubstitutionDefinition
            | Kind::Pending
            | Kind::Colspec
            | Kind::Index
            | Kind::TabularColSpec
            | Kind::HighlightLang
            | Kind::ToctreeEntry => Visit::Done,

            // ---- Bibliographic fields
            Kind::Docinfo => {
                self.open_tag("dl", node, &["docinfo"], &[]);
                close("</dl>")
            }
            Kind::Author
            | Kind::Authors
            | Kind::Organization
            | Kind::Address
            | Kind::Contact
            | Kind::Version
            | Kind::Revision
            | Kind::Status
            | Kind::Date
            | Kind::Copyright => self.bibliographic(node, kind),

            // ---- Body
            Kind::Paragraph => self.paragraph(node, siblings),
            Kind::Compound => {
                self.open_tag("div", node, &["compound"], &[]);
                close("</div>")
            }
            Kind::Container => {
                self.open_tag("div", node, &["container"], &[]);
                close("</div>")
            }
            Kind::BulletList => {
                self.open_tag("ul", node, &[], &[]);
                close("</ul>")
            }
            Kind::EnumeratedList => self.enumerated_list(node),
            Kind::ListItem => {
                self.open_tag("li", node, &[], &[]);
                close("</li>")
            }
            Kind::DefinitionList => {
                self.open_tag("dl", node, &[], &[]);
                close("</dl>")
            }
            Kind::DefinitionListItem | Kind::Field | Kind::OptionListItem | Kind::Tgroup => {
                if kind == Kind::Tgroup {
                    let stubs = doc
                        .children(node)
                        .iter()
                        .filter(|&&c| doc.kind(c) == Kind::Colspec)
                        .map(|&c| truthy(doc.attrs(c).get("stub")))
                        .collect();
                    self.table_stubs.push(stubs);
                }
                // docutils writes no element for these; their ids still anchor.
                self.id_anchors(node, 0);
                Visit::Children(Cow::Borrowed(""))
            }
            Kind::Term => {
                self.open_tag("dt", node, &[], &[]);
                let classified = siblings
                    .next
                    .is_some_and(|n| doc.kind(n) == Kind::Classifier);
                close(if classified { "" } else { "</dt>" })
            }
            Kind::Classifier => {
                self.out
                    .push_str("<span class=\"classifier-delimiter\">:</span> ");
                self.open_tag("span", node, &["classifier"], &[]);
                let more = siblings
                    .next
                    .is_some_and(|n| doc.kind(n) == Kind::Classifier);
                close(if more { "</span>" } else { "</span></dt>" })
            }
            Kind::Definition => {
                self.open_tag("dd", node, &[], &[]);
                close("</dd>")
            }
            Kind::FieldList => {
                self.open_tag("dl", node, &["field-list"], &[]);
                close("</dl>")
            }
            Kind::FieldName => {
                self.open_tag("dt", node, &[], &[]);
                close("<span class=\"colon\">:</span></dt>")
            }
            Kind::FieldBody => {
                self.open_tag("dd", node, &[], &[]);
                close("</dd>")
            }
            Kind::OptionList => {
                self.open_tag("dl", node, &["option-list"], &[]);
                close("</dl>")
            }
            Kind::OptionGroup => {
                self.open_tag("dt", node, &[], &[]);
                self.out.push_str("<kbd>");
                close("</kbd></dt>")
            }
            Kind::Option => {
                self.open_tag("span", node, &["option"], &[]);
                let more = siblings.next.is_some_and(|n| doc.kind(n) == Kind::Option);
                close(if more { "</span>, " } else { "</span>" })
            }
            Kind::OptionString => Visit::Children(Cow::Borrowed("")),
            Kind::OptionArgument => {
                let delimiter = doc.attrs(node).str("delimiter").unwrap_or(" ");
                escape::text(&mut self.out, delimiter);
                self.open_tag("var", node, &[], &[]);
                close("</var>")
            }
            Kind::Description => {
                self.open_tag("dd", node, &[], &[]);
                close("</dd>")
            }
            Kind::LiteralBlock => self.literal_block(node),
            Kind::DoctestBlock => {
                let code = doc.text_content(node);
                self.open_tag("pre", node, &["code", "python", "doctest"], &[]);
                self.out.push_str("<code>");
                self.code(&code, "python");
                self.out.push_str("</code></pre>");
                Visit::Done
            }
            Kind::MathBlock => {
                self.open_tag("div", node, &["math-block"], &[]);
                let latex = doc.text_content(node);
                // docutils: blank lines separate equations in one directive.
                for equation in latex.split("\n\n").filter(|e| !e.trim().is_empty()) {
                    math::push_math(&mut self.out, equation, true);
                }
                self.out.push_str("</div>");
                Visit::Done
            }
            Kind::LineBlock => {
                self.open_tag("div", node, &["line-block"], &[]);
                close("</div>")
            }
            Kind::Line => {
                self.open_tag("div", node, &["line"], &[]);
                if doc.children(node).is_empty() {
                    self.out.push_str("<br>");
                }
                close("</div>")
            }
            Kind::BlockQuote => {
                self.open_tag("blockquote", node, &[], &[]);
                close("</blockquote>")
            }
            Kind::Attribution => {
                self.open_tag("p", node, &["attribution"], &[]);
                self.out.push('\u{2014}');
                close("</p>")
            }
            Kind::Attention
            | Kind::Caution
            | Kind::Danger
            | Kind::Error
            | Kind::Hint
            | Kind::Important
            | Kind::Note
            | Kind::Tip
            | Kind::Warning
            | Kind::Admonition
            | Kind::Seealso
            | Kind::TodoNode => self.admonition(node, kind),
            Kind::Target => self.target(node),
            Kind::Footnote | Kind::Citation => self.note(node, kind, siblings),
            Kind::Label => {
                if matches!(
                    self.parent_kind(node),
                    Some(Kind::Footnote | Kind::Citation)
                ) {
                    // Written by the footnote itself, with its back-links.
                    return Visit::Done;
                }
                self.open_tag("span", node, &["label"], &[]);
                close("</span>")
            }
            Kind::Figure => {
                let align = self.align_class(node);
                self.open_tag("figure", node, &[align.as_str()], &[]);
                close("</figure>")
            }
            Kind::Caption => self.caption(node, siblings),
            Kind::Legend => {
                let after_caption = siblings.prev.is_some_and(|p| doc.kind(p) == Kind::Caption);
                if !after_caption {
                    self.out.push_str("<figcaption>");
                }
                self.open_tag("div", node, &["legend"], &[]);
                close("</div></figcaption>")
            }
            Kind::Table => {
                let align = self.align_class(node);
                self.open_tag("table", node, &[align.as_str()], &[]);
                close("</table>")
            }
            Kind::Thead => {
                self.open_tag("thead", node, &[], &[]);
                close("</thead>")
            }
            Kind::Tbody => {
                self.open_tag("tbody", node, &[], &[]);
                close("</tbody>")
            }
            Kind::Row => {
                self.row_columns.push(0);
                self.open_tag("tr", node, &[], &[]);
                close("</tr>")
            }
            Kind::Entry => self.entry(node),
            Kind::SystemMessage => self.system_message(node),
            Kind::Raw => self.raw(node),
            Kind::Image => {
                self.image(node);
                Visit::Done
            }

            // ---- Inline
            Kind::Emphasis => self.inline_tag("em", node),
            Kind::Strong => self.inline_tag("strong", node),
            Kind::Literal => {
                if self.has_class(node, "kbd") {
                    self.inline_tag("kbd", node)
                } else {
                    self.inline_tag("code", node)
                }
            }
            Kind::Reference => self.reference(node),
            Kind::FootnoteReference => {
                self.note_reference(node, &["footnote-reference", "brackets"], "doc-noteref")
            }
            Kind::CitationReference => {
                self.note_reference(node, &["citation-reference"], "doc-biblioref")
            }
            Kind::SubstitutionReference | Kind::Generated => {
                if doc.attrs(node).list("classes").is_empty() {
                    Visit::Children(Cow::Borrowed(""))
                } else {
                    self.inline_tag("span", node)
                }
            }
            Kind::TitleReference => self.inline_tag("cite", node),
            Kind::Abbreviation | Kind::Acronym => {
                let explanation = doc.attrs(node).str("explanation");
                let attrs: &[(&str, &str)] = match &explanation {
                    Some(title) => &[("title", title)],
                    None => &[],
                };
                self.open_tag("abbr", node, &[], attrs);
                close("</abbr>")
            }
            Kind::Superscript => self.inline_tag("sup", node),
            Kind::Subscript => self.inline_tag("sub", node),
            Kind::Math => {
                let latex = doc.text_content(node);
                math::push_math(&mut self.out, &latex, false);
                Visit::Done
            }
            Kind::Inline => self.inline_tag("span", node),
            Kind::Problematic => self.problematic(node),
            Kind::Deleted => self.inline_tag("del", node),
            Kind::TaskCheckbox => {
                let checked = truthy(doc.attrs(node).get("checked"));
                self.out.push_str(if checked {
                    "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled checked>"
                } else {
                    "<input type=\"checkbox\" class=\"task-list-item-checkbox\" disabled>"
                });
                Visit::Done
            }
            Kind::LineBreak => {
                self.out.push_str("<br>");
                Visit::Done
            }

            // ---- Sphinx
            Kind::PendingXref | Kind::DownloadReference => self.xref(node, kind),
            Kind::LiteralStrong => {
                self.open_tag("strong", node, &[], &[]);
                self.out.push_str("<code>");
                close("</code></strong>")
            }
            Kind::LiteralEmphasis => {
                self.open_tag("em", node, &[], &[]);
                self.out.push_str("<code>");
                close("</code></em>")
            }
            Kind::Toctree => {
                self.toctree(node);
                Visit::Done
            }
            Kind::VersionModified => self.version_modified(node),
            Kind::Only => {
                let expr = doc.attrs(node).str("expr").unwrap_or("");
                if only_applies(expr) {
                    Visit::Children(Cow::Borrowed(""))
                } else {
                    Visit::Done
                }
            }
            Kind::Centered => {
                self.open_tag("p", node, &["centered"], &[]);
                self.out.push_str("<strong>");
                close("</strong></p>")
            }
            Kind::Hlist => {
                self.open_tag("table", node, &["hlist"], &[]);
                self.out.push_str("<tr>");
                close("</tr></table>")
            }
            Kind::Hlistcol => {
                self.open_tag("td", node, &[], &[]);
                close("</td>")
            }
            Kind::Glossary => {
                self.open_tag("div", node, &["glossary"], &[]);
                close("</div>")
            }
            Kind::Desc => {
                let attrs = doc.attrs(node);
                let domain = escape::class_token(attrs.str("domain").unwrap_or(""));
                let objtype = escape::class_token(attrs.str("objtype").unwrap_or(""));
                self.open_tag("dl", node, &[domain.as_str(), objtype.as_str()], &[]);
                close("</dl>")
            }
            Kind::DescSignature => {
                let domain = doc
                    .parent(node)
                    .and_then(|p| doc.attrs(p).str("domain"))
                    .map(escape::class_token)
                    .unwrap_or_default();
                self.open_tag("dt", node, &["sig", "sig-object", domain.as_str()], &[]);
                self.out.push_str("<code class=\"sig\">");
                close("</code></dt>")
            }
            Kind::DescContent => {
                self.open_tag("dd", node, &[], &[]);
                close("</dd>")
            }
            Kind::Diagram => {
                self.diagram(node);
                Visit::Done
            }
            Kind::GenericDirective => {
                let name = escape::class_token(doc.attrs(node).str("name").unwrap_or(""));
                self.open_tag("div", node, &["directive", name.as_str()], &[]);
                close("</div>")
            }
            Kind::ProductionList => {
                self.open_tag("pre", node, &["productionlist"], &[]);
                close("</pre>")
            }
            Kind::Production => {
                let name = doc.attrs(node).str("tokenname").unwrap_or("");
                self.open_tag("strong", node, &[], &[]);
                escape::text(&mut self.out, name);
                self.out.push_str("</strong> ::= ");
                close("\n")
            }
        }
    }

    // ------------------------------------------------------------ helpers

    fn parent_kind(&self, node: NodeId) -> Option<Kind> {
        self.doc.parent(node).map(|p| self.doc.kind(p))
    }

    fn has_class(&self, node: NodeId, class: &str) -> bool {
        self.doc
            .attrs(node)
            .list("classes")
            .iter()
            .any(|c| c == class)
    }

    /// Whether a section adds a heading level: not when its own title is the
    /// page title the template shows (so its subsections start at `<h2>`).
    fn section_counts(&self, section: NodeId) -> bool {
        match self.options.omit {
            Some(omitted) => {
                !(self.doc.parent(omitted) == Some(section)
                    && self.doc.kind(omitted) == Kind::Title)
            }
            None => true,
        }
    }

    /// Write `<tag id="…" class="…" attrs…>` for `node`: the first id on the
    /// element, further ids as empty anchors before it (as docutils does),
    /// `extra` classes then the node's own.
    fn open_tag(&mut self, tag: &str, node: NodeId, extra: &[&str], attrs: &[(&str, &str)]) {
        let ids = self.doc.attrs(node).list("ids");
        self.id_anchors(node, 1);
        self.out.push('<');
        self.out.push_str(tag);
        if let Some(id) = ids.first() {
            self.out.push_str(" id=\"");
            escape::attr(&mut self.out, id);
            self.out.push('"');
        }
        self.class_attr(extra, self.doc.attrs(node).list("classes"));
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            escape::attr(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn class_attr(&mut self, extra: &[&str], own: &[String]) {
        let mut first = true;
        for class in extra
            .iter()
            .copied()
            .chain(own.iter().map(String::as_str))
            .filter(|c| !c.is_empty())
        {
            self.out.push_str(if first { " class=\"" } else { " " });
            first = false;
            escape::attr(&mut self.out, class);
        }
        if !first {
            self.out.push('"');
        }
    }

    /// `<span id="…"></span>` for each of the node's ids from `skip` on.
    fn id_anchors(&mut self, node: NodeId, skip: usize) {
        for id in self.doc.attrs(node).list("ids").iter().skip(skip) {
            self.out.push_str("<span id=\"");
            escape::attr(&mut self.out, id);
            self.out.push_str("\"></span>");
        }
    }

    fn inline_tag(&mut self, tag: &'static str, node: NodeId) -> Visit {
        self.open_tag(tag, node, &[], &[]);
        Visit::Children(closing(tag))
    }

    /// `align-left` etc. from docutils' `align` option.
    fn align_class(&self, node: NodeId) -> String {
        match self.doc.attrs(node).str("align") {
            Some(align) if !align.is_empty() => format!("align-{}", escape::class_token(align)),
            _ => String::new(),
        }
    }

    fn href(&self, uri: &str) -> Option<String> {
        let rewritten = self.options.links.rewrite_uri(uri);
        let uri = rewritten.as_deref().unwrap_or(uri);
        escape::safe_url(uri).map(str::to_string)
    }

    fn code(&mut self, code: &str, lang: &str) {
        let highlighted = self.highlighted(code, lang);
        match highlighted {
            Some(html) => self.push_highlighted(html),
            None => escape::text(&mut self.out, code),
        }
    }

    /// `code` highlighted as `lang` (through the cache when there is one),
    /// or `None` for plain text.
    fn highlighted(&self, code: &str, lang: &str) -> Option<String> {
        if !self.options.highlight {
            return None;
        }
        match self.options.code_cache {
            Some(cache) => cache.highlight(code, lang),
            None => highlight::highlight(code, lang),
        }
    }

    /// Write highlighted HTML, or its stash marker while sanitising.
    fn push_highlighted(&mut self, html: String) {
        match self.stash.as_mut() {
            Some(stash) => stash.keep(html, &mut self.out),
            None => self.out.push_str(&html),
        }
    }

    // ------------------------------------------------------------ structure

    fn title(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let parent = doc.parent(node);
        match parent.map(|p| doc.kind(p)) {
            Some(Kind::Section) => {
                let section = parent.unwrap_or(node);
                let depth = self.section_depth.max(1);
                let level = (depth + 1).min(MAX_HEADING);
                let anchor = doc.attrs(section).list("ids").first().cloned();
                if let Some(id) = &anchor {
                    self.toc.push(TocEntry {
                        level: u8::try_from(depth).unwrap_or(u8::MAX),
                        id: id.clone(),
                        title: doc.text_content(node).trim().to_string(),
                    });
                }
                let tag = heading_tag(level);
                self.open_tag(tag, node, &[], &[]);
                let mut close = String::new();
                if let Some(refid) = doc.attrs(node).str("refid") {
                    // docutils' toc-backref: the title links back to the contents.
                    self.out.push_str("<a class=\"toc-backref\" href=\"#");
                    escape::attr(&mut self.out, refid);
                    self.out.push_str("\" role=\"doc-backlink\">");
                    close.push_str("</a>");
                }
                if let Some(id) = anchor {
                    close.push_str("<a class=\"anchor\" href=\"#");
                    escape::attr(&mut close, &id);
                    close.push_str("\" aria-label=\"Link to this section\">#</a>");
                }
                close.push_str(&closing(tag));
                Visit::Children(Cow::Owned(close))
            }
            Some(Kind::Document) => {
                self.open_tag("h1", node, &["title"], &[]);
                close("</h1>")
            }
            Some(Kind::Table) => {
                self.open_tag("caption", node, &[], &[]);
                close("</caption>")
            }
            Some(Kind::Topic) => {
                self.open_tag("p", node, &["topic-title"], &[]);
                close("</p>")
            }
            Some(Kind::Sidebar) => {
                self.open_tag("p", node, &["sidebar-title"], &[]);
                close("</p>")
            }
            Some(kind) if kind.is_admonition() => {
                self.open_tag("p", node, &["admonition-title"], &[]);
                close("</p>")
            }
            _ => {
                self.open_tag("p", node, &["title"], &[]);
                close("</p>")
            }
        }
    }

    fn bibliographic(&mut self, node: NodeId, kind: Kind) -> Visit {
        let doc = self.doc;
        let name = kind.name();
        match self.parent_kind(node) {
            Some(Kind::Docinfo) => {
                self.out.push_str("<dt class=\"");
                self.out.push_str(name);
                self.out.push_str("\">");
                self.out.push_str(bibliographic_label(kind));
                self.out.push_str("<span class=\"colon\">:</span></dt>");
                self.open_tag("dd", node, &[name], &[]);
                if kind == Kind::Address {
                    self.out.push_str("<pre class=\"address\">");
                    close("</pre></dd>")
                } else {
                    close("</dd>")
                }
            }
            Some(Kind::Authors) => {
                self.open_tag("p", node, &[name], &[]);
                close("</p>")
            }
            _ if kind == Kind::Address => {
                self.open_tag("pre", node, &["address"], &[]);
                close("</pre>")
            }
            _ if doc.children(node).iter().any(|&c| is_block(doc.kind(c))) => {
                self.open_tag("div", node, &[name], &[]);
                close("</div>")
            }
            _ => {
                self.open_tag("p", node, &[name], &[]);
                close("</p>")
            }
        }
    }

    fn paragraph(&mut self, node: NodeId, siblings: Siblings) -> Visit {
        let doc = self.doc;
        // Sphinx puts the "Added in version X:" label inside the first paragraph.
        if let Some(parent) = doc.parent(node) {
            if doc.kind(parent) == Kind::VersionModified && siblings.prev.is_none() {
                self.open_tag("p", node, &[], &[]);
                self.version_label(parent, true);
                return close("</p>");
            }
        }
        if self.is_compact(node) {
            self.id_anchors(node, 0);
            return Visit::Children(Cow::Borrowed(""));
        }
        self.open_tag("p", node, &[], &[]);
        close("</p>")
    }

    /// docutils' compact paragraphs: the only paragraph of a list item (with
    /// at most nested lists beside it) or of a table cell, field body or
    /// option description is written without `<p>`, and so is every item
    /// paragraph of a list marked `simple` (Markdown's tight lists).
    fn is_compact(&self, node: NodeId) -> bool {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        if !attrs.list("classes").is_empty() || !attrs.list("ids").is_empty() {
            return false;
        }
        let Some(parent) = doc.parent(node) else {
            return false;
        };
        let siblings = doc.children(parent);
        match doc.kind(parent) {
            Kind::ListItem => {
                let list = doc.parent(parent);
                if list.is_some_and(|l| self.has_class(l, "simple")) {
                    return true;
                }
                siblings.len() <= COMPACT_SCAN_LIMIT
                    && siblings.first() == Some(&node)
                    && siblings.iter().skip(1).all(|&s| {
                        matches!(doc.kind(s), Kind::BulletList | Kind::EnumeratedList)
                            || is_invisible(doc.kind(s))
                    })
            }
            Kind::Entry | Kind::FieldBody | Kind::Description | Kind::Hlistcol => {
                siblings.len() <= COMPACT_SCAN_LIMIT
                    && siblings
                        .iter()
                        .all(|&s| s == node || is_invisible(doc.kind(s)))
            }
            _ => false,
        }
    }

    fn enumerated_list(&mut self, node: NodeId) -> Visit {
        let attrs = self.doc.attrs(node);
        let enumtype = attrs.str("enumtype").unwrap_or("arabic");
        let html_type = match enumtype {
            "loweralpha" => Some("a"),
            "upperalpha" => Some("A"),
            "lowerroman" => Some("i"),
            "upperroman" => Some("I"),
            _ => None,
        };
        let start = attrs
            .get("start")
            .and_then(value_as_int)
            .filter(|&s| s != 1)
            .map(|s| s.to_string());
        let mut extra: Vec<(&str, &str)> = Vec::new();
        if let Some(t) = html_type {
            extra.push(("type", t));
        }
        if let Some(start) = &start {
            extra.push(("start", start));
        }
        let enumtype = escape::class_token(enumtype);
        self.open_tag("ol", node, &[enumtype.as_str()], &extra);
        close("</ol>")
    }

    fn literal_block(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        let classes = attrs.list("classes");
        let language = attrs
            .str("language")
            .map(str::to_string)
            .or_else(|| {
                // docutils' `code` directive: classes ["code", LANG].
                (classes.first().map(String::as_str) == Some("code"))
                    .then(|| classes.get(1).cloned())
                    .flatten()
            })
            .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
            .filter(|l| !l.is_empty());
        let plain_text = doc
            .children(node)
            .iter()
            .all(|&c| doc.kind(c) == Kind::Text);
        if !plain_text {
            // parsed-literal: inline markup inside a preformatted block.
            self.open_tag("pre", node, &["literal-block"], &[]);
            return close("</pre>");
        }
        let code = doc.text_content(node);
        match language {
            Some(lang) => {
                let lang_class = escape::class_token(&lang);
                let own: Vec<&str> = classes
                    .iter()
                    .map(String::as_str)
                    .filter(|c| *c != "code" && *c != lang)
                    .collect();
                let highlighted = self.highlighted(&code, &lang);
                let mut extra = vec!["code", lang_class.as_str()];
                if highlighted.is_some() {
                    extra.push("hl-code");
                }
                extra.extend(own);
                self.id_anchors(node, 1);
                self.out.push_str("<pre");
                if let Some(id) = attrs.list("ids").first() {
                    self.out.push_str(" id=\"");
                    escape::attr(&mut self.out, id);
                    self.out.push('"');
                }
                self.class_attr(&extra, &[]);
                self.out.push_str("><code>");
                match highlighted {
                    Some(html) => self.push_highlighted(html),
                    None => escape::text(&mut self.out, &code),
                }
                self.out.push_str("</code></pre>");
            }
            None => {
                self.open_tag("pre", node, &["literal-block"], &[]);
                escape::text(&mut self.out, &code);
                self.out.push_str("</pre>");
            }
        }
        Visit::Done
    }

    fn admonition(&mut self, node: NodeId, kind: Kind) -> Visit {
        let doc = self.doc;
        let has_title = doc
            .children(node)
            .first()
            .is_some_and(|&c| doc.kind(c) == Kind::Title);
        let kind_class = match kind {
            Kind::Admonition => "",
            Kind::TodoNode => "",
            other => other.name(),
        };
        self.open_tag(
            "aside",
            node,
            &["admonition", kind_class],
            &[("role", "note")],
        );
        if !has_title {
            if let Some(label) = admonition_label(kind) {
                self.out.push_str("<p class=\"admonition-title\">");
                self.out.push_str(label);
                self.out.push_str("</p>");
            }
        }
        close("</aside>")
    }

    fn target(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        if doc.children(node).is_empty() {
            // External targets (`.. _name: URI`) are used by references
            // directly; internal ones only anchor.
            if attrs.str("refuri").is_none() {
                self.id_anchors(node, 0);
            }
            return Visit::Done;
        }
        // An inline target (`_`text``): its text stays, with its anchor.
        self.open_tag("span", node, &["target"], &[]);
        close("</span>")
    }

    /// A footnote or citation, grouped with its neighbours into one list as
    /// docutils does, with its label linking back to the reference(s).
    fn note(&mut self, node: NodeId, kind: Kind, siblings: Siblings) -> Visit {
        let doc = self.doc;
        let footnote = kind == Kind::Footnote;
        let first_of_group = !siblings.prev.is_some_and(|p| doc.kind(p) == kind);
        let last_of_group = !siblings.next.is_some_and(|n| doc.kind(n) == kind);
        if first_of_group {
            self.out.push_str(if footnote {
                "<aside class=\"footnote-list brackets\">"
            } else {
                "<div role=\"list\" class=\"citation-list\">"
            });
        }
        if footnote {
            self.open_tag(
                "aside",
                node,
                &["footnote", "brackets"],
                &[("role", "doc-footnote")],
            );
        } else {
            self.open_tag("div", node, &["citation"], &[("role", "doc-biblioentry")]);
        }
        let label = doc
            .children(node)
            .iter()
            .find(|&&c| doc.kind(c) == Kind::Label)
            .map(|&c| doc.text_content(c))
            .unwrap_or_default();
        let backrefs = doc.attrs(node).list("backrefs");
        self.out
            .push_str("<span class=\"label\"><span class=\"fn-bracket\">[</span>");
        match backrefs {
            [only] => {
                self.out.push_str("<a role=\"doc-backlink\" href=\"#");
                escape::attr(&mut self.out, only);
                self.out.push_str("\">");
                escape::text(&mut self.out, &label);
                self.out.push_str("</a>");
            }
            _ => escape::text(&mut self.out, &label),
        }
        self.out
            .push_str("<span class=\"fn-bracket\">]</span></span>");
        if backrefs.len() > 1 {
            self.out.push_str("<span class=\"backrefs\">(");
            for (index, backref) in backrefs.iter().enumerate() {
                if index > 0 {
                    self.out.push(',');
                }
                self.out.push_str("<a role=\"doc-backlink\" href=\"#");
                escape::attr(&mut self.out, backref);
                self.out.push_str("\">");
                self.out.push_str(&(index + 1).to_string());
                self.out.push_str("</a>");
            }
            self.out.push_str(")</span>");
        }
        let mut close = String::from(if footnote { "</aside>" } else { "</div>" });
        if last_of_group {
            close.push_str(if footnote { "</aside>" } else { "</div>" });
        }
        Visit::Children(Cow::Owned(close))
    }

    fn note_reference(&mut self, node: NodeId, classes: &[&str], role: &str) -> Visit {
        let refid = self.doc.attrs(node).str("refid");
        let href = refid.map(|r| format!("#{r}"));
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        if let Some(href) = &href {
            attrs.push(("href", href));
        }
        attrs.push(("role", role));
        self.open_tag("a", node, classes, &attrs);
        self.out.push_str("<span class=\"fn-bracket\">[</span>");
        close("<span class=\"fn-bracket\">]</span></a>")
    }

    fn caption(&mut self, node: NodeId, siblings: Siblings) -> Visit {
        let doc = self.doc;
        if self.parent_kind(node) == Some(Kind::Figure) {
            self.out.push_str("<figcaption>");
            self.open_tag("p", node, &[], &[]);
            let legend_follows = siblings.next.is_some_and(|n| doc.kind(n) == Kind::Legend);
            return close(if legend_follows {
                "</p>"
            } else {
                "</p></figcaption>"
            });
        }
        // Sphinx's code-block caption (inside `literal-block-wrapper`).
        self.open_tag("div", node, &["code-block-caption"], &[]);
        self.out.push_str("<span class=\"caption-text\">");
        close("</span></div>")
    }

    fn entry(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        let morecols = attrs
            .get("morecols")
            .and_then(value_as_int)
            .unwrap_or(0)
            .clamp(0, MAX_COLSPAN - 1);
        let morerows = attrs
            .get("morerows")
            .and_then(value_as_int)
            .unwrap_or(0)
            .clamp(0, MAX_ROWSPAN - 1);
        let column = self.row_columns.last().copied().unwrap_or(0);
        if let Some(cursor) = self.row_columns.last_mut() {
            *cursor = cursor.saturating_add(1 + usize::try_from(morecols).unwrap_or(0));
        }
        let in_head = doc
            .parent(node)
            .and_then(|row| doc.parent(row))
            .is_some_and(|group| doc.kind(group) == Kind::Thead);
        let stub = !in_head
            && self
                .table_stubs
                .last()
                .and_then(|stubs| stubs.get(column))
                .copied()
                .unwrap_or(false);
        let (tag, class) = if in_head {
            ("th", "head")
        } else if stub {
            ("th", "stub")
        } else {
            ("td", "")
        };
        let colspan = (morecols > 0).then(|| (morecols + 1).to_string());
        let rowspan = (morerows > 0).then(|| (morerows + 1).to_string());
        let mut extra: Vec<(&str, &str)> = Vec::new();
        if let Some(colspan) = &colspan {
            extra.push(("colspan", colspan));
        }
        if let Some(rowspan) = &rowspan {
            extra.push(("rowspan", rowspan));
        }
        if let Some(align) = attrs.str("align") {
            if matches!(align, "left" | "center" | "right" | "justify") {
                extra.push(("align", align));
            }
        }
        self.open_tag(tag, node, &[class], &extra);
        Visit::Children(closing(tag))
    }

    fn system_message(&mut self, node: NodeId) -> Visit {
        let attrs = self.doc.attrs(node);
        let level = attrs.get("level").and_then(value_as_int).unwrap_or(2);
        if level < 2 {
            // INFO and DEBUG: below docutils' default report level.
            return Visit::Done;
        }
        let kind = attrs.str("type").unwrap_or("WARNING").to_string();
        let line = attrs.get("line").and_then(value_as_int);
        self.open_tag("aside", node, &["system-message"], &[("role", "note")]);
        self.out.push_str("<details><summary>");
        escape::text(&mut self.out, &kind);
        if let Some(line) = line {
            self.out.push_str(" (line ");
            self.out.push_str(&line.to_string());
            self.out.push(')');
        }
        self.out.push_str("</summary>");
        close("</details></aside>")
    }

    fn raw(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        let is_html = match attrs.get("format") {
            Some(Value::Str(formats)) => formats.split_whitespace().any(|f| f == "html"),
            Some(Value::List(formats)) => formats.iter().any(|f| f == "html"),
            _ => false,
        };
        if !is_html {
            return Visit::Done;
        }
        let html = doc.text_content(node);
        match self.options.raw_html {
            RawHtmlPolicy::Sanitize | RawHtmlPolicy::Allow => {
                self.has_raw_html = true;
                self.out.push_str(&html);
            }
            RawHtmlPolicy::Escape => {
                let inline = self
                    .parent_kind(node)
                    .is_some_and(|k| !is_body_container(k));
                let (open, close) = if inline {
                    ("<code class=\"raw-html\">", "</code>")
                } else {
                    ("<pre class=\"raw-html\">", "</pre>")
                };
                self.out.push_str(open);
                escape::text(&mut self.out, &html);
                self.out.push_str(close);
            }
        }
        Visit::Done
    }

    fn image(&mut self, node: NodeId) {
        let attrs = self.doc.attrs(node);
        let uri = attrs.str("uri").unwrap_or("");
        let src = self.href(uri);
        let alt = attrs.str("alt").unwrap_or(uri).to_string();
        let scale = attrs.get("scale").and_then(value_as_int).unwrap_or(100);
        let width = attrs.str("width").and_then(|w| html_length(w, scale));
        let height = attrs.str("height").and_then(|h| html_length(h, scale));
        let title = attrs.str("title");
        let target = attrs.str("target").and_then(|t| self.href(t));
        let in_figure = self.parent_kind(node) == Some(Kind::Figure);
        let align = if in_figure {
            String::new()
        } else {
            self.align_class(node)
        };
        if let Some(target) = &target {
            self.out
                .push_str("<a class=\"reference external image-reference\" href=\"");
            escape::attr(&mut self.out, target);
            self.out.push_str("\">");
        }
        let mut extra: Vec<(&str, &str)> = Vec::new();
        if let Some(src) = &src {
            extra.push(("src", src));
        }
        extra.push(("alt", &alt));
        if let Some(width) = &width {
            extra.push(("width", width));
        }
        if let Some(height) = &height {
            extra.push(("height", height));
        }
        if let Some(title) = title {
            extra.push(("title", title));
        }
        extra.push(("loading", "lazy"));
        self.open_tag("img", node, &[align.as_str()], &extra);
        if target.is_some() {
            self.out.push_str("</a>");
        }
    }

    // ------------------------------------------------------------ inline

    fn reference(&mut self, node: NodeId) -> Visit {
        let attrs = self.doc.attrs(node);
        let mut extra: Vec<(&str, &str)> = Vec::new();
        let href;
        let class;
        if let Some(uri) = attrs.str("refuri") {
            let internal = self.options.links.rewrite_uri(uri);
            class = if internal.is_some() {
                "internal"
            } else {
                "external"
            };
            href = escape::safe_url(internal.as_deref().unwrap_or(uri)).map(str::to_string);
        } else if let Some(refid) = attrs.str("refid") {
            class = "internal";
            href = Some(format!("#{refid}"));
        } else {
            class = "unresolved";
            href = None;
        }
        if let Some(href) = &href {
            extra.push(("href", href));
        }
        if let Some(title) = attrs.str("title") {
            extra.push(("title", title));
        }
        // A link whose text is just its target (`<0002-x.md>`, `[](x.md)`)
        // shows the target spec's title instead of a path.
        let spec_title = match (attrs.str("refuri"), &href) {
            (Some(uri), Some(href)) if class == "internal" => {
                let text = self.doc.text_content(node);
                let text = text.trim();
                let bare = text.is_empty() || text == uri.trim();
                bare.then(|| self.options.links.link_title(href)).flatten()
            }
            _ => None,
        };
        self.open_tag("a", node, &["reference", class], &extra);
        if let Some(spec_title) = spec_title {
            escape::text(&mut self.out, &spec_title);
            self.out.push_str("</a>");
            return Visit::Done;
        }
        close("</a>")
    }

    fn problematic(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let message = doc.attrs(node).str("refid").and_then(|refid| {
            let messages = self.messages.get_or_insert_with(|| index_messages(doc));
            messages.get(refid).map(|&m| doc.text_content(m))
        });
        let title = message.map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "));
        let attrs: Vec<(&str, &str)> = title.iter().map(|t| ("title", t.as_str())).collect();
        self.open_tag("span", node, &["problematic"], &attrs);
        close("</span>")
    }

    fn xref(&mut self, node: NodeId, kind: Kind) -> Visit {
        let attrs = self.doc.attrs(node);
        let reftype = if kind == Kind::DownloadReference {
            "download"
        } else {
            attrs.str("reftype").unwrap_or("")
        };
        let target = attrs.str("reftarget").unwrap_or("");
        let resolved = self
            .options
            .links
            .resolve_xref(reftype, target)
            .and_then(|url| escape::safe_url(&url).map(str::to_string));
        match resolved {
            Some(url) => {
                let class = if kind == Kind::DownloadReference {
                    "download"
                } else {
                    "internal"
                };
                // `:doc:`path`` without a title shows the spec's title, as
                // Sphinx does.
                let spec_title = (reftype == "doc" && !truthy(attrs.get("refexplicit")))
                    .then(|| self.options.links.link_title(&url))
                    .flatten();
                self.open_tag("a", node, &["reference", class], &[("href", &url)]);
                if let Some(spec_title) = spec_title {
                    self.out.push_str("<span class=\"doc\">");
                    escape::text(&mut self.out, &spec_title);
                    self.out.push_str("</span></a>");
                    return Visit::Done;
                }
                close("</a>")
            }
            None => {
                let title = format!("unresolved reference: {target}");
                self.open_tag(
                    "span",
                    node,
                    &["xref-unresolved"],
                    &[("title", title.as_str())],
                );
                close("</span>")
            }
        }
    }

    // ------------------------------------------------------------ Sphinx

    fn toctree(&mut self, node: NodeId) {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        if truthy(attrs.get("hidden")) {
            return;
        }
        let mut items = String::new();
        for &entry in doc.children(node) {
            if doc.kind(entry) != Kind::ToctreeEntry {
                continue;
            }
            let entry_attrs = doc.attrs(entry);
            let target = entry_attrs.str("target").unwrap_or("");
            let Some(url) = self
                .options
                .links
                .resolve_xref("doc", target)
                .and_then(|u| escape::safe_url(&u).map(str::to_string))
            else {
                continue;
            };
            let title = entry_attrs.str("title").unwrap_or(target);
            items.push_str("<li class=\"toctree-l1\"><a class=\"reference internal\" href=\"");
            escape::attr(&mut items, &url);
            items.push_str("\">");
            escape::text(&mut items, title);
            items.push_str("</a></li>");
        }
        self.open_tag("nav", node, &["toctree"], &[]);
        if let Some(caption) = attrs.str("caption") {
            self.out
                .push_str("<p class=\"caption\" role=\"heading\"><span class=\"caption-text\">");
            escape::text(&mut self.out, caption);
            self.out.push_str("</span></p>");
        }
        if !items.is_empty() {
            self.out.push_str("<ul>");
            self.out.push_str(&items);
            self.out.push_str("</ul>");
        }
        self.out.push_str("</nav>");
    }

    fn version_modified(&mut self, node: NodeId) -> Visit {
        let doc = self.doc;
        let kind = doc.attrs(node).str("type").unwrap_or("versionchanged");
        let kind_class = escape::class_token(kind);
        self.open_tag("div", node, &[kind_class.as_str()], &[]);
        let starts_with_paragraph = doc
            .children(node)
            .first()
            .is_some_and(|&c| doc.kind(c) == Kind::Paragraph);
        if !starts_with_paragraph {
            self.out.push_str("<p>");
            self.version_label(node, !doc.children(node).is_empty());
            self.out.push_str("</p>");
        }
        close("</div>")
    }

    /// Sphinx's "Added in version X:" label of a `versionmodified` node.
    fn version_label(&mut self, node: NodeId, has_content: bool) {
        let attrs = self.doc.attrs(node);
        let kind = attrs.str("type").unwrap_or("versionchanged");
        let version = attrs.str("version").unwrap_or("");
        let (class, words) = match kind {
            "versionadded" => ("added", "Added in version"),
            "deprecated" => ("deprecated", "Deprecated since version"),
            "versionremoved" => ("removed", "Removed in version"),
            _ => ("changed", "Changed in version"),
        };
        self.out.push_str("<span class=\"versionmodified ");
        self.out.push_str(class);
        self.out.push_str("\">");
        self.out.push_str(words);
        self.out.push(' ');
        escape::text(&mut self.out, version);
        self.out
            .push_str(if has_content { ": </span>" } else { ".</span>" });
    }

    fn diagram(&mut self, node: NodeId) {
        let doc = self.doc;
        let attrs = doc.attrs(node);
        let kind = escape::class_token(attrs.str("kind").unwrap_or("diagram"));
        let kind_class = format!("diagram-{kind}");
        self.open_tag("figure", node, &["diagram", kind_class.as_str()], &[]);
        self.out.push_str("<pre class=\"diagram-source\"><code>");
        escape::text(&mut self.out, &doc.text_content(node));
        self.out.push_str("</code></pre>");
        let caption = attrs.str("caption").or_else(|| attrs.str("alt"));
        self.out.push_str("<figcaption>");
        if let Some(caption) = caption {
            escape::text(&mut self.out, caption);
            self.out.push(' ');
        }
        self.out.push_str("<span class=\"diagram-kind\">(");
        escape::text(&mut self.out, &kind);
        self.out.push_str(" diagram)</span></figcaption></figure>");
    }
}

// ---------------------------------------------------------------- free helpers

fn close(markup: &'static str) -> Visit {
    Visit::Children(Cow::Borrowed(markup))
}

/// `</tag>` for the fixed set of tags the serializer writes.
fn closing(tag: &'static str) -> Cow<'static, str> {
    Cow::Borrowed(match tag {
        "em" => "</em>",
        "strong" => "</strong>",
        "code" => "</code>",
        "kbd" => "</kbd>",
        "cite" => "</cite>",
        "sup" => "</sup>",
        "sub" => "</sub>",
        "span" => "</span>",
        "del" => "</del>",
        "td" => "</td>",
        "th" => "</th>",
        "h1" => "</h1>",
        "h2" => "</h2>",
        "h3" => "</h3>",
        "h4" => "</h4>",
        "h5" => "</h5>",
        _ => "</h6>",
    })
}

fn heading_tag(level: usize) -> &'static str {
    match level {
        0 | 1 => "h1",
        2 => "h2",
        3 => "h3",
        4 => "h4",
        5 => "h5",
        _ => "h6",
    }
}

/// Labels of the admonitions that have no title of their own: docutils'
/// words, which match GitHub's for the five Markdown alerts.
fn admonition_label(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Attention => "Attention!",
        Kind::Caution => "Caution",
        Kind::Danger => "!DANGER!",
        Kind::Error => "Error",
        Kind::Hint => "Hint",
        Kind::Important => "Important",
        Kind::Note => "Note",
        Kind::Tip => "Tip",
        Kind::Warning => "Warning",
        Kind::Seealso => "See also",
        Kind::TodoNode => "Todo",
        _ => return None,
    })
}

fn bibliographic_label(kind: Kind) -> &'static str {
    match kind {
        Kind::Author => "Author",
        Kind::Authors => "Authors",
        Kind::Organization => "Organization",
        Kind::Address => "Address",
        Kind::Contact => "Contact",
        Kind::Version => "Version",
        Kind::Revision => "Revision",
        Kind::Status => "Status",
        Kind::Date => "Date",
        _ => "Copyright",
    }
}

/// Nodes that write nothing visible, ignored when deciding compactness.
fn is_invisible(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Target
            | Kind::Comment
            | Kind::SubstitutionDefinition
            | Kind::Pending
            | Kind::Index
            | Kind::HighlightLang
            | Kind::TabularColSpec
    )
}

/// Elements whose children are blocks (a `raw` node directly inside one is
/// a block of HTML, not an inline tag).
fn is_body_container(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Document
            | Kind::Section
            | Kind::Topic
            | Kind::Sidebar
            | Kind::ListItem
            | Kind::Definition
            | Kind::FieldBody
            | Kind::Description
            | Kind::BlockQuote
            | Kind::Footnote
            | Kind::Citation
            | Kind::Figure
            | Kind::Legend
            | Kind::Compound
            | Kind::Container
            | Kind::Only
            | Kind::GenericDirective
            | Kind::DescContent
            | Kind::Hlistcol
            | Kind::Glossary
            | Kind::VersionModified
            | Kind::SystemMessage
    ) || kind.is_admonition()
}

/// Kinds that are blocks (used to pick `<div>` over `<p>` for a
/// bibliographic field holding paragraphs).
fn is_block(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Paragraph
            | Kind::BulletList
            | Kind::EnumeratedList
            | Kind::LiteralBlock
            | Kind::BlockQuote
            | Kind::Table
            | Kind::LineBlock
    )
}

fn value_as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Int(n) => Some(*n),
        Value::Str(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::List(_) => None,
    }
}

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(n)) => *n != 0,
        Some(Value::Str(s)) => matches!(s.trim(), "1" | "true" | "True" | "yes"),
        _ => false,
    }
}

/// A docutils length (`200`, `200px`, `50%`, `3em`, `2in`) as an HTML
/// `width`/`height` attribute value, scaled by `scale` percent; `None` for
/// values that are not lengths.
fn html_length(value: &str, scale: i64) -> Option<String> {
    let value = value.trim();
    let number_end = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(number_end);
    let number: f64 = number.parse().ok()?;
    let pixels_per_unit = match unit.trim() {
        "" | "px" => 1.0,
        "%" => return Some(format!("{}%", trim_number(number))),
        "em" | "rem" => 16.0,
        "ex" => 8.0,
        "pt" => 4.0 / 3.0,
        "pc" => 16.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        _ => return None,
    };
    let scale = scale.clamp(1, 10_000) as f64 / 100.0;
    let pixels = (number * pixels_per_unit * scale).round();
    if !pixels.is_finite() || pixels > 100_000.0 {
        return None;
    }
    Some(trim_number(pixels))
}

fn trim_number(number: f64) -> String {
    let text = format!("{number:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Ids of system messages, for the `title` of their `problematic` nodes.
fn index_messages(doc: &Document) -> HashMap<&str, NodeId> {
    let mut messages = HashMap::new();
    for node in doc.descendants(doc.root()) {
        if doc.kind(node) == Kind::SystemMessage {
            for id in doc.attrs(node).list("ids") {
                messages.insert(id.as_str(), node);
            }
        }
    }
    messages
}

/// Sphinx's `only` expression, evaluated for the HTML builder (tags
/// `html`, `format_html`, `builder_html` are set). An expression we cannot
/// parse shows the content: hiding text by mistake is worse.
fn only_applies(expr: &str) -> bool {
    let tokens = tokenize_only(expr);
    let mut parser = OnlyParser {
        tokens: &tokens,
        position: 0,
    };
    match parser.or(0) {
        Some(value) if parser.position == tokens.len() => value,
        _ => true,
    }
}

fn tokenize_only(expr: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (index, c) in expr.char_indices() {
        if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
            if start.is_none() {
                start = Some(index);
            }
            continue;
        }
        if let Some(s) = start.take() {
            tokens.push(&expr[s..index]);
        }
        if c == '(' || c == ')' {
            tokens.push(&expr[index..index + 1]);
        }
    }
    if let Some(s) = start {
        tokens.push(&expr[s..]);
    }
    tokens
}

/// Deepest parenthesis nesting an `only` expression may use.
const MAX_ONLY_DEPTH: usize = 32;

struct OnlyParser<'t, 'e> {
    tokens: &'t [&'e str],
    position: usize,
}

impl<'e> OnlyParser<'_, 'e> {
    fn peek(&self) -> Option<&'e str> {
        self.tokens.get(self.position).copied()
    }

    fn or(&mut self, depth: usize) -> Option<bool> {
        let mut value = self.and(depth)?;
        while self.peek() == Some("or") {
            self.position += 1;
            value |= self.and(depth)?;
        }
        Some(value)
    }

    fn and(&mut self, depth: usize) -> Option<bool> {
        let mut value = self.not(depth)?;
        while self.peek() == Some("and") {
            self.position += 1;
            value &= self.not(depth)?;
        }
        Some(value)
    }

    fn not(&mut self, depth: usize) -> Option<bool> {
        let mut negations = 0usize;
        while self.peek() == Some("not") {
            self.position += 1;
            negations += 1;
        }
        let value = self.atom(depth)?;
        Some(value ^ (negations % 2 == 1))
    }

    fn atom(&mut self, depth: usize) -> Option<bool> {
        let token = self.peek()?;
        self.position += 1;
        match token {
            "(" => {
                if depth >= MAX_ONLY_DEPTH {
                    return None;
                }
                let value = self.or(depth + 1)?;
                (self.peek() == Some(")")).then(|| self.position += 1)?;
                Some(value)
            }
            ")" | "and" | "or" | "not" => None,
            tag => Some(matches!(tag, "html" | "format_html" | "builder_html")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_become_pixels_or_percentages() {
        assert_eq!(html_length("200", 100).as_deref(), Some("200"));
        assert_eq!(html_length("200px", 50).as_deref(), Some("100"));
        assert_eq!(html_length("50%", 100).as_deref(), Some("50%"));
        assert_eq!(html_length("2in", 100).as_deref(), Some("192"));
        assert_eq!(html_length("wide", 100), None);
        assert_eq!(html_length("1e309", 100), None);
    }

    #[test]
    fn only_expressions_follow_the_html_builder() {
        assert!(only_applies("html"));
        assert!(!only_applies("latex"));
        assert!(only_applies("not latex"));
        assert!(!only_applies("latex or (epub and not html)"));
        assert!(only_applies("html and (format_html or latex)"));
        assert!(only_applies("((("), "unparsable shows content");
        let deep = format!("{}html{}", "(".repeat(1000), ")".repeat(1000));
        assert!(only_applies(&deep));
    }
}
