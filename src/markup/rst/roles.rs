//! Interpreted-text roles: `:name:`text`` → nodes.
//!
//! Called by the inline parser (`inline.rs`) for every piece of interpreted
//! text. Resolves the role name the way docutils does (custom roles from the
//! `role` directive first, then the English role names and their aliases,
//! the `default-role` for bare backquotes), and in the Sphinx profile also
//! Sphinx's roles, in the exact node shapes given in SPHINX.md. Role
//! functions receive the text still in "escaped" form (backslashes turned
//! into NUL markers) because some roles keep backslashes (`math`, `raw`,
//! `code`) and others drop them.

use super::ids::{fully_normalize_name, whitespace_normalize_name};
use super::inline::{make_problematic, restore_backslashes, unescape, ESC};
use super::state::{CustomRole, ParserState};
use crate::markup::doc::{Document, Kind, NodeId};
use crate::source::Span;

/// How deep custom roles may be based on other custom roles.
const MAX_ROLE_DEPTH: usize = 8;

/// What a role produced: nodes for the paragraph, messages for after it.
type RoleResult = (Vec<NodeId>, Vec<NodeId>);

/// docutils' English role names and aliases → canonical names.
fn canonical_role(name: &str) -> Option<&'static str> {
    Some(match name {
        "abbreviation" | "ab" => "abbreviation",
        "acronym" | "ac" => "acronym",
        "code" => "code",
        "emphasis" => "emphasis",
        "literal" => "literal",
        "math" => "math",
        "pep-reference" | "pep" => "pep-reference",
        "rfc-reference" | "rfc" => "rfc-reference",
        "strong" => "strong",
        "subscript" | "sub" => "subscript",
        "superscript" | "sup" => "superscript",
        "title-reference" | "title" | "t" => "title-reference",
        "named-reference" => "named-reference",
        "anonymous-reference" => "anonymous-reference",
        "footnote-reference" => "footnote-reference",
        "citation-reference" => "citation-reference",
        "substitution-reference" => "substitution-reference",
        "target" => "target",
        "uri-reference" | "uri" | "url" => "uri-reference",
        "raw" => "raw",
        _ => return None,
    })
}

/// Is `name` a role the parser knows (for the `role` directive's base check)?
pub fn role_exists(name: &str, state: &ParserState) -> bool {
    let name = name.to_lowercase();
    state.custom_roles.contains_key(&name)
        || canonical_role(&name).is_some()
        || (state.options.sphinx && is_sphinx_role(&name))
}

/// Options a role is applied with (from the `role` directive).
#[derive(Default, Clone)]
struct RoleOptions {
    classes: Vec<String>,
    language: Option<String>,
    format: Option<String>,
}

impl RoleOptions {
    fn from_custom(custom: &CustomRole) -> RoleOptions {
        let mut options = RoleOptions {
            classes: custom.classes.clone(),
            ..RoleOptions::default()
        };
        for (key, value) in &custom.options {
            match key.as_str() {
                "language" => options.language = Some(value.clone()),
                "format" => options.format = Some(value.clone()),
                _ => {}
            }
        }
        options
    }
}

