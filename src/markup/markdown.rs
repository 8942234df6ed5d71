//! Markdown (CommonMark + GitHub extensions) to [`Document`].
//!
//! First stage for `.md` files: [`frontmatter::split`] takes the metadata
//! block off the top, pulldown-cmark turns the body into events with byte
//! ranges, and one pass over those events builds the same docutils-shaped
//! tree the RST parser builds (sections nested by heading level, `title`,
//! `paragraph`, `bullet_list`, `literal_block`, `table/tgroup/...`), so every
//! later stage is format-blind. Spans are offsets into the whole file,
//! front matter included.
//!
//! The builder keeps an explicit stack of open elements (no recursion, so
//! hostile nesting cannot overflow the call stack; past [`MAX_DEPTH`] content
//! is flattened into the deepest element with one diagnostic) and appends
//! adjacent text events to one text node instead of creating a node per
//! event, which keeps tree building cheap next to pulldown-cmark itself.
//!
//! Choices where Markdown and docutils differ:
//! - a heading inside a container (block quote, list item) cannot open a
//!   section, so it becomes a `rubric` that still gets GitHub's anchor;
//! - inline content written directly in a list item or definition (tight
//!   lists) is wrapped in a `paragraph`, and a tight list gets
//!   `classes="simple"` (docutils' mark for lists rendered without `<p>`);
//! - table cells hold their inline content directly in `entry`;
//! - a paragraph that is only `$$..$$` display math becomes a `math_block`.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{
    Alignment, BlockQuoteKind, BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType,
    Options, Parser, Tag, TagEnd,
};

use super::doc::{Document, Kind, NodeId};
use super::frontmatter;
use super::slug::AnchorSet;
use super::Parsed;
use crate::diag::Diagnostic;
use crate::source::Span;

/// Deepest element nesting the tree keeps; deeper content is flattened so
/// later (possibly recursive) stages never see absurd depths.
pub const MAX_DEPTH: usize = 200;

/// Parse Markdown text (optionally opening with front matter) into a
/// document tree.
pub fn parse(text: &str) -> Parsed {
    let (front_matter, body_start, mut diagnostics) = frontmatter::split(text);
    let body = text.get(body_start..).unwrap_or_default();

    let mut broken_references: Vec<(Range<usize>, String)> = Vec::new();
    let report_broken = |link: BrokenLink<'_>| -> Option<(CowStr<'_>, CowStr<'_>)> {
        // Only `[text][label]` and `[label][]` say "this is a link" for sure;
        // a lone `[word]` is as often plain text (`a[i]`, `[sic]`) as a link.
        if matches!(link.link_type, LinkType::Reference | LinkType::Collapsed) {
            broken_references.push((link.span, link.reference.to_string()));
        }
        None
    };

    let mut builder = Builder::new(text, body_start);
    let parser =
        Parser::new_with_broken_link_callback(body, markdown_options(), Some(report_broken));
    for (event, range) in parser.into_offset_iter() {
        builder.event(event, range);
    }
    let (doc, builder_diagnostics) = builder.finish();
    diagnostics.extend(builder_diagnostics);
    for (range, label) in broken_references {
        diagnostics.push(
            Diagnostic::warning(
                "markdown/broken-link-reference",
                format!("no link reference definition for `[{label}]`"),
            )
            .with_span(Span::new(range.start, range.end).offset_by(body_start))
            .with_label("shown as plain text")
            .with_help(format!(
                "define it on a line of its own, e.g. `[{label}]: https://example.org`, \
                 or fix the label's spelling"
            )),
        );
    }
    cap_repeated(&mut diagnostics);
    Parsed {
        doc,
        front_matter,
        diagnostics,
    }
}

/// Most diagnostics of one code reported per file; a hostile or generated
/// file could otherwise produce one per line.
pub const MAX_DIAGNOSTICS_PER_CODE: usize = 100;

