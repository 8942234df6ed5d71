//! Explicit markup blocks (`.. ` and `__ `): footnotes, citations, hyperlink
//! targets, substitution definitions, comments and directives.
//!
//! Mirrors docutils' `Body.explicit_construct`: the constructs are tried in
//! docutils' order, a construct that turns out malformed becomes a comment
//! plus a warning, and a run of explicit blocks not followed by a blank line
//! gets docutils' "unexpected unindent" warning.

use super::block::{classify, get_indented, join_lines, trim_trailing_blank, Parser, Pattern};
use super::ids::{fully_normalize_name, whitespace_normalize_name};
use super::lines::{span_of, Line};
use crate::markup::doc::{Kind, NodeId, Value};
use crate::source::Span;

/// docutils' `simplename`: returns the byte length matched at the start.
pub fn simplename_len(s: &str) -> usize {
    let mut end = 0;
    let mut chars = s.char_indices().peekable();
    let is_word = |c: char| c.is_alphanumeric() && c != '_';
    // first run
    let mut seen = false;
    while let Some(&(i, c)) = chars.peek() {
        if is_word(c) {
            seen = true;
            end = i + c.len_utf8();
            chars.next();
        } else {
            break;
        }
    }
    if !seen {
        return 0;
    }
    while let Some(&(_, sep)) = chars.peek() {
        if !matches!(sep, '-' | '.' | '_' | '+' | ':') {
            break;
        }
        let mut lookahead = chars.clone();
        lookahead.next();
        match lookahead.peek() {
            Some(&(_, c)) if is_word(c) => {}
            _ => break,
        }
        chars.next();
        while let Some(&(i, c)) = chars.peek() {
            if is_word(c) {
                end = i + c.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
    }
    end
}

/// docutils `escape2null`: `\x` becomes NUL + `x` (same length).
pub fn escape2null(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push('\0');
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// docutils `unescape` (backslashes not restored, whitespace not respected).
pub fn unescape(text: &str) -> String {
    text.replace("\0 ", "")
        .replace("\0\n", "")
        .replace('\0', "")
}

fn is_email(uri: &str) -> bool {
    let Some((local, domain)) = uri.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(':')
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
        && !domain.starts_with('.')
}

/// The hyperlink target pattern; returns (name or None for anonymous, byte end).
fn match_target(escaped: &str) -> Option<(Option<String>, usize)> {
    let chars: Vec<(usize, char)> = escaped.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|&(_, c)| c);
    let byte = |k: usize| chars.get(k).map_or(escaped.len(), |&(i, _)| i);
    let tail = |mut p: usize| -> Option<usize> {
        if at(p) == Some(' ') {
            p += 1;
        }
        if at(p) != Some(':') {
            return None;
        }
        p += 1;
        match at(p) {
            None => Some(byte(p)),
            Some(' ') => {
                while at(p) == Some(' ') {
                    p += 1;
                }
                Some(byte(p))
            }
            _ => None,
        }
    };
    if at(0) == Some('_') {
        return tail(1).map(|end| (None, end));
    }
    let quote = at(0) == Some('`');
    let name_start = usize::from(quote);
    match at(name_start) {
        None | Some(' ') | Some('`') => return None,
        _ => {}
    }
    for k in name_start + 1..=chars.len() {
        let last = at(k - 1)?;
        if last.is_whitespace() || last == '\0' {
            continue;
        }
        let mut p = k;
        if quote {
            if at(p) != Some('`') {
                continue;
            }
            p += 1;
        } else if last == ':' && !(k >= 2 && at(k - 2) == Some('\0')) {
            continue;
        }
        if let Some(end) = tail(p) {
            let name = escaped
                .get(byte(name_start)..byte(k))
                .unwrap_or("")
                .to_string();
            return Some((Some(name), end));
        }
    }
    None
}

/// docutils `is_reference`: `name_` or `` `phrase`_ `` → the name.
fn is_reference(reference: &str) -> Option<String> {
    let normalised = whitespace_normalize_name(reference);
    let body = normalised.strip_suffix('_')?;
    if let Some(phrase) = body.strip_prefix('`').and_then(|b| b.strip_suffix('`')) {
        if phrase.is_empty() || phrase.starts_with(' ') {
            return None;
        }
        let last = phrase.chars().last()?;
        if last.is_whitespace() || last == '\0' {
            return None;
        }
        return Some(unescape(phrase));
    }
    if simplename_len(body) == body.len() && !body.is_empty() {
        return Some(unescape(body));
    }
    None
}

impl Parser<'_> {
    /// One explicit construct at line `i` plus docutils' end-of-run check.
    pub fn explicit_list(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        match_titles: bool,
    ) -> usize {
        let (blank_finish, end) = self.explicit_construct(lines, i, parent, match_titles);
        let end = end.max(i + 1);
        if !blank_finish {
            if let Some(next) = lines.get(end) {
                if !matches!(classify(next.text), Pattern::Explicit | Pattern::Anonymous) {
                    let span = Span::at(next.offset);
                    self.append_msg(
                        parent,
                        2,
                        "rst/unexpected-unindent",
                        "Explicit markup ends without a blank line; unexpected unindent.",
                        span,
                        None,
                    );
                }
            }
        }
        end
    }

    fn explicit_construct(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        match_titles: bool,
    ) -> (bool, usize) {
        let line = lines[i];
        let t = line.text;
        if let Some(rest) = t.strip_prefix("__") {
            let _ = rest;
            let end = 2 + t[2..].bytes().take_while(|&b| b == b' ').count();
            return self.anonymous_target(lines, i, parent, end);
        }
        let after_dots = 2 + t[2..].bytes().take_while(|&b| b == b' ').count();
        let rest = &t[after_dots..];
        let mut errors = Vec::new();
        if after_dots > 2 {
            // footnote / citation
            if let Some(label_part) = rest.strip_prefix('[') {
                if let Some(close) = label_part.find(']') {
                    let label = &label_part[..close];
                    let after = after_dots + 1 + close + 1;
                    let spaced = super::block::is_spaces_or_end(t, after);
                    let is_footnote = !label.is_empty()
                        && (label.bytes().all(|b| b.is_ascii_digit())
                            || label == "#"
                            || label == "*"
                            || (label.starts_with('#')
                                && simplename_len(&label[1..]) == label.len() - 1));
                    if let Some(end) = spaced {
                        if is_footnote {
                            return self.footnote(lines, i, parent, label, end);
                        }
                        if simplename_len(label) == label.len() && !label.is_empty() {
                            return self.citation(lines, i, parent, label, end);
                        }
                    }
                }
            }
            if rest.starts_with('_') && rest.len() > 1 && !rest[1..].starts_with(' ') {
                match self.hyperlink_target(lines, i, parent, after_dots + 1) {
                    Ok(result) => return result,
                    Err(message) => {
                        let span = line.span();
                        errors.push(self.msg(2, "rst/malformed-target", &message, span, None));
                    }
                }
            } else if rest.starts_with('|') && rest.len() > 1 && !rest[1..].starts_with(' ') {
                match self.substitution_def(lines, i, parent, after_dots + 1) {
                    Ok(result) => return result,
                    Err(message) => {
                        let span = line.span();
                        errors.push(self.msg(
                            2,
                            "rst/malformed-substitution",
                            &message,
                            span,
                            None,
                        ));
                    }
                }
            } else {
                let name_len = simplename_len(rest);
                if name_len > 0 {
                    let after_name = &rest[name_len..];
                    let after_name_trim = after_name.strip_prefix(' ').unwrap_or(after_name);
                    if let Some(after_colons) = after_name_trim.strip_prefix("::") {
                        let end_in_t = t.len() - after_colons.len();
                        if let Some(end) = super::block::is_spaces_or_end(t, end_in_t) {
                            let name = &rest[..name_len];
                            let (nodes, blank_finish, next) =
                                self.directive(lines, i, parent, name, end, match_titles, None);
                            self.append_all(parent, nodes);
                            return (blank_finish, next);
                        }
                    }
                }
            }
        }
        let (blank_finish, next) = self.comment(lines, i, parent, after_dots);
        self.append_all(parent, errors);
        (blank_finish, next)
    }

    fn comment(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        end: usize,
    ) -> (bool, usize) {
        let line = lines[i];
        let next_blank = lines.get(i + 1).is_none_or(|l| l.is_blank());
        if next_blank && line.text.get(end..).is_none_or(|r| r.trim().is_empty()) {
            let node = self.doc.push(parent, Kind::Comment, line.span());
            self.doc.attrs_mut(node).set("xml:space", "preserve");
            return (true, i + 1);
        }
        let mut indented = get_indented(lines, i, false, true, None, Some(end), true);
        trim_trailing_blank(&mut indented.lines);
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let node = self.doc.push(parent, Kind::Comment, span);
        self.doc.attrs_mut(node).set("xml:space", "preserve");
        let text = join_lines(&indented.lines);
        if !text.is_empty() {
            self.doc.push_text(node, text, span);
        }
        (indented.blank_finish, indented.end.max(i + 1))
    }

    fn footnote(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        label: &str,
        end: usize,
    ) -> (bool, usize) {
        let line = lines[i];
        let indented = get_indented(lines, i, false, true, None, Some(end), true);
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let footnote = self.doc.push(parent, Kind::Footnote, span);
        let name = fully_normalize_name(label);
        let mut named = true;
        if let Some(auto_label) = name.strip_prefix('#') {
            self.doc.attrs_mut(footnote).set("auto", Value::Int(1));
            if auto_label.is_empty() {
                named = false;
            } else {
                self.doc.attrs_mut(footnote).push("names", auto_label);
            }
        } else if name == "*" {
            self.doc.attrs_mut(footnote).set("auto", "*");
            named = false;
        } else {
            let label_node = self.doc.push(footnote, Kind::Label, line.span());
            self.doc.push_text(label_node, label, line.span());
            self.doc.attrs_mut(footnote).push("names", name.as_str());
        }
        if named {
            self.state
                .note_explicit_target(self.doc, footnote, Some(footnote));
        } else {
            self.state.set_id(self.doc, footnote, Some(footnote), "");
        }
        self.parse_body(&indented.lines, footnote, false);
        (indented.blank_finish, indented.end.max(i + 1))
    }

    fn citation(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        label: &str,
        end: usize,
    ) -> (bool, usize) {
        let line = lines[i];
        let indented = get_indented(lines, i, false, true, None, Some(end), true);
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let citation = self.doc.push(parent, Kind::Citation, span);
        let label_node = self.doc.push(citation, Kind::Label, line.span());
        self.doc.push_text(label_node, label, line.span());
        self.doc
            .attrs_mut(citation)
            .push("names", fully_normalize_name(label));
        self.state
            .note_explicit_target(self.doc, citation, Some(citation));
        if indented.lines.is_empty() {
            self.append_msg(
                citation,
                2,
                "rst/citation-empty",
                "Citation content expected.",
                line.span(),
                None,
            );
        }
        self.parse_body(&indented.lines, citation, false);
        (indented.blank_finish, indented.end.max(i + 1))
    }

    fn hyperlink_target(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        end: usize,
    ) -> Result<(bool, usize), String> {
        let line = lines[i];
        let indented = get_indented(lines, i, true, false, None, Some(end), true);
        let block: Vec<String> = indented.lines.iter().map(|l| escape2null(l.text)).collect();
        let mut escaped = block.first().cloned().unwrap_or_default();
        let mut index = 0;
        let (name, match_end) = loop {
            if let Some(found) = match_target(&escaped) {
                break found;
            }
            index += 1;
            match block.get(index) {
                Some(more) => escaped.push_str(more),
                None => return Err("malformed hyperlink target.".to_string()),
            }
        };
        let mut rest: Vec<String> = block[index..].to_vec();
        if let Some(first) = rest.first_mut() {
            let from_end = escaped.len() - match_end;
            let cut = first.len().saturating_sub(from_end);
            *first = first.get(cut..).unwrap_or("").trim().to_string();
        }
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let target = self.make_target(&rest, name.as_deref(), span, parent);
        self.doc.append(parent, target);
        Ok((indented.blank_finish, indented.end.max(i + 1)))
    }

    fn anonymous_target(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        end: usize,
    ) -> (bool, usize) {
        let line = lines[i];
        let indented = get_indented(lines, i, true, true, None, Some(end), true);
        let block: Vec<String> = indented.lines.iter().map(|l| escape2null(l.text)).collect();
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let target = self.make_target(&block, Some(""), span, parent);
        self.doc.append(parent, target);
        (indented.blank_finish, indented.end.max(i + 1))
    }

    /// docutils `make_target` + `add_target`. `name` is `None` or `Some("")` for anonymous.
    fn make_target(
        &mut self,
        block: &[String],
        name: Option<&str>,
        span: Span,
        parent: NodeId,
    ) -> NodeId {
        let target = self.doc.create(Kind::Target, span);
        let last_is_ref = block.last().is_some_and(|l| l.trim().ends_with('_'));
        let mut refname = None;
        if last_is_ref {
            let reference: Vec<&str> = block.iter().map(|l| l.trim()).collect();
            refname = is_reference(&reference.join(" "));
        }
        let name = name.filter(|n| !n.is_empty());
        if let Some(refname) = refname {
            self.doc
                .attrs_mut(target)
                .set("refname", fully_normalize_name(&refname));
            self.add_target(target, name, "", parent);
            return target;
        }
        let joined = block.join(" ");
        let mut parts = Vec::new();
        for piece in joined.split("\0 ") {
            for part in piece.split("\0\n") {
                parts.push(unescape(part).split_whitespace().collect::<String>());
            }
        }
        let uri = parts.join(" ");
        self.add_target(target, name, &uri, parent);
        target
    }

    fn add_target(&mut self, target: NodeId, name: Option<&str>, refuri: &str, parent: NodeId) {
        match name {
            Some(name) => {
                let name = fully_normalize_name(&unescape(name));
                self.doc.attrs_mut(target).push("names", name);
                if !refuri.is_empty() {
                    let uri = if is_email(refuri) {
                        format!("mailto:{refuri}")
                    } else {
                        refuri.to_string()
                    };
                    self.doc.attrs_mut(target).set("refuri", uri);
                }
                self.state
                    .note_explicit_target(self.doc, target, Some(parent));
            }
            None => {
                if !refuri.is_empty() {
                    self.doc.attrs_mut(target).set("refuri", refuri);
                }
                self.doc.attrs_mut(target).set("anonymous", Value::Int(1));
                self.state.set_id(self.doc, target, None, "");
            }
        }
    }

    fn substitution_def(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        parent: NodeId,
        end: usize,
    ) -> Result<(bool, usize), String> {
        let line = lines[i];
        let indented = get_indented(lines, i, false, false, None, Some(end), true);
        let block_text = {
            let mut t = line.text.get(..end).unwrap_or("").to_string();
            t.push_str(&join_lines(&indented.lines));
            t
        };
        let span = Span::new(
            line.offset,
            span_of(&indented.lines, line.offset)
                .end
                .max(line.offset + line.text.len()),
        );
        let mut block: Vec<Line<'_>> = indented.lines.clone();
        let mut escaped = escape2null(block.first().map_or("", |l| l.text.trim_end()));
        let mut index = 0;
        let (name, match_end) = loop {
            if let Some(found) = match_substitution(&escaped) {
                break found;
            }
            index += 1;
            match block.get(index) {
                Some(more) => {
                    escaped.push(' ');
                    escaped.push_str(&escape2null(more.text.trim()));
                }
                None => return Err("malformed substitution definition.".to_string()),
            }
        };
        block.drain(..index);
        if let Some(first) = block.first_mut() {
            let stripped = first.strip_cols(usize::MAX);
            let trimmed_text = stripped.text.trim_end();
            let from_end = escaped.len() - match_end;
            let cut = trimmed_text.len().saturating_sub(from_end);
            let cut = (cut..=trimmed_text.len())
                .find(|&c| trimmed_text.is_char_boundary(c))
                .unwrap_or(trimmed_text.len());
            *first = Line::new(&trimmed_text[cut..], stripped.offset + cut);
            if first.text.is_empty() {
                block.remove(0);
            }
        }
        trim_trailing_blank(&mut block);
        let blank_finish = indented.blank_finish;
        let next = indented.end.max(i + 1);
        if block.is_empty() {
            let text = format!("Substitution definition \"{name}\" missing contents.");
            self.append_msg(
                parent,
                2,
                "rst/substitution-empty",
                &text,
                span,
                Some(&block_text),
            );
            return Ok((blank_finish, next));
        }
        if let Some(first) = block.first_mut() {
            *first = first.strip_cols(usize::MAX);
        }
        let subdef = self.doc.create(Kind::SubstitutionDefinition, span);
        self.doc
            .attrs_mut(subdef)
            .push("names", whitespace_normalize_name(&name));
        // Only an embedded directive gives content.
        let first = block[0];
        let name_len = simplename_len(first.text);
        let mut found_directive = false;
        if name_len > 0 {
            let after = &first.text[name_len..];
            let after = after.strip_prefix(' ').unwrap_or(after);
            if let Some(after_colons) = after.strip_prefix("::") {
                let end_in_t = first.text.len() - after_colons.len();
                if let Some(marker_end) = super::block::is_spaces_or_end(first.text, end_in_t) {
                    found_directive = true;
                    let directive_name = first.text[..name_len].to_string();
                    let (nodes, _, _) = self.directive(
                        &block,
                        0,
                        subdef,
                        &directive_name,
                        marker_end,
                        false,
                        Some(&name),
                    );
                    self.append_all(subdef, nodes);
                }
            }
        }
        let _ = found_directive;
        // Move non-inline children out, as docutils does.
        let children: Vec<NodeId> = self.doc.children(subdef).to_vec();
        for child in children {
            if !is_inline_kind(self.doc.kind(child)) {
                self.doc.append(parent, child);
            }
        }
        let illegal = self.doc.descendants(subdef).skip(1).find(|&n| {
            let attrs = self.doc.attrs(n);
            self.doc.kind(n) != Kind::Text
                && (!attrs.list("ids").is_empty()
                    || (self.doc.kind(n) == Kind::Reference && attrs.get("anonymous").is_some())
                    || (self.doc.kind(n) == Kind::FootnoteReference && attrs.get("auto").is_some()))
        });
        if let Some(node) = illegal {
            let text = format!(
                "Substitution definition contains illegal element <{}>:",
                self.doc.kind(node).name()
            );
            self.append_msg(
                parent,
                3,
                "rst/substitution-illegal",
                &text,
                span,
                Some(&block_text),
            );
            return Ok((blank_finish, next));
        }
        if self.doc.children(subdef).is_empty() {
            let text = format!("Substitution definition \"{name}\" empty or invalid.");
            self.append_msg(
                parent,
                2,
                "rst/substitution-empty",
                &text,
                span,
                Some(&block_text),
            );
            return Ok((blank_finish, next));
        }
        let normalised = whitespace_normalize_name(&name);
        if let Some(&old) = self.state.substitution_defs.get(&normalised) {
            let text = format!("Duplicate substitution definition name: \"{normalised}\".");
            self.append_msg(parent, 3, "rst/duplicate-substitution", &text, span, None);
            super::state::dupname(self.doc, old, &normalised);
        }
        self.state
            .substitution_defs
            .insert(normalised.clone(), subdef);
        self.state
            .substitution_names
            .insert(fully_normalize_name(&normalised), normalised);
        self.doc.append(parent, subdef);
        Ok((blank_finish, next))
    }
}

/// `(?![ ])(?P<name>.+?)(?<![\s\x00])\|([ ]+|$)`: (name, byte end).
fn match_substitution(escaped: &str) -> Option<(String, usize)> {
    if escaped.starts_with(' ') || escaped.is_empty() {
        return None;
    }
    let mut prev: Option<char> = None;
    for (i, c) in escaped.char_indices() {
        if c == '|' && i > 0 {
            if let Some(p) = prev {
                if !p.is_whitespace() && p != '\0' {
                    if let Some(end) = super::block::is_spaces_or_end(escaped, i + 1) {
                        return Some((unescape(&escaped[..i]), end));
                    }
                }
            }
        }
        prev = Some(c);
    }
    None
}

pub fn is_inline_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Text
            | Kind::Emphasis
            | Kind::Strong
            | Kind::Literal
            | Kind::Reference
            | Kind::FootnoteReference
            | Kind::CitationReference
            | Kind::SubstitutionReference
            | Kind::TitleReference
            | Kind::Abbreviation
            | Kind::Acronym
            | Kind::Superscript
            | Kind::Subscript
            | Kind::Math
            | Kind::Inline
            | Kind::Problematic
            | Kind::Generated
            | Kind::Image
            | Kind::Raw
            | Kind::Target
            | Kind::PendingXref
            | Kind::LiteralStrong
            | Kind::LiteralEmphasis
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names() {
        assert_eq!(match_target("name: uri"), Some((Some("name".into()), 6)));
        assert_eq!(match_target("`a: b`: uri"), Some((Some("a: b".into()), 8)));
        assert_eq!(match_target("_: uri"), Some((None, 3)));
        assert_eq!(simplename_len("py:function:: x"), 11);
        assert_eq!(simplename_len("code-block::"), 10);
    }
}
