//! Syntax highlighting of code blocks, for the HTML serializer.
//!
//! Sits inside `render::html`: a `literal_block` with a language is handed to
//! [`highlight`], which returns class-annotated HTML (`<span class="hl-…">`);
//! the colours live in one stylesheet ([`stylesheet`]) so pages stay small and
//! a light/dark switch needs no re-render.
//!
//! Highlighting is the largest cost of building a Markdown-heavy corpus
//! (rust-rfcs has thousands of code blocks), so the syntax set is loaded once
//! per process (`OnceLock`), and a language we do not know costs a failed
//! lookup, not an error. The grammars tag every token with a full scope
//! stack (`meta.function.rust`, `punctuation.section.group.begin.rust`, …),
//! most of which no theme colours: written out as syntect's generator does,
//! that is 16 MB of spans for rust-rfcs' 1.2 MB of code, which every later
//! stage copies, scans and writes. So we write the spans ourselves and keep
//! only what the stylesheet can select (see [`ScopeClasses`]); the page looks
//! exactly the same.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::OnceLock;

use syntect::highlighting::{Color, FontStyle, Theme, ThemeItem, ThemeSet};
use syntect::parsing::{
    BasicScopeStackOp, ParseState, Scope, ScopeError, ScopeStack, ScopeStackOp, SyntaxReference,
    SyntaxSet,
};
use syntect::util::LinesWithEndings;

use super::html::escape;

/// The class prefix on every highlighting span, so theme CSS cannot clash
/// with the page's own classes.
const CLASS_PREFIX: &str = "hl-";

/// Themes bundled with syntect: a light one shown by default, a dark one for
/// `prefers-color-scheme: dark` or the theme switch.
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn themes() -> &'static ThemeSet {
    static THEMES: OnceLock<ThemeSet> = OnceLock::new();
    THEMES.get_or_init(ThemeSet::load_defaults)
}

fn syntax_set() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The syntax for a code block's language token, or `None` for plain text
/// (explicitly plain, or a language we have no grammar for).
pub(crate) fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim();
    let lower = lang.to_ascii_lowercase();
    // Names people write on code fences that are neither a grammar name nor a
    // file extension syntect knows, mapped to the nearest grammar we ship.
    let token = match lower.as_str() {
        "" | "text" | "none" | "default" | "plain" | "plaintext" | "txt" => return None,
        "console" | "shell" | "shell-session" | "shellsession" | "sh" | "bash" | "zsh" => "bash",
        "py" | "python3" | "py3" | "pycon" | "ipython" => "py",
        "yml" | "yaml" => "yaml",
        "js" | "javascript" | "typescript" | "ts" | "jsx" | "tsx" => "js",
        "c++" | "cpp" | "cxx" | "hpp" => "cpp",
        "golang" | "go" => "go",
        "rs" | "rust" => "rs",
        "html" | "htm" | "xhtml" => "html",
        "toml" | "ini" | "cfg" | "conf" | "properties" => return ini_like(),
        other => other,
    };
    let syntaxes = syntax_set();
    syntaxes
        .find_syntax_by_token(token)
        .or_else(|| syntaxes.find_syntax_by_token(lang))
        .filter(|syntax| syntax.name != "Plain Text")
}

/// syntect's default grammars have no TOML or INI; the closest shipped
/// grammar for `key = value` files is none, so these stay plain text unless a
/// later syntect version adds one.
fn ini_like() -> Option<&'static SyntaxReference> {
    let syntaxes = syntax_set();
    syntaxes
        .find_syntax_by_token("toml")
        .or_else(|| syntaxes.find_syntax_by_token("ini"))
}

/// Highlight `code` as `lang`. `None` means "not highlighted" (plain or
/// unknown language, or a grammar failure): the caller escapes the text itself.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    highlight_as(code, find_syntax(lang)?)
}

