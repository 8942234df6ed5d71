//! The document tree every markup format parses into.
//!
//! Markdown and reStructuredText both become a [`Document`]: a flat `Vec` of
//! [`Node`]s addressed by [`NodeId`] (no lifetimes, no `Rc`, cheap to build
//! and to send across threads). Element kinds use docutils' vocabulary, so a
//! tree can be printed as docutils pseudo-XML and compared with docutils, and
//! everything after parsing (extraction, linking, HTML) is format-blind.
//! Attribute names and values follow docutils as well (`ids`, `names`,
//! `classes`, `refuri`, `refname`, ...).

use std::borrow::Cow;

use crate::source::Span;

macro_rules! kinds {
    ($($variant:ident => $name:literal,)*) => {
        /// The element kind of a node: docutils' element names, Sphinx's, and
        /// a few of our own for Markdown constructs docutils lacks.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($variant,)*
        }

        impl Kind {
            /// The docutils element name (`bullet_list`, `pending_xref`, ...).
            pub fn name(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }

            /// The kind for a docutils element name.
            pub fn from_name(name: &str) -> Option<Kind> {
                match name {
                    $($name => Some(Kind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

kinds! {
    // A run of characters; the only kind whose `text` is used.
    Text => "#text",
    // Structure
    Document => "document",
    Section => "section",
    Topic => "topic",
    Sidebar => "sidebar",
    Transition => "transition",
    Title => "title",
    Subtitle => "subtitle",
    Rubric => "rubric",
    // Decoration and bibliographic fields
    Header => "header",
    Footer => "footer",
    Decoration => "decoration",
    Docinfo => "docinfo",
    Author => "author",
    Authors => "authors",
    Organization => "organization",
    Address => "address",
    Contact => "contact",
    Version => "version",
    Revision => "revision",
    Status => "status",
    Date => "date",
    Copyright => "copyright",
    Meta => "meta",
    // Body elements
    Paragraph => "paragraph",
    Compound => "compound",
    Container => "container",
    BulletList => "bullet_list",
    EnumeratedList => "enumerated_list",
    ListItem => "list_item",
    DefinitionList => "definition_list",
    DefinitionListItem => "definition_list_item",
    Term => "term",
    Classifier => "classifier",
    Definition => "definition",
    FieldList => "field_list",
    Field => "field",
    FieldName => "field_name",
    FieldBody => "field_body",
    OptionList => "option_list",
    OptionListItem => "option_list_item",
    OptionGroup => "option_group",
    Option => "option",
    OptionString => "option_string",
    OptionArgument => "option_argument",
    Description => "description",
    LiteralBlock => "literal_block",
    DoctestBlock => "doctest_block",
    MathBlock => "math_block",
    LineBlock => "line_block",
    Line => "line",
    BlockQuote => "block_quote",
    Attribution => "attribution",
    Attention => "attention",
    Caution => "caution",
    Danger => "danger",
    Error => "error",
    Hint => "hint",
    Important => "important",
    Note => "note",
    Tip => "tip",
    Warning => "warning",
    Admonition => "admonition",
    Comment => "comment",
    SubstitutionDefinition => "substitution_definition",
    Target => "target",
    Footnote => "footnote",
    Citation => "citation",
    Label => "label",
    Figure => "figure",
    Caption => "caption",
    Legend => "legend",
    Table => "table",
    Tgroup => "tgroup",
    Colspec => "colspec",
    Thead => "thead",
    Tbody => "tbody",
    Row => "row",
    Entry => "entry",
    SystemMessage => "system_message",
    Pending => "pending",
    Raw => "raw",
    Image => "image",
    // Inline elements
    Emphasis => "emphasis",
    Strong => "strong",
    Literal => "literal",
    Reference => "reference",
    FootnoteReference => "footnote_reference",
    CitationReference => "citation_reference",
    SubstitutionReference => "substitution_reference",
    TitleReference => "title_reference",
    Abbreviation => "abbreviation",
    Acronym => "acronym",
    Superscript => "superscript",
    Subscript => "subscript",
    Math => "math",
    Inline => "inline",
    Problematic => "problematic",
    Generated => "generated",
    // Sphinx's nodes (forms agreed in shared/rst-conformance/SPHINX.md)
    PendingXref => "pending_xref",
    DownloadReference => "download_reference",
    LiteralStrong => "literal_strong",
    LiteralEmphasis => "literal_emphasis",
    Toctree => "toctree",
    ToctreeEntry => "toctree_entry",
    Seealso => "seealso",
    TodoNode => "todo_node",
    VersionModified => "versionmodified",
    Only => "only",
    Centered => "centered",
    Hlist => "hlist",
    Hlistcol => "hlistcol",
    Glossary => "glossary",
    Index => "index",
    TabularColSpec => "tabular_col_spec",
    HighlightLang => "highlightlang",
    Desc => "desc",
    DescSignature => "desc_signature",
    DescContent => "desc_content",
    Diagram => "diagram",
    GenericDirective => "generic_directive",
    ProductionList => "productionlist",
    Production => "production",
    // Ours, for Markdown constructs with no docutils element
    Deleted => "deleted",
    TaskCheckbox => "task_checkbox",
    // A Markdown hard line break (two trailing spaces or a backslash).
    LineBreak => "line_break",
}

impl Kind {
    /// Elements whose text keeps its whitespace exactly (docutils' `xml:space="preserve"`).
    pub fn preserves_space(self) -> bool {
        matches!(
            self,
            Kind::LiteralBlock
                | Kind::DoctestBlock
                | Kind::MathBlock
                | Kind::Comment
                | Kind::Raw
                | Kind::Address
                | Kind::Diagram
        )
    }

    /// The admonition kinds, which all render as a titled box.
    pub fn is_admonition(self) -> bool {
        matches!(
            self,
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
                | Kind::TodoNode
        )
    }
}

/// An attribute value. docutils has strings, lists of strings (printed space
/// separated), booleans (printed `1`/`0`) and integers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Str(String),
    List(Vec<String>),
    Bool(bool),
    Int(i64),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Str(value.to_string())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Str(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

/// Attributes in insertion order. Nodes have few attributes, so a `Vec`
/// beats a map in both memory and speed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attrs(Vec<(Cow<'static, str>, Value)>);

impl Attrs {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The attribute as a string, if it is a string.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// The attribute as a list; a missing (or non-list) attribute is empty.
    pub fn list(&self, name: &str) -> &[String] {
        match self.get(name) {
            Some(Value::List(items)) => items,
            _ => &[],
        }
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Bool(true)))
    }

    /// Set (or replace) an attribute, keeping the position of an existing one.
    pub fn set(&mut self, name: impl Into<Cow<'static, str>>, value: impl Into<Value>) {
        let name = name.into();
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }

    /// Append to a list attribute (`ids`, `names`, `classes`, `backrefs`, ...).
    pub fn push(&mut self, name: impl Into<Cow<'static, str>>, item: impl Into<String>) {
        let name = name.into();
        let item = item.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, Value::List(items))) => items.push(item),
            Some(slot) => slot.1 = Value::List(vec![item]),
            None => self.0.push((name, Value::List(vec![item]))),
        }
    }

    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let index = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.remove(index).1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Index of a node in its [`Document`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One element or text run.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: Kind,
    pub attrs: Attrs,
    /// The characters of a [`Kind::Text`] node; empty for elements.
    pub text: String,
    pub children: Vec<NodeId>,
    pub parent: Option<NodeId>,
    /// Where in the source this node came from.
    pub span: Span,
}

/// A parsed document: node 0 is the root [`Kind::Document`] element.
#[derive(Clone, Debug)]
pub struct Document {
    nodes: Vec<Node>,
}

impl Default for Document {
    fn default() -> Self {
        Document::new(Span::default())
    }
}

impl Document {
    /// An empty document whose root covers `span`.
    pub fn new(span: Span) -> Document {
        Document {
            nodes: vec![Node {
                kind: Kind::Document,
                attrs: Attrs::default(),
                text: String::new(),
                children: Vec::new(),
                parent: None,
                span,
            }],
        }
    }

    /// Make room for `additional` more nodes, so a parser that can estimate
    /// its node count avoids repeated regrowth of the arena.
    pub fn reserve(&mut self, additional: usize) {
        self.nodes.reserve(additional);
    }

    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// Every node ever created, attached or not, in creation order.
    pub fn all_nodes(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(|i| NodeId(u32::try_from(i).unwrap_or(u32::MAX)))
    }

    /// Number of nodes ever created (detached ones included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1 && self.nodes[0].children.is_empty()
    }

    pub fn get(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn get_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.index()]
    }

    pub fn kind(&self, id: NodeId) -> Kind {
        self.nodes[id.index()].kind
    }

    pub fn attrs(&self, id: NodeId) -> &Attrs {
        &self.nodes[id.index()].attrs
    }

    pub fn attrs_mut(&mut self, id: NodeId) -> &mut Attrs {
        &mut self.nodes[id.index()].attrs
    }

    pub fn children(&self, id: NodeId) -> &[NodeId] {
        &self.nodes[id.index()].children
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.nodes[id.index()].parent
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.nodes[id.index()].span
    }

    /// Create a node that belongs to no parent yet.
    pub fn create(&mut self, kind: Kind, span: Span) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node {
            kind,
            attrs: Attrs::default(),
            text: String::new(),
            children: Vec::new(),
            parent: None,
            span,
        });
        id
    }

    /// Create a detached text node.
    pub fn create_text(&mut self, text: impl Into<String>, span: Span) -> NodeId {
        let id = self.create(Kind::Text, span);
        self.nodes[id.index()].text = text.into();
        id
    }

    /// Create an element as the last child of `parent`.
    pub fn push(&mut self, parent: NodeId, kind: Kind, span: Span) -> NodeId {
        let id = self.create(kind, span);
        self.append(parent, id);
        id
    }

    /// Create a text node as the last child of `parent`.
    pub fn push_text(&mut self, parent: NodeId, text: impl Into<String>, span: Span) -> NodeId {
        let id = self.create_text(text, span);
        self.append(parent, id);
        id
    }

    /// Make `child` (detaching it from any parent) the last child of `parent`.
    pub fn append(&mut self, parent: NodeId, child: NodeId) {
        self.detach(child);
        self.nodes[child.index()].parent = Some(parent);
        self.nodes[parent.index()].children.push(child);
    }

    /// Insert `child` (detaching it first) at `position` among `parent`'s children.
    pub fn insert(&mut self, parent: NodeId, position: usize, child: NodeId) {
        self.detach(child);
        self.nodes[child.index()].parent = Some(parent);
        let children = &mut self.nodes[parent.index()].children;
        let position = position.min(children.len());
        children.insert(position, child);
    }

    /// Remove `child` from its parent's children; the node stays in the
    /// arena and can be attached elsewhere.
    pub fn detach(&mut self, child: NodeId) {
        if let Some(parent) = self.nodes[child.index()].parent.take() {
            self.nodes[parent.index()].children.retain(|&c| c != child);
        }
    }

    /// Replace `old` in its parent by `new` (which is detached first).
    pub fn replace(&mut self, old: NodeId, new: NodeId) {
        let Some(parent) = self.parent(old) else {
            return;
        };
        let position = self.children(parent).iter().position(|&c| c == old);
        self.detach(old);
        if let Some(position) = position {
            self.insert(parent, position, new);
        }
    }

    /// `id` and all nodes below it, in document order (pre-order).
    pub fn descendants(&self, id: NodeId) -> Descendants<'_> {
        Descendants {
            doc: self,
            stack: vec![id],
        }
    }

    /// The concatenated text of every text node below `id`.
    pub fn text_content(&self, id: NodeId) -> String {
        let mut out = String::new();
        for node in self.descendants(id) {
            let node = self.get(node);
            if node.kind == Kind::Text {
                out.push_str(&node.text);
            }
        }
        out
    }

    /// The first node of `kind` at or below `id`, in document order.
    pub fn find(&self, id: NodeId, kind: Kind) -> Option<NodeId> {
        self.descendants(id).find(|&n| self.kind(n) == kind)
    }

    /// Depth of `id` below the root (the root is 0).
    pub fn depth(&self, id: NodeId) -> usize {
        let mut depth = 0;
        let mut current = id;
        while let Some(parent) = self.parent(current) {
            depth += 1;
            current = parent;
        }
        depth
    }
}

