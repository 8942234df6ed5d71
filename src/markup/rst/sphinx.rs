//! The Sphinx profile's directives (shared/rst-conformance/SPHINX.md).
//!
//! Sphinx itself is not available; these are the agreed stand-in forms that
//! mimic the shape of Sphinx's doctree (before cross-references are
//! resolved), so spec repositories built with Sphinx parse into the same
//! structure. Only reached when `RstOptions::sphinx` is set.

use super::block::{join_lines, Parser};
use super::directives::{dedent_text, Block, Failure};
use super::ids::{fully_normalize_name, make_id};
use crate::markup::doc::{Kind, NodeId, Value};

/// Option values: a flag (empty value) is printed as `1`.
fn option_value(value: &str) -> Value {
    if value.trim().is_empty() {
        Value::Int(1)
    } else {
        Value::Str(value.to_string())
    }
}

/// `Title <target>` → (Some(title), target); otherwise (None, text).
pub fn split_title_target(text: &str) -> (Option<String>, String) {
    let trimmed = text.trim();
    if let Some(open) = trimmed.rfind('<') {
        if trimmed.ends_with('>') && open > 0 {
            let before = &trimmed[..open];
            if before.ends_with(char::is_whitespace) && !before.ends_with("\\") {
                let title = before.trim().to_string();
                let target = trimmed[open + 1..trimmed.len() - 1].trim().to_string();
                if !title.is_empty() && !target.is_empty() {
                    return (Some(title), target);
                }
            }
        }
    }
    (None, trimmed.to_string())
}

/// Select lines as literalinclude's `:lines:` (`1,3,5-7,9-`).
fn select_lines(lines: &[&str], spec: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for part in spec.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match part.split_once('-') {
            Some((a, b)) => {
                let start = a.trim().parse::<usize>().unwrap_or(1).max(1);
                let end = if b.trim().is_empty() {
                    lines.len()
                } else {
                    b.trim().parse::<usize>().unwrap_or(lines.len())
                };
                for n in start..=end.min(lines.len()) {
                    out.push(n - 1);
                }
            }
            None => {
                if let Ok(n) = part.parse::<usize>() {
                    if n >= 1 && n <= lines.len() {
                        out.push(n - 1);
                    }
                }
            }
        }
    }
    out
}