/// Keep the first [`MAX_DIAGNOSTICS_PER_CODE`] diagnostics of each code and
/// replace the rest by one note saying how many were left out.
fn cap_repeated(diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut omitted: Vec<(String, usize, Option<crate::diag::Location>)> = Vec::new();
    diagnostics.retain(|diagnostic| {
        let count = seen.entry(diagnostic.code.clone()).or_insert(0);
        *count += 1;
        if *count <= MAX_DIAGNOSTICS_PER_CODE {
            return true;
        }
        match omitted
            .iter_mut()
            .find(|(code, _, _)| *code == diagnostic.code)
        {
            Some(entry) => entry.1 += 1,
            None => omitted.push((diagnostic.code.clone(), 1, diagnostic.location.clone())),
        }
        false
    });
    for (code, count, location) in omitted {
        let mut note = Diagnostic::note(
            "markdown/too-many-diagnostics",
            format!("{count} more `{code}` diagnostics in this file are not shown"),
        )
        .with_help("fix the ones shown first; the rest are probably the same mistake");
        note.location = location;
        diagnostics.push(note);
    }
}

/// GitHub-flavoured Markdown with the extensions spec repositories use;
/// smart punctuation stays off so text is what the author typed.
fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_MATH
}

/// One open element on the builder's stack.
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// Where children go.
    node: NodeId,
    /// A paragraph we opened ourselves around loose inline content; it has
    /// no End event and closes before the next block or its parent's end.
    implicit: bool,
    /// False when the depth limit made this frame reuse its parent's node.
    owned: bool,
}

/// A heading whose inline content is being read.
struct PendingHeading {
    /// The `title` (of a section) or the `rubric` holding the inline content.
    content: NodeId,
    /// The element that receives `ids` and `names`.
    target: NodeId,
    explicit_id: Option<String>,
    classes: Vec<String>,
    span: Span,
}

/// A footnote reference awaiting its number.
struct FootnoteRef {
    key: String,
    node: NodeId,
    text: NodeId,
}