/// Highlight `code` with the grammar `syntax` (see [`find_syntax`]).
pub(crate) fn highlight_as(code: &str, syntax: &SyntaxReference) -> Option<String> {
    let syntaxes = syntax_set();
    let mut parser = ParseState::new(syntax);
    let lines = LinesWithEndings::from(code)
        .map(|line| {
            parser
                .parse_line(line, syntaxes)
                .ok()
                .map(|ops| (line, ops))
        })
        .collect::<Option<Vec<_>>>()?;
    SCOPE_CLASSES.with(|classes| {
        let mut classes = classes.borrow_mut();
        let selection = classes.select(&lines);
        let mut writer = SpanWriter::with_capacity(code.len() * 2);
        for (line, ops) in &lines {
            writer.line(line, ops, &mut classes, selection).ok()?;
        }
        Some(writer.finish())
    })
}

/// One line of code and the scope operations syntect parsed from it.
type ParsedLine<'a> = (&'a str, Vec<(usize, ScopeStackOp)>);

thread_local! {
    /// Each rendering thread's memo of scope → classes; a build sees a few
    /// hundred distinct scopes and millions of tokens.
    static SCOPE_CLASSES: RefCell<ScopeClasses> = RefCell::new(ScopeClasses::default());
}

/// Which classes a span for a scope needs. A stylesheet rule selects a
/// token through a chain of compound selectors (`.hl-source.hl-python
/// .hl-keyword`); a scope needs the classes of every compound its atoms
/// contain, from the rules that can match inside its code block at all —
/// the one-compound rules always, a descendant chain only when every one
/// of its compounds matches some scope of the block (spans never cross a
/// block). A scope that needs no class gets no span: nothing could select
/// it, as the token or as an ancestor. Every rule therefore matches
/// exactly the tokens it matched with syntect's full scope spans, at a
/// third of the markup.
#[derive(Default)]
struct ScopeClasses {
    /// A scope's atoms (`meta.function.rust` → `meta`, `function`, `rust`).
    atoms: HashMap<Scope, Vec<String>>,
    /// Interned sets of the descendant chains active in a block (indexes
    /// into [`Selectors::chains`]); a block's selection is an index here.
    selections: Vec<Vec<usize>>,
    compounds_in: HashMap<Scope, Vec<u64>>,
    memo: HashMap<(Scope, usize), Option<Box<str>>>,
}

fn set_bit(bits: &mut [u64], index: usize) {
    if let Some(word) = bits.get_mut(index / 64) {
        *word |= 1 << (index % 64);
    }
}

fn has_bit(bits: &[u64], index: usize) -> bool {
    bits.get(index / 64)
        .is_some_and(|word| word & (1 << (index % 64)) != 0)
}

impl ScopeClasses {
    fn atoms(&mut self, scope: Scope) -> &[String] {
        self.atoms.entry(scope).or_insert_with(|| {
            scope
                .build_string()
                .split('.')
                .filter(|atom| !atom.is_empty())
                .map(str::to_string)
                .collect()
        })
    }