/// Apply the role `role` (as written; empty = default role) to `escaped`.
pub(crate) fn interpreted(
    doc: &mut Document,
    state: &mut ParserState,
    role: &str,
    rawsource: &str,
    escaped: &[char],
    span: Span,
) -> RoleResult {
    let mut name = role.to_lowercase();
    if name.is_empty() {
        name = state
            .default_role
            .clone()
            .map(|r| r.to_lowercase())
            .unwrap_or_else(|| "title-reference".to_string());
    }
    let mut options = RoleOptions::default();
    let mut messages = Vec::new();
    // Follow custom roles down to a built-in base.
    let mut depth = 0;
    let mut generic = false;
    while let Some(custom) = state.custom_roles.get(&name).cloned() {
        let more = RoleOptions::from_custom(&custom);
        if options.classes.is_empty() {
            options.classes = more.classes;
        }
        options.language = options.language.or(more.language);
        options.format = options.format.or(more.format);
        depth += 1;
        if custom.base.is_empty() {
            generic = true;
            break;
        }
        name = custom.base.to_lowercase();
        if depth >= MAX_ROLE_DEPTH {
            break;
        }
    }
    if generic {
        let node = text_node(
            doc,
            Kind::Inline,
            &unescape(escaped),
            span,
            &options.classes,
        );
        return (vec![node], messages);
    }
    if state.options.sphinx {
        if let Some(result) = sphinx_role(doc, state, &name, escaped, span) {
            return result;
        }
    }
    let Some(canonical) = canonical_role(&name) else {
        let info = format!(
            "No role entry for \"{role}\" in module \"docutils.parsers.rst.languages.en\".\nTrying \"{role}\" as canonical role name."
        );
        messages.push(state.system_message(doc, 1, "rst/role-info", &info, span, None));
        let message = format!("Unknown interpreted text role \"{name}\".");
        let (problematic, msg) =
            make_problematic(doc, state, rawsource, 3, "rst/unknown-role", &message, span);
        messages.push(msg);
        return (vec![problematic], messages);
    };
    let simple = |kind: Kind| -> Option<Kind> { Some(kind) };
    let kind = match canonical {
        "abbreviation" => simple(Kind::Abbreviation),
        "acronym" => simple(Kind::Acronym),
        "emphasis" => simple(Kind::Emphasis),
        "literal" => simple(Kind::Literal),
        "strong" => simple(Kind::Strong),
        "subscript" => simple(Kind::Subscript),
        "superscript" => simple(Kind::Superscript),
        "title-reference" => simple(Kind::TitleReference),
        _ => None,
    };
    if let Some(kind) = kind {
        let node = text_node(doc, kind, &unescape(escaped), span, &options.classes);
        return (vec![node], messages);
    }
    let error =
        |doc: &mut Document, state: &mut ParserState, message: &str, mut messages: Vec<NodeId>| {
            let (problematic, msg) =
                make_problematic(doc, state, rawsource, 3, "rst/role-error", message, span);
            messages.push(msg);
            (vec![problematic], messages)
        };
    match canonical {
        "code" => {
            let mut classes = vec!["code".to_string()];
            classes.extend(options.classes.iter().cloned());
            if let Some(language) = options.language.as_deref().filter(|l| !l.is_empty()) {
                if !classes.iter().any(|c| c == language) {
                    classes.push(language.to_string());
                }
            }
            let code = restore_backslashes(escaped);
            let language = options.language.as_deref().unwrap_or_default();
            let node = text_node(doc, Kind::Literal, "", span, &classes);
            // docutils wraps Pygments tokens in <inline>; only where the
            // runs split matters for the tree's text, so mimic the split.
            for (run, token) in super::codetokens::chunks_marked(&code, language) {
                if token {
                    let inline = doc.push(node, Kind::Inline, span);
                    doc.push_text(inline, run, span);
                } else {
                    doc.push_text(node, run, span);
                }
            }
            (vec![node], messages)
        }
        "math" => {
            let node = text_node(doc, Kind::Math, &restore_backslashes(escaped), span, &options.classes);
            (vec![node], messages)
        }
        "pep-reference" => {
            let text = unescape(escaped);
            match text.parse::<u32>().ok().filter(|n| *n <= 9999) {
                Some(number) => {
                    let node = text_node(doc, Kind::Reference, &format!("PEP {}", text), span, &options.classes);
                    doc.attrs_mut(node)
                        .set("refuri", format!("https://peps.python.org/pep-{number:04}"));
                    (vec![node], messages)
                }
                None => {
                    let raw = restore_backslashes(escaped);
                    let message =
                        format!("PEP number must be a number from 0 to 9999; \"{raw}\" is invalid.");
                    error(doc, state, &message, messages)
                }
            }
        }
        "rfc-reference" => {
            let text = unescape(escaped);
            let (number, section) = match text.split_once('#') {
                Some((number, section)) => (number.to_string(), Some(section.to_string())),
                None => (text.clone(), None),
            };
            match number.parse::<u64>().ok().filter(|n| *n >= 1) {
                Some(number) => {
                    let mut uri = format!("https://tools.ietf.org/html/rfc{number}.html");
                    if let Some(section) = section {
                        uri.push('#');
                        uri.push_str(&section);
                    }
                    let node = text_node(doc, Kind::Reference, &format!("RFC {number}"), span, &options.classes);
                    doc.attrs_mut(node).set("refuri", uri);
                    (vec![node], messages)
                }
                None => {
                    let raw = restore_backslashes(escaped);
                    let message = format!(
                        "RFC number must be a number greater than or equal to 1; \"{raw}\" is invalid."
                    );
                    error(doc, state, &message, messages)
                }
            }
        }
        "raw" => match options.format.clone() {
            Some(format) => {
                let node = text_node(doc, Kind::Raw, &restore_backslashes(escaped), span, &options.classes);
                doc.attrs_mut(node).set("format", format);
                doc.attrs_mut(node).set("xml:space", "preserve");
                (vec![node], messages)
            }
            None => error(
                doc,
                state,
                "No format (Writer name) is associated with this role: \"raw\".\nThe \"raw\" role cannot be used directly.\nInstead, use the \"role\" directive to create a new role with an associated format.",
                messages,
            ),
        },
        other => {
            let message = format!("Interpreted text role \"{other}\" not implemented.");
            error(doc, state, &message, messages)
        }
    }
}