struct Builder<'t> {
    text: &'t str,
    /// Where the body starts in the file; added to every pulldown range.
    offset: usize,
    doc: Document,
    frames: Vec<Frame>,
    /// Open sections with their heading level, outermost first.
    sections: Vec<(HeadingLevel, NodeId)>,
    heading: Option<PendingHeading>,
    anchors: AnchorSet,
    /// Per open list: true while no item has had a real paragraph.
    list_tightness: Vec<(NodeId, bool)>,
    table_alignments: Vec<Alignment>,
    table_cell_index: usize,
    footnote_refs: Vec<FootnoteRef>,
    /// Footnote definitions by normalised label: (footnote, its label's text node).
    footnotes: HashMap<String, (NodeId, NodeId)>,
    footnote_order: Vec<String>,
    /// Text waiting to become a node: its parent and span so far; the
    /// characters are in `text_buffer`.
    pending_text: Option<(NodeId, Span)>,
    text_buffer: String,
    /// Text nodes that may hold a `[^label]` left as text.
    footnote_like_text: Vec<NodeId>,
    depth_reported: bool,
    diagnostics: Vec<Diagnostic>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, offset: usize) -> Builder<'t> {
        let mut doc = Document::new(Span::new(0, text.len()));
        // rust-rfcs averages one node per ~30 bytes of Markdown; erring
        // high avoids copying the whole arena when it would overflow.
        doc.reserve(text.len().saturating_sub(offset) / 20);
        Builder {
            text,
            offset,
            doc,
            frames: Vec::with_capacity(16),
            sections: Vec::new(),
            heading: None,
            anchors: AnchorSet::new(),
            list_tightness: Vec::new(),
            table_alignments: Vec::new(),
            table_cell_index: 0,
            footnote_refs: Vec::new(),
            footnotes: HashMap::new(),
            footnote_order: Vec::new(),
            pending_text: None,
            text_buffer: String::new(),
            footnote_like_text: Vec::new(),
            depth_reported: false,
            diagnostics: Vec::new(),
        }
    }

    fn span(&self, range: &Range<usize>) -> Span {
        Span::new(range.start + self.offset, range.end + self.offset)
    }

    /// Where block content goes when no element is open: the innermost section.
    fn block_container(&self) -> NodeId {
        self.sections
            .last()
            .map_or_else(|| self.doc.root(), |&(_, section)| section)
    }

    fn current(&self) -> NodeId {
        self.frames
            .last()
            .map_or_else(|| self.block_container(), |frame| frame.node)
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let span = self.span(&range);
        if !matches!(event, Event::Text(_) | Event::SoftBreak | Event::Html(_)) {
            self.flush_text();
        }
        match event {
            Event::Start(tag) => self.start(tag, span),
            Event::End(end) => self.end(end),
            Event::Text(text) => {
                let parent = self.inline_parent(span);
                self.append_text(parent, &text, span);
            }
            Event::Code(code) => {
                let parent = self.inline_parent(span);
                let literal = self.doc.push(parent, Kind::Literal, span);
                self.doc.push_text(literal, code.as_ref(), span);
            }
            Event::InlineMath(math) => {
                let parent = self.inline_parent(span);
                let node = self.doc.push(parent, Kind::Math, span);
                self.doc.push_text(node, math.as_ref(), span);
            }
            Event::DisplayMath(math) => {
                let parent = self.inline_parent(span);
                let node = self.doc.push(parent, Kind::MathBlock, span);
                self.doc.push_text(node, math.as_ref(), span);
            }
            Event::Html(html) => {
                // Lines of an HTML block arrive inside its `raw` frame.
                let parent = self.current();
                if self.doc.kind(parent) == Kind::Raw {
                    self.append_text(parent, &html, span);
                } else {
                    self.flush_text();
                    self.push_raw_html(parent, &html, span);
                }
            }
            Event::InlineHtml(html) => {
                let parent = self.inline_parent(span);
                self.push_raw_html(parent, &html, span);
            }
            Event::FootnoteReference(label) => {
                let parent = self.inline_parent(span);
                let node = self.doc.push(parent, Kind::FootnoteReference, span);
                self.doc.attrs_mut(node).set("auto", 1_i64);
                let text = self.doc.push_text(node, "", span);
                self.footnote_refs.push(FootnoteRef {
                    key: footnote_key(&label),
                    node,
                    text,
                });
            }
            Event::SoftBreak => {
                let parent = self.inline_parent(span);
                self.append_text(parent, "\n", span);
            }
            Event::HardBreak => {
                let parent = self.inline_parent(span);
                self.doc.push(parent, Kind::LineBreak, span);
            }
            Event::Rule => {
                self.close_implicit_paragraphs();
                let parent = self.current();
                self.doc.push(parent, Kind::Transition, span);
            }
            Event::TaskListMarker(checked) => {
                let parent = self.inline_parent(span);
                let node = self.doc.push(parent, Kind::TaskCheckbox, span);
                self.doc.attrs_mut(node).set("checked", checked);
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>, span: Span) {
        match tag {
            Tag::Paragraph => {
                self.close_implicit_paragraphs();
                let parent = self.current();
                if self.doc.kind(parent) == Kind::ListItem {
                    self.mark_list_loose(parent);
                }
                self.open(Kind::Paragraph, span);
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs: _,
            } => self.start_heading(level, id, classes, span),
            Tag::BlockQuote(kind) => {
                self.close_implicit_paragraphs();
                let kind = match kind {
                    None => Kind::BlockQuote,
                    Some(BlockQuoteKind::Note) => Kind::Note,
                    Some(BlockQuoteKind::Tip) => Kind::Tip,
                    Some(BlockQuoteKind::Important) => Kind::Important,
                    Some(BlockQuoteKind::Warning) => Kind::Warning,
                    Some(BlockQuoteKind::Caution) => Kind::Caution,
                };
                self.open(kind, span);
            }
            Tag::CodeBlock(kind) => {
                self.close_implicit_paragraphs();
                let node = self.open(Kind::LiteralBlock, span);
                if let CodeBlockKind::Fenced(info) = kind {
                    let language = info.split_whitespace().next().unwrap_or_default();
                    if !language.is_empty() {
                        let attrs = self.doc.attrs_mut(node);
                        attrs.push("classes", "code");
                        attrs.push("classes", language);
                        attrs.set("language", language);
                    }
                }
            }
            Tag::HtmlBlock => {
                self.close_implicit_paragraphs();
                let node = self.open(Kind::Raw, span);
                self.doc.attrs_mut(node).set("format", "html");
            }
            Tag::List(first_number) => {
                self.close_implicit_paragraphs();
                let marker = self.list_marker(span);
                let node = match first_number {
                    Some(start) => {
                        let node = self.open(Kind::EnumeratedList, span);
                        let attrs = self.doc.attrs_mut(node);
                        attrs.set("enumtype", "arabic");
                        attrs.set("prefix", "");
                        attrs.set("suffix", if marker == Some(')') { ")" } else { "." });
                        if start != 1 {
                            attrs.set("start", i64::try_from(start).unwrap_or(i64::MAX));
                        }
                        node
                    }
                    None => {
                        let node = self.open(Kind::BulletList, span);
                        let bullet = match marker {
                            Some('*') => "*",
                            Some('+') => "+",
                            _ => "-",
                        };
                        self.doc.attrs_mut(node).set("bullet", bullet);
                        node
                    }
                };
                self.list_tightness.push((node, true));
            }
            Tag::Item => {
                self.close_implicit_paragraphs();
                self.open(Kind::ListItem, span);
            }
            Tag::FootnoteDefinition(label) => {
                self.close_implicit_paragraphs();
                let node = self.open(Kind::Footnote, span);
                let key = footnote_key(&label);
                let attrs = self.doc.attrs_mut(node);
                attrs.set("auto", 1_i64);
                attrs.push("ids", format!("fn-{}", footnote_id(&key)));
                attrs.push("names", key.clone());
                let label_node = self.doc.push(node, Kind::Label, span);
                let label_text = self.doc.push_text(label_node, "", span);
                if self.footnotes.contains_key(&key) {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "markdown/duplicate-footnote",
                            format!("footnote `[^{label}]` is defined more than once"),
                        )
                        .with_span(span)
                        .with_help(
                            "references use the first definition; remove or rename this one",
                        ),
                    );
                } else {
                    self.footnotes.insert(key.clone(), (node, label_text));
                    self.footnote_order.push(key);
                }
            }
            Tag::DefinitionList => {
                self.close_implicit_paragraphs();
                self.open(Kind::DefinitionList, span);
            }
            Tag::DefinitionListTitle => {
                self.close_implicit_paragraphs();
                let list = self.current();
                let item = self.doc.push(list, Kind::DefinitionListItem, span);
                self.open_in(item, Kind::Term, span);
            }
            Tag::DefinitionListDefinition => {
                self.close_implicit_paragraphs();
                let list = self.current();
                let item = match self.doc.children(list).last() {
                    Some(&last) if self.doc.kind(last) == Kind::DefinitionListItem => last,
                    _ => self.doc.push(list, Kind::DefinitionListItem, span),
                };
                let item_span = self.doc.span(item).cover(span);
                self.doc.get_mut(item).span = item_span;
                self.open_in(item, Kind::Definition, span);
            }
            Tag::Table(alignments) => {
                self.close_implicit_paragraphs();
                let table = self.open(Kind::Table, span);
                let tgroup = self.doc.push(table, Kind::Tgroup, span);
                let columns = i64::try_from(alignments.len()).unwrap_or(i64::MAX);
                self.doc.attrs_mut(tgroup).set("cols", columns);
                for _ in &alignments {
                    self.doc.push(tgroup, Kind::Colspec, span);
                }
                // The table frame's children go to the tgroup.
                if let Some(frame) = self.frames.last_mut() {
                    if frame.owned {
                        frame.node = tgroup;
                    }
                }
                self.table_alignments = alignments;
            }
            Tag::TableHead => {
                let tgroup = self.current();
                let thead = self.doc.push(tgroup, Kind::Thead, span);
                self.table_cell_index = 0;
                self.open_in(thead, Kind::Row, span);
            }
            Tag::TableRow => {
                let tgroup = self.current();
                let tbody = match self.doc.children(tgroup).last() {
                    Some(&last) if self.doc.kind(last) == Kind::Tbody => last,
                    _ => self.doc.push(tgroup, Kind::Tbody, span),
                };
                let tbody_span = self.doc.span(tbody).cover(span);
                self.doc.get_mut(tbody).span = tbody_span;
                self.table_cell_index = 0;
                self.open_in(tbody, Kind::Row, span);
            }
            Tag::TableCell => {
                let entry = self.open(Kind::Entry, span);
                let align = match self.table_alignments.get(self.table_cell_index) {
                    Some(Alignment::Left) => Some("left"),
                    Some(Alignment::Center) => Some("center"),
                    Some(Alignment::Right) => Some("right"),
                    Some(Alignment::None) | None => None,
                };
                if let Some(align) = align {
                    self.doc.attrs_mut(entry).set("align", align);
                }
                self.table_cell_index += 1;
            }
            Tag::Emphasis => self.open_inline(Kind::Emphasis, span),
            Tag::Strong => self.open_inline(Kind::Strong, span),
            Tag::Strikethrough => self.open_inline(Kind::Deleted, span),
            Tag::Superscript => self.open_inline(Kind::Superscript, span),
            Tag::Subscript => self.open_inline(Kind::Subscript, span),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id: _,
            } => {
                self.open_inline(Kind::Reference, span);
                let node = self.current();
                let attrs = self.doc.attrs_mut(node);
                if link_type == LinkType::Email && !dest_url.starts_with("mailto:") {
                    attrs.set("refuri", format!("mailto:{dest_url}"));
                } else {
                    attrs.set("refuri", dest_url.as_ref());
                }
                if !title.is_empty() {
                    attrs.set("title", title.as_ref());
                }
            }
            Tag::Image {
                link_type: _,
                dest_url,
                title,
                id: _,
            } => {
                self.open_inline(Kind::Image, span);
                let node = self.current();
                let attrs = self.doc.attrs_mut(node);
                attrs.set("uri", dest_url.as_ref());
                if !title.is_empty() {
                    attrs.set("title", title.as_ref());
                }
            }
            Tag::MetadataBlock(_) => {
                // Not enabled (front matter is split off first); keep the
                // stack balanced with a comment should it ever appear.
                self.close_implicit_paragraphs();
                self.open(Kind::Comment, span);
            }
        }
    }

    fn end(&mut self, end: TagEnd) {
        self.close_implicit_paragraphs();
        let Some(frame) = self.frames.pop() else {
            return;
        };
        match end {
            TagEnd::Heading(_) => self.finish_heading(),
            TagEnd::Paragraph if frame.owned => self.unwrap_display_math(frame.node),
            TagEnd::List(_) => {
                if let Some((list, tight)) = self.list_tightness.pop() {
                    if tight && frame.owned && list == frame.node {
                        self.doc.attrs_mut(list).push("classes", "simple");
                    }
                }
            }
            TagEnd::Image if frame.owned => {
                // docutils images have no children: the description is `alt`.
                let alt = self.doc.text_content(frame.node);
                let children = std::mem::take(&mut self.doc.get_mut(frame.node).children);
                for child in children {
                    self.doc.get_mut(child).parent = None;
                }
                self.doc.attrs_mut(frame.node).set("alt", alt);
            }
            TagEnd::Table => self.table_alignments.clear(),
            TagEnd::Item
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::MetadataBlock(_)
            | TagEnd::Paragraph
            | TagEnd::Image => {}
        }
    }

    /// Open an element as a child of the current one and make it current.
    fn open(&mut self, kind: Kind, span: Span) -> NodeId {
        let parent = self.current();
        self.open_in(parent, kind, span)
    }

    fn open_in(&mut self, parent: NodeId, kind: Kind, span: Span) -> NodeId {
        if self.frames.len() >= MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                self.diagnostics.push(
                    Diagnostic::warning(
                        "markdown/too-deep",
                        format!("elements nested more than {MAX_DEPTH} deep are flattened"),
                    )
                    .with_span(span)
                    .with_help("reduce the nesting of block quotes, lists or emphasis here"),
                );
            }
            let node = self.current();
            self.frames.push(Frame {
                node,
                implicit: false,
                owned: false,
            });
            return node;
        }
        let node = self.doc.push(parent, kind, span);
        self.frames.push(Frame {
            node,
            implicit: false,
            owned: true,
        });
        node
    }

    fn open_inline(&mut self, kind: Kind, span: Span) {
        let parent = self.inline_parent(span);
        self.open_in(parent, kind, span);
    }

    /// The element inline content at `span` goes into, opening an implicit
    /// paragraph when the current element holds blocks (tight list items,
    /// definitions).
    fn inline_parent(&mut self, span: Span) -> NodeId {
        let current = self.current();
        if accepts_inline(self.doc.kind(current)) || self.frames.len() >= MAX_DEPTH {
            return current;
        }
        let paragraph = self.doc.push(current, Kind::Paragraph, span);
        self.frames.push(Frame {
            node: paragraph,
            implicit: true,
            owned: true,
        });
        paragraph
    }

    fn close_implicit_paragraphs(&mut self) {
        while let Some(frame) = self.frames.last() {
            if !frame.implicit {
                break;
            }
            let paragraph = frame.node;
            self.frames.pop();
            let end = self
                .doc
                .children(paragraph)
                .last()
                .map(|&child| self.doc.span(child).end);
            if let Some(end) = end {
                let node = self.doc.get_mut(paragraph);
                node.span.end = node.span.end.max(end);
            }
        }
    }

    fn mark_list_loose(&mut self, item: NodeId) {
        let list = self.doc.parent(item);
        if let Some(entry) = self.list_tightness.last_mut() {
            if Some(entry.0) == list {
                entry.1 = false;
            }
        }
    }

    /// Append text to `parent`, extending its last child when that is text,
    /// so runs split by escapes, entities or soft breaks stay one node.
    /// Queue text for `parent`. Consecutive text events (split by escapes,
    /// entities, soft breaks, HTML block lines) collect in one reused buffer
    /// and become a single node, allocated once, when anything else happens.
    fn append_text(&mut self, parent: NodeId, text: &str, span: Span) {
        match &mut self.pending_text {
            Some((pending_parent, pending_span)) if *pending_parent == parent => {
                *pending_span = pending_span.cover(span);
            }
            _ => {
                self.flush_text();
                self.pending_text = Some((parent, span));
            }
        }
        self.text_buffer.push_str(text);
    }

    fn flush_text(&mut self) {
        let Some((parent, span)) = self.pending_text.take() else {
            return;
        };
        let node = match self.doc.children(parent).last() {
            Some(&last) if self.doc.kind(last) == Kind::Text => {
                let node = self.doc.get_mut(last);
                node.text.push_str(&self.text_buffer);
                node.span = node.span.cover(span);
                last
            }
            _ => self.doc.push_text(parent, self.text_buffer.as_str(), span),
        };
        // A byte search first: most runs have no `^` at all.
        if self.text_buffer.as_bytes().contains(&b'^') && self.text_buffer.contains("[^") {
            self.footnote_like_text.push(node);
        }
        self.text_buffer.clear();
    }

    fn push_raw_html(&mut self, parent: NodeId, html: &str, span: Span) {
        let raw = self.doc.push(parent, Kind::Raw, span);
        self.doc.attrs_mut(raw).set("format", "html");
        self.doc.push_text(raw, html, span);
    }

    /// The marker character of the list starting at `span` (`-`, `*`, `+`,
    /// or the `.`/`)` after an ordered list's number).
    fn list_marker(&self, span: Span) -> Option<char> {
        let rest = self.text.get(span.start..)?;
        rest.trim_start_matches([' ', '\t'])
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .chars()
            .next()
    }

    fn start_heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'_>>,
        classes: Vec<CowStr<'_>>,
        span: Span,
    ) {
        self.close_implicit_paragraphs();
        let (content, target) = if self.frames.is_empty() {
            while let Some(&(open_level, section)) = self.sections.last() {
                if open_level < level {
                    break;
                }
                self.sections.pop();
                let node = self.doc.get_mut(section);
                node.span.end = node.span.end.max(span.start);
            }
            let parent = self.block_container();
            let section = self.doc.push(parent, Kind::Section, span);
            self.sections.push((level, section));
            let title = self.open_in(section, Kind::Title, span);
            (title, section)
        } else {
            let rubric = self.open(Kind::Rubric, span);
            if !self.frames.last().is_some_and(|frame| frame.owned) {
                // Past the depth limit the heading's text is flattened into
                // its container; it gets no anchor of its own.
                return;
            }
            (rubric, rubric)
        };
        self.heading = Some(PendingHeading {
            content,
            target,
            explicit_id: id.map(|id| id.to_string()),
            classes: classes.iter().map(|class| class.to_string()).collect(),
            span,
        });
    }

    fn finish_heading(&mut self) {
        let Some(heading) = self.heading.take() else {
            return;
        };
        let text = rendered_text(&self.doc, heading.content);
        let id = match heading.explicit_id {
            Some(id) => {
                if !self.anchors.reserve(&id) {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "markdown/duplicate-id",
                            format!("the id `{id}` is used by an earlier heading"),
                        )
                        .with_span(heading.span)
                        .with_help(
                            "links to this id reach the earlier heading; choose another `{#id}`",
                        ),
                    );
                }
                Some(id)
            }
            None if text.trim().is_empty() => None,
            None => {
                let anchor = super::slug::github_anchor(&text);
                // A heading of only symbols (emoji) has an empty GitHub
                // anchor; an element still needs a usable id.
                let base = if anchor.is_empty() {
                    String::from("section")
                } else {
                    anchor
                };
                Some(self.anchors.unique(base))
            }
        };
        let name = normalize_name(&text);
        let attrs = self.doc.attrs_mut(heading.target);
        if let Some(id) = id {
            attrs.push("ids", id);
        }
        if !name.is_empty() {
            attrs.push("names", name);
        }
        for class in heading.classes {
            attrs.push("classes", class);
        }
    }

    /// Replace a paragraph holding nothing but one `$$..$$` by the math block.
    fn unwrap_display_math(&mut self, paragraph: NodeId) {
        let children = self.doc.children(paragraph);
        let [only] = *children else {
            return;
        };
        if self.doc.kind(only) != Kind::MathBlock {
            return;
        }
        // The paragraph just ended, so it is its parent's last child: swap
        // in place rather than through `replace`, which scans all siblings.
        let Some(parent) = self.doc.parent(paragraph) else {
            return;
        };
        if self.doc.children(parent).last() != Some(&paragraph) {
            return;
        }
        let span = self.doc.span(paragraph);
        self.doc.get_mut(parent).children.pop();
        self.doc.get_mut(paragraph).parent = None;
        self.doc.append(parent, only);
        self.doc.get_mut(only).span = span;
    }

    fn finish(mut self) -> (Document, Vec<Diagnostic>) {
        self.flush_text();
        self.close_implicit_paragraphs();
        let end = self.text.len();
        for &(_, section) in &self.sections {
            let node = self.doc.get_mut(section);
            node.span.end = node.span.end.max(end);
        }
        self.number_footnotes();
        self.report_undefined_footnotes();
        (self.doc, self.diagnostics)
    }

    /// Number footnotes in order of first reference (as GitHub does), link
    /// references and definitions both ways; unreferenced ones come last.
    fn number_footnotes(&mut self) {
        let mut numbers: HashMap<String, usize> = HashMap::new();
        let mut reference_counts: HashMap<String, usize> = HashMap::new();
        let refs = std::mem::take(&mut self.footnote_refs);
        for reference in &refs {
            let Some(&(footnote, _)) = self.footnotes.get(&reference.key) else {
                let span = self.doc.span(reference.node);
                self.diagnostics
                    .push(undefined_footnote(&reference.key, span));
                continue;
            };
            let next_number = numbers.len() + 1;
            let number = *numbers.entry(reference.key.clone()).or_insert(next_number);
            let count = reference_counts.entry(reference.key.clone()).or_insert(0);
            *count += 1;
            let id_stem = footnote_id(&reference.key);
            let reference_id = if *count == 1 {
                format!("fnref-{id_stem}")
            } else {
                format!("fnref-{id_stem}-{count}")
            };
            self.doc.get_mut(reference.text).text = number.to_string();
            let attrs = self.doc.attrs_mut(reference.node);
            attrs.push("ids", reference_id.clone());
            attrs.set("refid", format!("fn-{id_stem}"));
            self.doc.attrs_mut(footnote).push("backrefs", reference_id);
        }
        for key in &self.footnote_order {
            let next_number = numbers.len() + 1;
            let number = *numbers.entry(key.clone()).or_insert(next_number);
            if let Some(&(_, label_text)) = self.footnotes.get(key) {
                self.doc.get_mut(label_text).text = number.to_string();
            }
        }
    }

    /// With GitHub's footnote rules a `[^label]` with no definition is left
    /// as text; find those in ordinary text runs and say so.
    fn report_undefined_footnotes(&mut self) {
        let mut found = Vec::new();
        for &node in &self.footnote_like_text {
            let data = self.doc.get(node);
            if data.kind != Kind::Text || !data.text.contains("[^") {
                continue;
            }
            // Code, raw HTML and detached image descriptions are not prose.
            let in_prose = data
                .parent
                .is_some_and(|parent| is_prose(self.doc.kind(parent)));
            if !in_prose {
                continue;
            }
            // Where in the source to look for the next match; moves forward
            // only, so many labels in one long run stay linear.
            let mut source_cursor = data.span.start;
            let mut rest = data.text.as_str();
            while let Some(open) = rest.find("[^") {
                let after = rest.get(open + 2..).unwrap_or_default();
                let Some(close) = after.find(']') else {
                    break;
                };
                let label = after.get(..close).unwrap_or_default();
                let plausible =
                    !label.is_empty() && !label.contains(|c: char| c.is_whitespace() || c == '[');
                if plausible {
                    let needle = format!("[^{label}]");
                    let span = match self
                        .text
                        .get(source_cursor..data.span.end)
                        .and_then(|source| source.find(&needle))
                    {
                        Some(at) => {
                            let start = source_cursor + at;
                            source_cursor = start + needle.len();
                            Span::new(start, source_cursor)
                        }
                        None => data.span,
                    };
                    found.push((label.to_string(), span));
                }
                rest = after.get(close + 1..).unwrap_or_default();
            }
        }
        for (label, span) in found {
            self.diagnostics.push(undefined_footnote(&label, span));
        }
    }
}

