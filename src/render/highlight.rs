//! Syntax highlighting of code blocks, for the HTML serializer.
//!
//! Sits inside `render::html`: a `literal_block` with a language is handed to
//! [`highlight`], which returns class-annotated HTML (`<span class="hl-…">`);
//! the colours live in one stylesheet ([`stylesheet`]) so pages stay small and
//! a light/dark switch needs no re-render.
//!
//! Highlighting is the largest cost of building a Markdown-heavy corpus
//! (rust-rfcs has thousands of code blocks), so the syntax set is loaded once
//! per process (`OnceLock`), each block gets exactly one generator, and a
//! language we do not know costs a failed lookup, not an error.

use std::fmt::Write as _;
use std::sync::OnceLock;

use syntect::highlighting::{Color, FontStyle, Theme, ThemeSet};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The class prefix on every highlighting span, so theme CSS cannot clash
/// with the page's own classes.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const CLASS_PREFIX: &str = "hl-";

/// Themes bundled with syntect: a light one shown by default, a dark one for
/// `prefers-color-scheme: dark` or the theme switch.
const LIGHT_THEME: &str = "InspiredGitHub";
const DARK_THEME: &str = "base16-ocean.dark";

fn syntax_set() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The syntax for a code block's language token, or `None` for plain text
/// (explicitly plain, or a language we have no grammar for).
fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
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
    let syntax = find_syntax(lang)?;
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, syntax_set(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
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
    let themes = ThemeSet::load_defaults();
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
    let mut declarations = String::new();
    if let Some(fg) = theme.settings.foreground {
        let fg = readable(fg, background);
        let _ = write!(declarations, "color:#{:02x}{:02x}{:02x};", fg.r, fg.g, fg.b);
    }
    if let Some(bg) = theme.settings.background {
        let _ = write!(
            declarations,
            "background-color:#{:02x}{:02x}{:02x};",
            bg.r, bg.g, bg.b
        );
    }
    if !declarations.is_empty() {
        let _ = writeln!(css, "{scope} .{CLASS_PREFIX}code {{{declarations}}}");
    }
    for item in &theme.scopes {
        let mut selectors = Vec::new();
        for selector in &item.scope.selectors {
            let chain: Vec<String> = selector
                .extract_scopes()
                .iter()
                .map(|scope_atoms| {
                    scope_atoms
                        .build_string()
                        .split('.')
                        .filter(|atom| !atom.is_empty())
                        .map(|atom| format!(".{CLASS_PREFIX}{}", css_identifier(atom)))
                        .collect::<String>()
                })
                .filter(|compound| !compound.is_empty())
                .collect();
            if !chain.is_empty() {
                selectors.push(format!("{scope} {}", chain.join(" ")));
            }
        }
        if selectors.is_empty() {
            continue;
        }
        let mut declarations = String::new();
        if let Some(fg) = item.style.foreground {
            let fg = readable(fg, item.style.background.unwrap_or(background));
            let _ = write!(declarations, "color:#{:02x}{:02x}{:02x};", fg.r, fg.g, fg.b);
        }
        if let Some(bg) = item.style.background {
            let _ = write!(
                declarations,
                "background-color:#{:02x}{:02x}{:02x};",
                bg.r, bg.g, bg.b
            );
        }
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
        if declarations.is_empty() {
            continue;
        }
        let _ = writeln!(css, "{} {{{declarations}}}", selectors.join(","));
    }
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
            "diff",
        ] {
            let html = highlight("let x = 1; // \"q\" <b>\n", lang);
            let html = html.unwrap_or_else(|| panic!("{lang} should be highlighted"));
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
            assert!(!html.contains("<b>"), "{lang} must escape: {html}");
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