impl Parser<'_> {
    fn add_name_attr(&mut self, node: NodeId, block: &Block<'_>) {
        if let Some(name) = block.opt("name") {
            self.doc
                .attrs_mut(node)
                .push("names", fully_normalize_name(name));
            self.state.note_explicit_target(self.doc, node, None);
        }
    }

    fn add_class_attr(&mut self, node: NodeId, block: &Block<'_>) {
        if let Some(classes) = block.opt("class") {
            for class in classes.split_whitespace() {
                self.doc.attrs_mut(node).push("classes", make_id(class));
            }
        }
    }

    pub(super) fn sphinx_directive(
        &mut self,
        block: &Block<'_>,
        parent: NodeId,
        match_titles: bool,
    ) -> Result<Vec<NodeId>, Failure> {
        let _ = (parent, match_titles);
        let span = block.span;
        let name = block.name.as_str();
        let argument = block.arguments.first().cloned().unwrap_or_default();
        match name {
            "toctree" => {
                let compound = self.doc.create(Kind::Compound, span);
                self.doc
                    .attrs_mut(compound)
                    .push("classes", "toctree-wrapper");
                self.add_class_attr(compound, block);
                let toctree = self.doc.push(compound, Kind::Toctree, span);
                for flag in ["glob", "hidden", "includehidden", "titlesonly", "reversed"] {
                    if block.has(flag) {
                        self.doc.attrs_mut(toctree).set(flag, Value::Int(1));
                    }
                }
                if let Some(depth) = block.opt("maxdepth") {
                    self.doc.attrs_mut(toctree).set("maxdepth", depth.trim());
                }
                if let Some(caption) = block.opt("caption") {
                    self.doc.attrs_mut(toctree).set("caption", caption.trim());
                }
                if let Some(numbered) = block.opt("numbered") {
                    let value = if numbered.trim().is_empty() {
                        "999"
                    } else {
                        numbered.trim()
                    };
                    self.doc.attrs_mut(toctree).set("numbered", value);
                }
                self.add_name_attr(toctree, block);
                for line in &block.content {
                    if line.is_blank() {
                        continue;
                    }
                    let entry = self.doc.push(toctree, Kind::ToctreeEntry, line.span());
                    let (title, target) = split_title_target(line.text);
                    self.doc.attrs_mut(entry).set("target", target);
                    if let Some(title) = title {
                        self.doc.attrs_mut(entry).set("title", title);
                    }
                }
                Ok(vec![compound])
            }
            "highlight" => {
                let node = self.doc.create(Kind::HighlightLang, span);
                self.doc.attrs_mut(node).set("lang", argument.trim());
                self.state.highlight_language = Some(argument.trim().to_string());
                Ok(vec![node])
            }
            "literalinclude" => self.literalinclude(block),
            "todo" => {
                let node = self.doc.create(Kind::TodoNode, span);
                self.doc.attrs_mut(node).push("classes", "admonition-todo");
                self.add_class_attr(node, block);
                let title = self.doc.push(node, Kind::Title, span);
                self.doc.push_text(title, "Todo", span);
                self.add_name_attr(node, block);
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "versionadded" | "versionchanged" | "deprecated" | "versionremoved" => {
                let node = self.doc.create(Kind::VersionModified, span);
                self.doc.attrs_mut(node).set("type", name);
                self.doc.attrs_mut(node).set("version", argument.as_str());
                if let Some(text) = block.arguments.get(1) {
                    let paragraph = self.doc.push(node, Kind::Paragraph, span);
                    let messages = self.inline_text(paragraph, text, span.start);
                    self.append_all(node, messages);
                }
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "only" => {
                let node = self.doc.create(Kind::Only, span);
                self.doc.attrs_mut(node).set("expr", argument.as_str());
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            "centered" => {
                let node = self.doc.create(Kind::Centered, span);
                let messages = self.inline_text(node, &argument, span.start);
                let mut out = vec![node];
                out.extend(messages);
                Ok(out)
            }
            "hlist" => self.hlist(block),
            "glossary" => {
                let node = self.doc.create(Kind::Glossary, span);
                self.parse_body(&block.content, node, false);
                let lists: Vec<NodeId> = self
                    .doc
                    .descendants(node)
                    .filter(|&n| self.doc.kind(n) == Kind::DefinitionList)
                    .collect();
                for list in lists {
                    self.doc.attrs_mut(list).push("classes", "glossary");
                    let terms: Vec<NodeId> = self
                        .doc
                        .descendants(list)
                        .filter(|&n| self.doc.kind(n) == Kind::Term)
                        .collect();
                    for term in terms {
                        let id = format!("term-{}", make_id(&self.doc.text_content(term)));
                        self.doc.attrs_mut(term).push("ids", id);
                    }
                }
                Ok(vec![node])
            }
            "index" => {
                let mut out = Vec::new();
                for line in argument.lines() {
                    let entry = line.split_whitespace().collect::<Vec<_>>().join(" ");
                    if entry.is_empty() {
                        continue;
                    }
                    let node = self.doc.create(Kind::Index, span);
                    self.doc.attrs_mut(node).set("entry", entry);
                    out.push(node);
                }
                Ok(out)
            }
            "tabularcolumns" => {
                let node = self.doc.create(Kind::TabularColSpec, span);
                self.doc.attrs_mut(node).set("spec", argument.trim());
                Ok(vec![node])
            }
            "currentmodule" | "py:currentmodule" | "program" | "default-domain"
            | "sectionauthor" | "moduleauthor" | "codeauthor" | "todolist" => Ok(vec![]),
            "module" | "py:module" => {
                let target = self.doc.create(Kind::Target, span);
                self.doc
                    .attrs_mut(target)
                    .push("ids", format!("module-{}", argument.trim()));
                let holder = self.doc.create(Kind::Container, span);
                self.parse_body(&block.content, holder, false);
                let mut out = vec![target];
                for child in self.doc.children(holder).to_vec() {
                    self.doc.detach(child);
                    out.push(child);
                }
                Ok(out)
            }
            "productionlist" => {
                let node = self.doc.create(Kind::ProductionList, span);
                let mut text = argument.clone();
                if !block.content.is_empty() {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&join_lines(&block.content));
                }
                for line in text.lines() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let production = self.doc.push(node, Kind::Production, span);
                    self.doc.push_text(production, line.trim_end(), span);
                }
                Ok(vec![node])
            }
            _ if super::directives::is_diagram(name) => {
                let node = self.doc.create(Kind::Diagram, span);
                self.doc.attrs_mut(node).set("kind", name);
                if !argument.is_empty() {
                    self.doc.attrs_mut(node).set("argument", argument.as_str());
                }
                for (key, value) in &block.options {
                    if key != "name" {
                        self.doc
                            .attrs_mut(node)
                            .set(key.clone(), option_value(value));
                    }
                }
                self.add_name_attr(node, block);
                self.doc.attrs_mut(node).set("xml:space", "preserve");
                let text = join_lines(&block.content);
                if !text.is_empty() {
                    self.doc.push_text(node, text, span);
                }
                Ok(vec![node])
            }
            _ if super::directives::is_generic(name, self.state) => {
                let node = self.doc.create(Kind::GenericDirective, span);
                self.doc.attrs_mut(node).set("name", name);
                for (key, value) in &block.options {
                    if key == "name" {
                        continue;
                    }
                    self.doc
                        .attrs_mut(node)
                        .set(format!("option-{key}"), option_value(value));
                }
                self.add_name_attr(node, block);
                if !argument.trim().is_empty() {
                    let paragraph = self.doc.push(node, Kind::Paragraph, span);
                    let messages = self.inline_text(paragraph, &argument, span.start);
                    self.append_all(node, messages);
                }
                self.parse_body(&block.content, node, false);
                Ok(vec![node])
            }
            _ => {
                let Some((domain, objtype)) = super::directives::desc_domain(name) else {
                    return Ok(vec![]);
                };
                let node = self.doc.create(Kind::Desc, span);
                self.doc.attrs_mut(node).set("domain", domain);
                self.doc.attrs_mut(node).set("objtype", objtype);
                for line in argument.lines() {
                    let line = line.trim();
                    if line.is_empty() {
                        continue;
                    }
                    let signature = self.doc.push(node, Kind::DescSignature, span);
                    self.doc.push_text(signature, line, span);
                }
                let content = self.doc.push(node, Kind::DescContent, span);
                self.parse_body(&block.content, content, false);
                Ok(vec![node])
            }
        }
    }

    fn hlist(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        let span = block.span;
        let columns: usize = block
            .opt("columns")
            .and_then(|c| c.trim().parse().ok())
            .filter(|&c| c > 0)
            .unwrap_or(2);
        let holder = self.doc.create(Kind::Container, span);
        self.parse_body(&block.content, holder, false);
        let children: Vec<NodeId> = self.doc.children(holder).to_vec();
        if children.len() != 1 || self.doc.kind(children[0]) != Kind::BulletList {
            return Err(Failure(
                2,
                "The content of the \"hlist\" directive must be a single bullet list.".into(),
            ));
        }
        let list = children[0];
        let bullet = self
            .doc
            .attrs(list)
            .str("bullet")
            .unwrap_or("*")
            .to_string();
        let items: Vec<NodeId> = self.doc.children(list).to_vec();
        let node = self.doc.create(Kind::Hlist, span);
        self.doc
            .attrs_mut(node)
            .set("ncolumns", columns.to_string());
        let per_column = items.len() / columns;
        let extra = items.len() % columns;
        let mut index = 0;
        for column in 0..columns {
            let count = per_column + usize::from(column < extra);
            let col = self.doc.push(node, Kind::Hlistcol, span);
            let sublist = self.doc.push(col, Kind::BulletList, span);
            self.doc.attrs_mut(sublist).set("bullet", bullet.as_str());
            for &item in items.iter().skip(index).take(count) {
                self.doc.append(sublist, item);
            }
            index += count;
        }
        Ok(vec![node])
    }

    fn literalinclude(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        let span = block.span;
        let path = block.arguments.first().cloned().unwrap_or_default();
        let text = match super::files::read(self.state, &path) {
            Ok(text) => text,
            Err(message) => {
                // A missing file is Sphinx's warning; a refused one (outside
                // the root, not a regular file) is an error, as for `include`.
                let level = if super::files::is_refusal(&message) {
                    3
                } else {
                    2
                };
                let msg = self.msg(
                    level,
                    "rst/literalinclude",
                    &format!("Include file {path:?} not found or reading it failed: {message}"),
                    span,
                    None,
                );
                return Ok(vec![msg]);
            }
        };
        let mut lines: Vec<&str> = text.lines().collect();
        if let Some(spec) = block.opt("lines") {
            let keep = select_lines(&lines, spec);
            lines = keep
                .into_iter()
                .filter_map(|i| lines.get(i).copied())
                .collect();
        }
        let find = |lines: &[&str], needle: &str| lines.iter().position(|l| l.contains(needle));
        if let Some(after) = block.opt("start-after") {
            if let Some(i) = find(&lines, after) {
                lines.drain(..=i);
            }
        } else if let Some(at) = block.opt("start-at") {
            if let Some(i) = find(&lines, at) {
                lines.drain(..i);
            }
        }
        if let Some(before) = block.opt("end-before") {
            if let Some(i) = find(&lines, before) {
                lines.truncate(i);
            }
        } else if let Some(at) = block.opt("end-at") {
            if let Some(i) = find(&lines, at) {
                lines.truncate(i + 1);
            }
        }
        let mut body = lines.join("\n");
        if let Some(dedent) = block.opt("dedent") {
            body = dedent_text(&body, dedent.trim().parse().ok());
        }
        if let Some(prepend) = block.opt("prepend") {
            body = format!("{prepend}\n{body}");
        }
        if let Some(append) = block.opt("append") {
            body = format!("{body}\n{append}");
        }
        let node = self.doc.create(Kind::LiteralBlock, span);
        self.doc.attrs_mut(node).set("xml:space", "preserve");
        let language = block
            .opt("language")
            .map(|l| l.trim().to_string())
            .or_else(|| self.state.highlight_language.clone())
            .unwrap_or_else(|| "default".to_string());
        self.doc.attrs_mut(node).set("language", language);
        if block.has("linenos") || block.has("lineno-start") || block.has("lineno-match") {
            self.doc.attrs_mut(node).set("linenos", Value::Int(1));
        }
        self.add_class_attr(node, block);
        self.doc.push_text(node, body, span);
        if let Some(caption) = block.opt("caption") {
            let container = self.doc.create(Kind::Container, span);
            self.doc
                .attrs_mut(container)
                .push("classes", "literal-block-wrapper");
            self.doc
                .attrs_mut(container)
                .set("literal_block", Value::Int(1));
            let caption_node = self.doc.push(container, Kind::Caption, span);
            let messages = self.inline_text(caption_node, caption, span.start);
            self.doc.append(container, node);
            self.add_name_attr(container, block);
            let mut out = vec![container];
            out.extend(messages);
            return Ok(out);
        }
        self.add_name_attr(node, block);
        Ok(vec![node])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_target() {
        assert_eq!(
            split_title_target("Template <template>"),
            (Some("Template".into()), "template".into())
        );
        assert_eq!(split_title_target("specs/*"), (None, "specs/*".into()));
        assert_eq!(select_lines(&["a", "b", "c", "d"], "1,3-"), vec![0, 2, 3]);
    }
}