/// The text a browser would show for `node`: like `text_content`, but raw
/// HTML contributes nothing (GitHub computes anchors from rendered text, so
/// `## <a name="x"></a>Intro` is anchored `intro`).
fn rendered_text(doc: &Document, node: NodeId) -> String {
    let mut text = String::new();
    let mut stack = vec![node];
    while let Some(current) = stack.pop() {
        let data = doc.get(current);
        match data.kind {
            Kind::Text => text.push_str(&data.text),
            Kind::Raw => {}
            _ => stack.extend(data.children.iter().rev().copied()),
        }
    }
    text
}

fn undefined_footnote(label: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(
        "markdown/undefined-footnote",
        format!("footnote `[^{label}]` is referenced but never defined"),
    )
    .with_span(span)
    .with_label("shown as plain text")
    .with_help(format!(
        "add a definition on a line of its own: `[^{label}]: the note's text`"
    ))
}

/// Elements that take inline content directly; any other open element gets
/// an implicit paragraph around inline content.
fn accepts_inline(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Paragraph
            | Kind::Title
            | Kind::Rubric
            | Kind::Term
            | Kind::Entry
            | Kind::Emphasis
            | Kind::Strong
            | Kind::Deleted
            | Kind::Superscript
            | Kind::Subscript
            | Kind::Reference
            | Kind::Image
            | Kind::Literal
            | Kind::LiteralBlock
            | Kind::Raw
            | Kind::Comment
            | Kind::Math
            | Kind::MathBlock
            | Kind::FootnoteReference
    )
}

/// Elements whose text is prose (where `[^x]` would have been a footnote).
fn is_prose(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::Literal
            | Kind::LiteralBlock
            | Kind::Raw
            | Kind::Comment
            | Kind::Math
            | Kind::MathBlock
            | Kind::FootnoteReference
            | Kind::Label
    )
}

/// Footnote labels match case-insensitively with whitespace collapsed.
fn footnote_key(label: &str) -> String {
    normalize_name(label)
}

/// A footnote key as an id fragment: whitespace becomes `-`.
fn footnote_id(key: &str) -> String {
    key.replace(' ', "-")
}

/// docutils' `fully_normalize_name`: lowercase, whitespace runs to one space.
fn normalize_name(text: &str) -> String {
    let mut name = String::with_capacity(text.len());
    if text.is_ascii() {
        for word in text.split_ascii_whitespace() {
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(word);
        }
        name.make_ascii_lowercase();
        return name;
    }
    for word in text.split_whitespace() {
        if !name.is_empty() {
            name.push(' ');
        }
        name.extend(word.chars().flat_map(char::to_lowercase));
    }
    name
}