/// An element with one text child and the given classes.
fn text_node(doc: &mut Document, kind: Kind, text: &str, span: Span, classes: &[String]) -> NodeId {
    let node = doc.create(kind, span);
    for class in classes {
        doc.attrs_mut(node).push("classes", class.clone());
    }
    if !text.is_empty() {
        doc.push_text(node, text, span);
    }
    node
}

// ---------------------------------------------------------------------------
// Sphinx's `extlinks` (configured per repository).

/// One `extlinks` entry: ``:NAME:`part` `` links to `url` with `%s`
/// replaced by `part`; the caption (`%s` replaced too) is the link text,
/// or the URL itself when there is no caption.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extlink {
    pub name: String,
    pub url: String,
    pub caption: Option<String>,
}

impl Extlink {
    /// Parse the `NAME=URL|CAPTION` form used by the comparison tooling.
    pub fn parse(spec: &str) -> Option<Extlink> {
        let (name, rest) = spec.split_once('=')?;
        let (url, caption) = match rest.split_once('|') {
            Some((url, caption)) => (url, Some(caption.to_string())),
            None => (rest, None),
        };
        (!name.is_empty()).then(|| Extlink {
            name: name.trim().to_string(),
            url: url.to_string(),
            caption,
        })
    }
}

/// Apply the extlink role `link` to `escaped` (`Title <part>` gives an
/// explicit title).
pub fn extlink_node(doc: &mut Document, link: &Extlink, escaped: &[char], span: Span) -> NodeId {
    let (title, part) = match split_explicit_title(escaped) {
        Some((title, target)) => (Some(unescape(&title)), unescape(&target)),
        None => (None, unescape(escaped)),
    };
    let url = link.url.replace("%s", &part);
    let text = match (title, &link.caption) {
        (Some(title), _) => title,
        (None, Some(caption)) => caption.replace("%s", &part),
        (None, None) => url.clone(),
    };
    let node = text_node(
        doc,
        Kind::Reference,
        &text,
        span,
        std::slice::from_ref(&link.name),
    );
    doc.attrs_mut(node).set("refuri", url);
    node
}

// ---------------------------------------------------------------------------
// Sphinx roles (SPHINX.md).

const STD_XREF: &[&str] = &[
    "doc", "ref", "term", "option", "envvar", "keyword", "token", "numref",
];
const PY_XREF: &[&str] = &[
    "mod", "func", "data", "const", "class", "meth", "attr", "exc", "obj", "type",
];
const C_XREF: &[&str] = &[
    "func",
    "member",
    "macro",
    "data",
    "var",
    "type",
    "struct",
    "union",
    "enum",
    "enumerator",
    "expr",
    "texpr",
];
const CPP_XREF: &[&str] = &[
    "any",
    "class",
    "struct",
    "union",
    "func",
    "member",
    "var",
    "type",
    "concept",
    "enum",
    "enumerator",
    "expr",
    "texpr",
];
const JS_XREF: &[&str] = &["func", "meth", "class", "data", "attr", "mod"];
const OTHER_SPHINX: &[&str] = &[
    "command",
    "program",
    "makevar",
    "mailheader",
    "mimetype",
    "newsgroup",
    "dfn",
    "regexp",
    "file",
    "samp",
    "kbd",
    "guilabel",
    "menuselection",
    "abbr",
    "any",
    "download",
];

fn is_sphinx_role(name: &str) -> bool {
    xref_kind(name).is_some() || OTHER_SPHINX.contains(&name)
}