    /// Which of the chains' compounds a scope's atoms contain, as a bitset
    /// over [`Selectors::chain_compounds`].
    fn chain_compounds_in(&mut self, scope: Scope) -> &[u64] {
        if !self.compounds_in.contains_key(&scope) {
            let compounds = &selectors().chain_compounds;
            let mut bits = vec![0u64; compounds.len().div_ceil(64)];
            let atoms = self.atoms(scope).to_vec();
            for (index, compound) in compounds.iter().enumerate() {
                if contains_all(&atoms, compound) {
                    set_bit(&mut bits, index);
                }
            }
            self.compounds_in.insert(scope, bits);
        }
        self.compounds_in
            .get(&scope)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The selection of descendant chains that can match in a block: those
    /// whose every compound some scope of the block contains.
    fn select(&mut self, lines: &[ParsedLine<'_>]) -> usize {
        let mut scopes: Vec<Scope> = lines
            .iter()
            .flat_map(|(_, ops)| ops)
            .filter_map(|(_, op)| match op {
                ScopeStackOp::Push(scope) => Some(*scope),
                _ => None,
            })
            .collect();
        scopes.sort_unstable();
        scopes.dedup();
        let selectors = selectors();
        let mut present = vec![0u64; selectors.chain_compounds.len().div_ceil(64)];
        for scope in scopes {
            for (word, bits) in present.iter_mut().zip(self.chain_compounds_in(scope)) {
                *word |= bits;
            }
        }
        let active: Vec<usize> = selectors
            .chains
            .iter()
            .enumerate()
            .filter(|(_, chain)| chain.iter().all(|compound| has_bit(&present, *compound)))
            .map(|(index, _)| index)
            .collect();
        match self.selections.iter().position(|known| *known == active) {
            Some(index) => index,
            None => {
                self.selections.push(active);
                self.selections.len() - 1
            }
        }
    }

    fn classes(&mut self, scope: Scope, selection: usize) -> Option<&str> {
        if !self.memo.contains_key(&(scope, selection)) {
            let atoms = self.atoms(scope).to_vec();
            let active = self
                .selections
                .get(selection)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let value = class_attribute(&atoms, active);
            self.memo.insert((scope, selection), value);
        }
        self.memo
            .get(&(scope, selection))
            .and_then(Option::as_deref)
    }
}

fn contains_all(atoms: &[String], compound: &[String]) -> bool {
    compound.iter().all(|atom| atoms.contains(atom))
}

/// The `class` attribute value (escaped) for a scope's atoms, given the
/// active descendant chains, or `None` when no compound applies.
fn class_attribute(atoms: &[String], active_chains: &[usize]) -> Option<Box<str>> {
    let selectors = selectors();
    let compounds = selectors.compounds.iter().chain(
        active_chains
            .iter()
            .filter_map(|index| selectors.chains.get(*index))
            .flatten()
            .filter_map(|compound| selectors.chain_compounds.get(*compound)),
    );
    let mut needed: BTreeSet<&str> = BTreeSet::new();
    for compound in compounds {
        if contains_all(atoms, compound) {
            needed.extend(compound.iter().map(String::as_str));
        }
    }
    if needed.is_empty() {
        return None;
    }
    let mut value = String::new();
    for atom in atoms.iter().filter(|atom| needed.contains(atom.as_str())) {
        if !value.is_empty() {
            value.push(' ');
        }
        value.push_str(CLASS_PREFIX);
        escape::attr(&mut value, atom);
    }
    Some(value.into_boxed_str())
}

/// The stylesheet's selectors that set a style, over both themes, as atoms.
struct Selectors {
    /// Rules of one compound (`.hl-keyword.hl-operator`).
    compounds: Vec<Vec<String>>,
    /// Descendant chains (`.hl-source.hl-python .hl-keyword`), as indexes
    /// into `chain_compounds`.
    chains: Vec<Vec<usize>>,
    /// Every compound that appears in a descendant chain.
    chain_compounds: Vec<Vec<String>>,
}

fn selectors() -> &'static Selectors {
    static SELECTORS: OnceLock<Selectors> = OnceLock::new();
    SELECTORS.get_or_init(|| {
        let mut compounds = BTreeSet::new();
        let mut chains = BTreeSet::new();
        for name in [LIGHT_THEME, DARK_THEME] {
            let Some(theme) = themes().themes.get(name) else {
                continue;
            };
            let background = theme.settings.background.unwrap_or(Color::WHITE);
            for item in &theme.scopes {
                if item_declarations(item, background).is_empty() {
                    continue;
                }
                for mut chain in selector_chains(item) {
                    if chain.len() == 1 {
                        compounds.extend(chain.pop());
                    } else {
                        chains.insert(chain);
                    }
                }
            }
        }
        let chain_compounds: Vec<Vec<String>> = chains
            .iter()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let chains = chains
            .iter()
            .map(|chain| {
                chain
                    .iter()
                    .filter_map(|compound| chain_compounds.iter().position(|c| c == compound))
                    .collect()
            })
            .collect();
        Selectors {
            compounds: compounds.into_iter().collect(),
            chains,
            chain_compounds,
        }
    })
}

/// Writes one code block's spans, line by line, keeping syntect's scope
/// stack and, beside it, whether each open scope got a span.
struct SpanWriter {
    out: String,
    stack: ScopeStack,
    /// Per open scope: the byte offset of its span's start tag in `out`,
    /// or `None` when the scope was left without a span.
    open: Vec<Option<usize>>,
    /// Whether the innermost span has any text yet: an empty one is taken
    /// out again rather than written.
    innermost_empty: bool,
}

impl SpanWriter {
    fn with_capacity(capacity: usize) -> SpanWriter {
        SpanWriter {
            out: String::with_capacity(capacity),
            stack: ScopeStack::new(),
            open: Vec::new(),
            innermost_empty: false,
        }
    }