/// Pre-order iterator over a subtree; explicit stack, so deep trees cannot
/// overflow the call stack.
pub struct Descendants<'a> {
    doc: &'a Document,
    stack: Vec<NodeId>,
}

impl Iterator for Descendants<'_> {
    type Item = NodeId;

    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        self.stack
            .extend(self.doc.children(id).iter().rev().copied());
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_docutils_names() {
        for kind in [
            Kind::BulletList,
            Kind::PendingXref,
            Kind::Text,
            Kind::Deleted,
        ] {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_name("no_such_element"), None);
    }

    #[test]
    fn building_and_moving_nodes_keeps_parents_consistent() {
        let mut doc = Document::new(Span::new(0, 10));
        let root = doc.root();
        let para = doc.push(root, Kind::Paragraph, Span::new(0, 5));
        let text = doc.push_text(para, "hello", Span::new(0, 5));
        let quote = doc.push(root, Kind::BlockQuote, Span::new(6, 10));
        doc.append(quote, para);
        assert_eq!(doc.children(root), &[quote]);
        assert_eq!(doc.parent(para), Some(quote));
        assert_eq!(doc.text_content(root), "hello");
        assert_eq!(doc.depth(text), 3);
        let order: Vec<Kind> = doc.descendants(root).map(|n| doc.kind(n)).collect();
        assert_eq!(
            order,
            [
                Kind::Document,
                Kind::BlockQuote,
                Kind::Paragraph,
                Kind::Text
            ]
        );
    }

    #[test]
    fn list_attributes_accumulate() {
        let mut attrs = Attrs::default();
        attrs.push("classes", "a");
        attrs.push("classes", "b");
        attrs.set("refuri", "https://example.org");
        assert_eq!(attrs.list("classes"), ["a", "b"]);
        assert_eq!(attrs.str("refuri"), Some("https://example.org"));
        assert!(attrs.list("ids").is_empty());
    }

    #[test]
    fn replace_keeps_position() {
        let mut doc = Document::default();
        let root = doc.root();
        let a = doc.push(root, Kind::Paragraph, Span::default());
        let b = doc.push(root, Kind::Paragraph, Span::default());
        let c = doc.create(Kind::Transition, Span::default());
        doc.replace(a, c);
        assert_eq!(doc.children(root), &[c, b]);
        assert_eq!(doc.parent(a), None);
    }
}