/// (domain, type) of a cross-reference role, external prefixes stripped.
fn xref_kind(name: &str) -> Option<(&'static str, String)> {
    if let Some((domain, role)) = name.split_once(':') {
        let table: (&'static str, &[&str]) = match domain {
            "std" => ("std", STD_XREF),
            "py" => ("py", PY_XREF),
            "c" => ("c", C_XREF),
            "cpp" => ("cpp", CPP_XREF),
            "js" => ("js", JS_XREF),
            "rst" => ("rst", &["dir", "role"]),
            _ => return None,
        };
        return table.1.contains(&role).then(|| (table.0, role.to_string()));
    }
    if STD_XREF.contains(&name) {
        return Some(("std", name.to_string()));
    }
    if PY_XREF.contains(&name) {
        return Some(("py", name.to_string()));
    }
    if name == "any" {
        return Some(("", name.to_string()));
    }
    None
}

/// Sphinx's `split_explicit_title` on escaped text: `title <target>`.
fn split_explicit_title(escaped: &[char]) -> Option<(Vec<char>, Vec<char>)> {
    if escaped.last() != Some(&'>') {
        return None;
    }
    // The first '<' (not escaped) after a non-empty title.
    let mut i = 1;
    while i + 1 < escaped.len() {
        if escaped.get(i) == Some(&'<') && escaped.get(i - 1) != Some(&ESC) {
            let target = escaped.get(i + 1..escaped.len() - 1)?.to_vec();
            let mut title_end = i;
            while title_end > 0
                && escaped
                    .get(title_end - 1)
                    .is_some_and(|c| c.is_whitespace())
            {
                title_end -= 1;
            }
            if title_end == 0 {
                return None;
            }
            return Some((escaped.get(..title_end)?.to_vec(), target));
        }
        i += 1;
    }
    None
}

fn sphinx_role(
    doc: &mut Document,
    state: &mut ParserState,
    name: &str,
    escaped: &[char],
    span: Span,
) -> Option<RoleResult> {
    let (name, inventory) = if let Some(rest) = name.strip_prefix("external+") {
        let (inventory, role) = rest.split_once(':')?;
        (role.to_string(), Some(inventory.to_string()))
    } else if let Some(role) = name.strip_prefix("external:") {
        (role.to_string(), None)
    } else {
        (name.to_string(), None)
    };
    let name = name.as_str();
    if let Some((domain, reftype)) = xref_kind(name) {
        return Some((
            vec![xref(doc, domain, &reftype, escaped, span, inventory)],
            Vec::new(),
        ));
    }
    if name == "download" {
        return Some((
            vec![xref(doc, "", "download", escaped, span, None)],
            Vec::new(),
        ));
    }
    let text = unescape(escaped);
    let node = match name {
        "command" | "program" | "makevar" => {
            text_node(doc, Kind::LiteralStrong, &text, span, &[name.to_string()])
        }
        "mailheader" | "mimetype" | "newsgroup" => {
            text_node(doc, Kind::LiteralEmphasis, &text, span, &[name.to_string()])
        }
        "dfn" => text_node(doc, Kind::Emphasis, &text, span, &["dfn".to_string()]),
        "regexp" => text_node(doc, Kind::Literal, &text, span, &["regexp".to_string()]),
        "file" | "samp" => emphasized_literal(doc, name, escaped, span),
        "kbd" => return Some((kbd(doc, &text, span), Vec::new())),
        "guilabel" | "menuselection" => {
            let text = if name == "menuselection" {
                text.replace("-->", "\u{2023}")
            } else {
                text
            };
            accelerated(doc, name, &text, span)
        }
        "abbr" => {
            let node = doc.create(Kind::Abbreviation, span);
            match text.strip_suffix(')').and_then(|t| t.split_once(" (")) {
                Some((abbr, explanation)) => {
                    doc.attrs_mut(node)
                        .set("explanation", explanation.trim().to_string());
                    doc.push_text(node, abbr.trim().to_string(), span);
                }
                None => {
                    doc.push_text(node, text, span);
                }
            }
            node
        }
        _ => return None,
    };
    let _ = state;
    Some((vec![node], Vec::new()))
}