    fn line(
        &mut self,
        line: &str,
        ops: &[(usize, ScopeStackOp)],
        classes: &mut ScopeClasses,
        selection: usize,
    ) -> Result<(), ScopeError> {
        let mut written = 0;
        for (offset, op) in ops {
            let offset = (*offset).min(line.len());
            if offset > written {
                if let Some(text) = line.get(written..offset) {
                    escape::text(&mut self.out, text);
                    self.innermost_empty = false;
                }
                written = offset;
            }
            let out = &mut self.out;
            let open = &mut self.open;
            let innermost_empty = &mut self.innermost_empty;
            self.stack.apply_with_hook(op, |basic, _| match basic {
                BasicScopeStackOp::Push(scope) => match classes.classes(scope, selection) {
                    Some(value) => {
                        open.push(Some(out.len()));
                        out.push_str("<span class=\"");
                        out.push_str(value);
                        out.push_str("\">");
                        *innermost_empty = true;
                    }
                    None => open.push(None),
                },
                BasicScopeStackOp::Pop => {
                    if let Some(Some(start)) = open.pop() {
                        if *innermost_empty {
                            out.truncate(start);
                        } else {
                            out.push_str("</span>");
                        }
                    }
                    *innermost_empty = false;
                }
            })?;
        }
        if let Some(rest) = line.get(written..) {
            escape::text(&mut self.out, rest);
        }
        Ok(())
    }

    /// The HTML, with the spans still open at the end of the block closed.
    fn finish(mut self) -> String {
        let still_open = self.open.iter().flatten().count();
        for _ in 0..still_open {
            self.out.push_str("</span>");
        }
        self.out
    }
}

/// CSS for the highlighting classes: the light theme unless the reader
/// prefers dark (and has not picked light with the theme switch, which sets
/// `data-theme` on the root element), the dark theme under
/// `:root[data-theme="dark"]` or a dark preference. The two sets of rules
/// never apply at once, so no specificity contest can leak a light colour
/// into the dark theme.
pub fn stylesheet() -> String {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(build_stylesheet).clone()
}

fn build_stylesheet() -> String {
    let themes = themes();
    let mut css = String::from("/* Code highlighting (syntect themes, class prefix hl-) */\n");
    if let Some(light) = themes.themes.get(LIGHT_THEME) {
        css.push_str("@media not (prefers-color-scheme: dark) {\n");
        theme_rules(&mut css, light, ":root:not([data-theme=\"dark\"])");
        css.push_str("}\n");
        theme_rules(&mut css, light, ":root[data-theme=\"light\"]");
    }
    if let Some(dark) = themes.themes.get(DARK_THEME) {
        css.push_str("@media (prefers-color-scheme: dark) {\n");
        theme_rules(&mut css, dark, ":root:not([data-theme=\"light\"])");
        css.push_str("}\n");
        theme_rules(&mut css, dark, ":root[data-theme=\"dark\"]");
    }
    css
}

/// WCAG 2 relative luminance of an sRGB colour.
fn luminance(colour: Color) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)
}