fn xref(
    doc: &mut Document,
    domain: &str,
    reftype: &str,
    escaped: &[char],
    span: Span,
    inventory: Option<String>,
) -> NodeId {
    let python_like = matches!(domain, "py" | "c" | "cpp" | "js");
    let inner_kind = if matches!(reftype, "doc" | "ref" | "term") && domain == "std" {
        Kind::Inline
    } else {
        Kind::Literal
    };
    let classes: Vec<String> = if domain.is_empty() {
        vec!["xref".into(), reftype.into()]
    } else {
        vec!["xref".into(), domain.into(), format!("{domain}-{reftype}")]
    };
    let mut chars: &[char] = escaped;
    let no_link = chars.first() == Some(&'!');
    if no_link {
        chars = chars.get(1..).unwrap_or(&[]);
    }
    let (explicit, mut title, mut target) = match split_explicit_title(chars) {
        Some((title, target)) => (true, unescape(&title), unescape(&target)),
        None => (false, unescape(chars), unescape(chars)),
    };
    let mut refspecific = false;
    if python_like {
        if !explicit {
            title = title.trim_start_matches('.').to_string();
            target = target.trim_start_matches('~').to_string();
            if let Some(rest) = title.strip_prefix('~') {
                title = rest.rsplit('.').next().unwrap_or(rest).to_string();
            }
        }
        if let Some(rest) = target.strip_prefix('.') {
            target = rest.to_string();
            refspecific = true;
        }
        if matches!(reftype, "func" | "meth") {
            if !explicit && !title.ends_with("()") {
                title.push_str("()");
            }
            if let Some(stripped) = target.strip_suffix("()") {
                target = stripped.to_string();
            }
        }
    } else {
        target = match reftype {
            "ref" | "term" | "numref" => fully_normalize_name(&target),
            _ => whitespace_normalize_name(&target),
        };
        if reftype == "doc" {
            target = whitespace_normalize_name(&target);
        }
    }
    let inner = text_node(doc, inner_kind, &title, span, &classes);
    if no_link {
        return inner;
    }
    let kind = if reftype == "download" {
        Kind::DownloadReference
    } else {
        Kind::PendingXref
    };
    let node = doc.create(kind, span);
    let attrs = doc.attrs_mut(node);
    if let Some(inventory) = inventory {
        attrs.set("inventory", inventory);
    }
    attrs.set("refdomain", domain);
    attrs.set("refexplicit", explicit);
    if refspecific {
        attrs.set("refspecific", true);
    }
    attrs.set("reftarget", target);
    attrs.set("reftype", reftype);
    doc.append(node, inner);
    node
}

/// `:file:` / `:samp:`: `{var}` parts become emphasis.
fn emphasized_literal(doc: &mut Document, role: &str, escaped: &[char], span: Span) -> NodeId {
    let node = doc.create(Kind::Literal, span);
    doc.attrs_mut(node).push("classes", role);
    doc.attrs_mut(node).set("role", role);
    let mut text = String::new();
    let mut i = 0;
    let flush = |doc: &mut Document, text: &mut String| {
        if !text.is_empty() {
            doc.push_text(node, std::mem::take(text), span);
        }
    };
    while let Some(&c) = escaped.get(i) {
        if c == ESC {
            if let Some(&next) = escaped.get(i + 1) {
                text.push(next);
            }
            i += 2;
            continue;
        }
        if c == '{' {
            let close =
                (i + 1..escaped.len()).find(|&j| matches!(escaped.get(j), Some('}') | Some('{')));
            if let Some(j) = close.filter(|&j| escaped.get(j) == Some(&'}') && j > i + 1) {
                flush(doc, &mut text);
                let inner = unescape(escaped.get(i + 1..j).unwrap_or(&[]));
                let emphasis = doc.push(node, Kind::Emphasis, span);
                doc.push_text(emphasis, inner, span);
                i = j + 1;
                continue;
            }
        }
        text.push(c);
        i += 1;
    }
    flush(doc, &mut text);
    node
}

const COMPOUND_KEYS: &[&str] = &[
    "Back Space",
    "Caps Lock",
    "Num Lock",
    "Page Down",
    "Page Up",
    "Scroll Lock",
    "Sys Rq",
];

/// `:kbd:`: one literal per key, separators as text between them.
fn kbd(doc: &mut Document, text: &str, span: Span) -> Vec<NodeId> {
    let key = |doc: &mut Document, key: &str| {
        text_node(doc, Kind::Literal, key, span, &["kbd".to_string()])
    };
    let chars: Vec<char> = text.chars().collect();
    // Split on separators that sit between two non-separator characters.
    let mut parts: Vec<(String, bool)> = Vec::new(); // (text, is_separator)
    let mut current = String::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let is_sep_char = matches!(c, '-' | '+' | '^') || c.is_whitespace();
        if is_sep_char && !current.is_empty() {
            let mut j = i;
            while chars
                .get(j)
                .is_some_and(|&d| matches!(d, '-' | '+' | '^') || d.is_whitespace())
            {
                j += 1;
            }
            if j < chars.len() {
                let separator: String = chars.get(i..j).unwrap_or(&[]).iter().collect();
                parts.push((std::mem::take(&mut current), false));
                parts.push((separator, true));
                i = j;
                continue;
            }
        }
        current.push(c);
        i += 1;
    }
    if !current.is_empty() {
        parts.push((current, false));
    }
    // Re-join compound key names split at their space.
    let mut merged: Vec<(String, bool)> = Vec::new();
    let mut index = 0;
    while index < parts.len() {
        if let (Some((a, false)), Some((sep, true)), Some((b, false))) =
            (parts.get(index), parts.get(index + 1), parts.get(index + 2))
        {
            let joined = format!("{a}{sep}{b}");
            if COMPOUND_KEYS.contains(&joined.as_str()) {
                merged.push((joined, false));
                index += 3;
                continue;
            }
        }
        if let Some(part) = parts.get(index) {
            merged.push(part.clone());
        }
        index += 1;
    }
    if merged.len() <= 1 {
        return vec![key(doc, text)];
    }
    merged
        .into_iter()
        .map(|(part, separator)| {
            if separator {
                doc.create_text(part, span)
            } else {
                key(doc, &part)
            }
        })
        .collect()
}

/// `:guilabel:` / `:menuselection:`: `&x` marks an accelerator, `&&` is `&`.
fn accelerated(doc: &mut Document, role: &str, text: &str, span: Span) -> NodeId {
    let node = doc.create(Kind::Inline, span);
    doc.attrs_mut(node).push("classes", role);
    let mut buffer = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '&' {
            match chars.peek().copied() {
                Some('&') => {
                    chars.next();
                    buffer.push('&');
                }
                Some(next) if !next.is_whitespace() => {
                    chars.next();
                    if !buffer.is_empty() {
                        doc.push_text(node, std::mem::take(&mut buffer), span);
                    }
                    let accelerator = doc.push(node, Kind::Inline, span);
                    doc.attrs_mut(accelerator).push("classes", "accelerator");
                    doc.push_text(accelerator, next.to_string(), span);
                }
                _ => buffer.push('&'),
            }
        } else {
            buffer.push(c);
        }
    }
    if !buffer.is_empty() {
        doc.push_text(node, buffer, span);
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::rst::inline::escape_to_null;

    fn texts(doc: &Document, nodes: &[NodeId]) -> Vec<String> {
        nodes.iter().map(|&n| doc.text_content(n)).collect()
    }

    #[test]
    fn extlinks_fill_in_url_and_caption() {
        let link = Extlink::parse("pypi=https://pypi.org/project/%s/|%s").expect("valid spec");
        let mut doc = Document::default();
        let node = extlink_node(
            &mut doc,
            &link,
            &escape_to_null("requests"),
            Span::default(),
        );
        assert_eq!(
            doc.attrs(node).str("refuri"),
            Some("https://pypi.org/project/requests/")
        );
        assert_eq!(doc.text_content(node), "requests");
        let titled = extlink_node(
            &mut doc,
            &link,
            &escape_to_null("Requests <requests>"),
            Span::default(),
        );
        assert_eq!(doc.text_content(titled), "Requests");
        assert_eq!(Extlink::parse("no-equals-sign"), None);
    }

    #[test]
    fn kbd_splits_keys_but_keeps_compound_key_names() {
        let mut doc = Document::default();
        let nodes = kbd(&mut doc, "Control-x Caps Lock", Span::default());
        assert_eq!(texts(&doc, &nodes), ["Control", "-", "x", " ", "Caps Lock"]);
        let single = kbd(&mut doc, "-", Span::default());
        assert_eq!(texts(&doc, &single), ["-"]);
    }

    #[test]
    fn explicit_titles_need_an_unescaped_angle_bracket() {
        let (title, target) =
            split_explicit_title(&escape_to_null("Guide <user/guide>")).expect("title");
        assert_eq!(unescape(&title), "Guide");
        assert_eq!(unescape(&target), "user/guide");
        assert!(split_explicit_title(&escape_to_null(r"a \<b>")).is_none());
        assert!(split_explicit_title(&escape_to_null("<only>")).is_none());
    }
}