/// WCAG 2 contrast ratio of two colours (1 to 21).
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The minimum contrast of normal-size text (WCAG AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// `fg`, moved toward black on a light background (white on a dark one)
/// just far enough to be readable: the syntect themes have comment and
/// tag colours below WCAG AA, and the hue is kept so the palette still
/// reads as the theme.
fn readable(fg: Color, bg: Color) -> Color {
    let target = if luminance(bg) > 0.18 { 0.0 } else { 255.0 };
    let mut adjusted = fg;
    for step in 0..=20 {
        let fraction = f64::from(step) / 20.0;
        let blend = |c: u8| (f64::from(c) + (target - f64::from(c)) * fraction).round() as u8;
        adjusted = Color {
            r: blend(fg.r),
            g: blend(fg.g),
            b: blend(fg.b),
            a: fg.a,
        };
        if contrast(adjusted, bg) >= MIN_CONTRAST {
            break;
        }
    }
    adjusted
}

/// Append one theme's rules, every selector scoped under `scope`, with
/// every text colour made readable on the theme's background.
fn theme_rules(css: &mut String, theme: &Theme, scope: &str) {
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    let declarations = colour_declarations(
        theme.settings.foreground,
        theme.settings.background,
        background,
    );
    if !declarations.is_empty() {
        let _ = writeln!(css, "{scope} .{CLASS_PREFIX}code {{{declarations}}}");
    }
    for item in &theme.scopes {
        let declarations = item_declarations(item, background);
        if declarations.is_empty() {
            continue;
        }
        let selectors: Vec<String> = selector_chains(item)
            .iter()
            .map(|chain| {
                let chain: Vec<String> = chain
                    .iter()
                    .map(|compound| {
                        compound
                            .iter()
                            .map(|atom| format!(".{CLASS_PREFIX}{}", css_identifier(atom)))
                            .collect::<String>()
                    })
                    .collect();
                format!("{scope} {}", chain.join(" "))
            })
            .collect();
        if !selectors.is_empty() {
            let _ = writeln!(css, "{} {{{declarations}}}", selectors.join(","));
        }
    }
}

/// A theme item's selectors as descendant chains of compounds of atoms:
/// `meta.tag string.quoted` → `[[["meta", "tag"], ["string", "quoted"]]]`.
fn selector_chains(item: &ThemeItem) -> Vec<Vec<Vec<String>>> {
    item.scope
        .selectors
        .iter()
        .map(|selector| {
            selector
                .extract_scopes()
                .iter()
                .map(|scope| {
                    scope
                        .build_string()
                        .split('.')
                        .filter(|atom| !atom.is_empty())
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .filter(|compound| !compound.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|chain| !chain.is_empty())
        .collect()
}

/// `color` and `background-color` declarations, the text colour made
/// readable on the background it will sit on (`background` unless `bg`).
fn colour_declarations(fg: Option<Color>, bg: Option<Color>, background: Color) -> String {
    let mut declarations = String::new();
    if let Some(fg) = fg {
        let fg = readable(fg, bg.unwrap_or(background));
        let _ = write!(declarations, "color:#{:02x}{:02x}{:02x};", fg.r, fg.g, fg.b);
    }
    if let Some(bg) = bg {
        let _ = write!(
            declarations,
            "background-color:#{:02x}{:02x}{:02x};",
            bg.r, bg.g, bg.b
        );
    }
    declarations
}

/// The CSS declarations of a theme item (empty when it sets nothing we
/// render), its text colour made readable on `background`.
fn item_declarations(item: &ThemeItem, background: Color) -> String {
    let mut declarations =
        colour_declarations(item.style.foreground, item.style.background, background);
    if let Some(font) = item.style.font_style {
        if font.contains(FontStyle::UNDERLINE) {
            declarations.push_str("text-decoration:underline;");
        }
        if font.contains(FontStyle::BOLD) {
            declarations.push_str("font-weight:bold;");
        }
        if font.contains(FontStyle::ITALIC) {
            declarations.push_str("font-style:italic;");
        }
    }
    declarations
}

/// Escape a scope atom for use as a CSS class name (`c++` → `c\+\+`), the
/// same class syntect writes into the HTML unescaped.
fn css_identifier(atom: &str) -> String {
    let mut out = String::with_capacity(atom.len());
    for (index, ch) in atom.chars().enumerate() {
        let plain = ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' || !ch.is_ascii();
        if plain && !(index == 0 && ch.is_ascii_digit()) {
            out.push(ch);
        } else {
            out.push('\\');
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_highlight_colour_is_readable_on_its_theme_background() {
        let themes = ThemeSet::load_defaults();
        for name in [LIGHT_THEME, DARK_THEME] {
            let Some(theme) = themes.themes.get(name) else {
                panic!("{name} is a default theme");
            };
            let background = theme.settings.background.unwrap_or(Color::WHITE);
            let mut css = String::new();
            theme_rules(&mut css, theme, ":root");
            let parse = |hex: &str| {
                let channel = |i: usize| {
                    hex.get(i..i + 2)
                        .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                        .unwrap_or(0)
                };
                Color {
                    r: channel(0),
                    g: channel(2),
                    b: channel(4),
                    a: 255,
                }
            };
            let mut seen = 0;
            // Each rule's text colour against the rule's own background, if
            // it sets one, else the theme's.
            for body in css
                .split('}')
                .filter_map(|rule| rule.split_once('{').map(|(_, b)| b))
            {
                let declarations: Vec<&str> = body.split(';').collect();
                let value = |property: &str| {
                    declarations
                        .iter()
                        .find_map(|d| d.strip_prefix(property))
                        .map(parse)
                };
                let Some(fg) = value("color:#") else {
                    continue;
                };
                let bg = value("background-color:#").unwrap_or(background);
                seen += 1;
                assert!(
                    contrast(fg, bg) >= MIN_CONTRAST,
                    "{name}: {body} has contrast {:.2}",
                    contrast(fg, bg)
                );
            }
            assert!(seen > 5, "{name}: {css}");
        }
    }

    #[test]
    fn known_languages_produce_prefixed_spans() {
        for lang in [
            "rust",
            "python",
            "py",
            "console",
            "shell",
            "sh",
            "bash",
            "json",
            "yaml",
            "yml",
            "sql",
            "c",
            "cpp",
            "go",
            "java",
            "javascript",
            "js",
            "typescript",
            "ts",
            "html",
            "xml",
        ] {
            let html = highlight("let x = 1; // \"q\" <b>\n", lang);
            let html = html.unwrap_or_else(|| panic!("{lang} should be highlighted"));
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
            assert!(!html.contains("<b>"), "{lang} must escape: {html}");
        }
    }

    /// For every character of the code, the stylesheet rules that match
    /// each of its enclosing spans, innermost first, leaving out spans no
    /// rule matches: what decides the character's colour.
    fn rules_per_character(html: &str) -> Vec<Vec<Vec<usize>>> {
        let selectors = selectors();
        let rules: Vec<Vec<Vec<String>>> = selectors
            .compounds
            .iter()
            .map(|compound| vec![compound.clone()])
            .chain(selectors.chains.iter().map(|chain| {
                chain
                    .iter()
                    .map(|index| selectors.chain_compounds[*index].clone())
                    .collect()
            }))
            .collect();
        // A chain matches an element when its last compound does and the
        // others match ancestors, in order.
        let matches = |stack: &[Vec<String>], depth: usize, chain: &[Vec<String>]| {
            let Some((last, ancestors)) = chain.split_last() else {
                return false;
            };
            if !contains_all(&stack[depth], last) {
                return false;
            }
            let mut level = depth;
            for compound in ancestors.iter().rev() {
                match (0..level)
                    .rev()
                    .find(|l| contains_all(&stack[*l], compound))
                {
                    Some(found) => level = found,
                    None => return false,
                }
            }
            true
        };
        let mut stack: Vec<Vec<String>> = Vec::new();
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(ch) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("<span class=\"") {
                let end = after.find("\">").unwrap_or(after.len());
                let classes = after[..end]
                    .split(' ')
                    .map(|class| class.trim_start_matches(CLASS_PREFIX).to_string())
                    .collect();
                stack.push(classes);
                rest = &after[end + 2..];
            } else if let Some(after) = rest.strip_prefix("</span>") {
                stack.pop();
                rest = after;
            } else {
                let step = if ch == '&' {
                    rest.find(';').map_or(1, |i| i + 1)
                } else {
                    ch.len_utf8()
                };
                let per_span: Vec<Vec<usize>> = (0..stack.len())
                    .rev()
                    .map(|depth| {
                        (0..rules.len())
                            .filter(|rule| matches(&stack, depth, &rules[*rule]))
                            .collect::<Vec<_>>()
                    })
                    .filter(|matched| !matched.is_empty())
                    .collect();
                out.push(per_span);
                rest = &rest[step..];
            }
        }
        out
    }

    #[test]
    fn pruned_spans_style_every_character_as_syntect_full_spans_do() {
        use syntect::html::{ClassStyle, ClassedHTMLGenerator};
        let samples = [
            ("rust", "/// doc\n#[derive(Debug)]\npub fn f<'a>(x: &'a str) -> u8 { let s = \"q\\n\"; 0x1F }\n"),
            ("python", "@dec\ndef f(x: int) -> str:\n    return f'{x!r}' if x else None  # c\n"),
            ("json", "{\"a\": {\"b\": [1, \"two\", {\"c\": null}]}}\n"),
            ("css", "a:hover::before { color: #fff; margin: 0 auto !important }\n"),
            ("js", "function f(a) { return a.map(x => `${x}`); }\n"),
            ("diff", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n"),
            ("html", "<a href=\"x\" class='y'>t &amp; u</a><!-- c -->\n"),
            ("yaml", "key: [1, 'two']\n# c\nother: |\n  text\n"),
        ];
        for (lang, code) in samples {
            let syntax = find_syntax(lang).unwrap_or_else(|| panic!("{lang} has a grammar"));
            let mut full = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                syntax_set(),
                ClassStyle::SpacedPrefixed {
                    prefix: CLASS_PREFIX,
                },
            );
            for line in LinesWithEndings::from(code) {
                full.parse_html_for_line_which_includes_newline(line)
                    .unwrap_or_else(|e| panic!("{lang}: {e}"));
            }
            let full = full.finalize();
            let pruned = highlight(code, lang).unwrap_or_default();
            assert!(pruned.len() < full.len(), "{lang}: nothing pruned");
            assert_eq!(
                rules_per_character(&pruned),
                rules_per_character(&full),
                "{lang}: styles differ\n{pruned}\n{full}"
            );
        }
    }

    #[test]
    fn plain_and_unknown_languages_are_not_highlighted() {
        for lang in ["text", "none", "default", "", "no-such-language-xyz"] {
            assert_eq!(highlight("a < b", lang), None, "{lang}");
        }
    }

    #[test]
    fn keywords_get_keyword_classes() {
        let html = highlight("fn main() {}\n", "rust").unwrap_or_default();
        assert!(
            html.contains("hl-keyword") || html.contains("hl-storage"),
            "{html}"
        );
    }

    #[test]
    fn stylesheet_scopes_both_themes() {
        let css = stylesheet();
        assert!(css.contains("@media (prefers-color-scheme: dark)"));
        assert!(css.contains(":root[data-theme=\"dark\"] .hl-"));
        assert!(css.contains(":root[data-theme=\"light\"] .hl-"));
        assert!(css.contains(":root:not([data-theme=\"light\"]) .hl-"));
        assert!(css.contains(".hl-code {"));
    }

    #[test]
    fn css_identifiers_are_escaped() {
        assert_eq!(css_identifier("c++"), "c\\+\\+");
        assert_eq!(css_identifier("keyword"), "keyword");
    }
}
