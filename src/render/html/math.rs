//! LaTeX math to MathML, for `math` and `math_block` nodes.
//!
//! Pages must show formulas with no CDN and no script, so LaTeX is converted
//! at build time with `pulldown-latex` (a pull parser with its own explicit
//! stacks, writing MathML Core, which Chromium and Firefox render natively).
//! Anything the converter rejects, or input too large to be a formula, falls
//! back to the source in `<code class="math">`, so a typo costs the reader
//! nothing worse than seeing the LaTeX.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

use super::escape;

/// Formulas longer than this are shown as source: real formulas are far
/// shorter, and it bounds the converter's work on hostile input.
const MAX_LATEX_BYTES: usize = 16 * 1024;

/// Append `latex` as MathML (`display` block or inline); on failure append the
/// escaped source in `<code class="math">` (inline) or `<pre class="math">`
/// (block). Returns whether MathML was written.
pub fn push_math(out: &mut String, latex: &str, block: bool) -> bool {
    if let Some(mathml) = to_mathml(latex, block) {
        out.push_str(&mathml);
        return true;
    }
    let (open, close) = if block {
        ("<pre class=\"math\"><code>", "</code></pre>")
    } else {
        ("<code class=\"math\">", "</code>")
    };
    out.push_str(open);
    escape::text(out, latex);
    out.push_str(close);
    false
}

fn to_mathml(latex: &str, block: bool) -> Option<String> {
    let latex = latex.trim();
    if latex.is_empty() || latex.len() > MAX_LATEX_BYTES {
        return None;
    }
    let storage = Storage::new();
    // Collect first: a single parse error means we show the source instead
    // of MathML with red error marks in it.
    let events: Vec<_> = Parser::new(latex, &storage)
        .collect::<Result<_, _>>()
        .ok()?;
    let config = RenderConfig {
        display_mode: if block {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        annotation: Some(latex),
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(
        &mut mathml,
        events.into_iter().map(Ok::<_, pulldown_latex::ParserError>),
        config,
    )
    .ok()?;
    Some(mathml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml() {
        let mut out = String::new();
        assert!(push_math(&mut out, "x^2 + \\frac{a}{b}", false));
        assert!(out.starts_with("<math"), "{out}");
        assert!(out.contains("<msup>"), "{out}");
        assert!(out.contains("<mfrac>"), "{out}");
        let mut out = String::new();
        assert!(push_math(&mut out, "E = mc^2", true));
        assert!(out.contains("display=\"block\""), "{out}");
    }

    #[test]
    fn broken_latex_falls_back_to_source() {
        let mut out = String::new();
        assert!(!push_math(&mut out, "\\frac{a}{<b>", false));
        assert_eq!(out, "<code class=\"math\">\\frac{a}{&lt;b&gt;</code>");
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let deep = format!("{}x{}", "{".repeat(5000), "}".repeat(5000));
        let mut out = String::new();
        push_math(&mut out, &deep, true);
        assert!(out.contains('x'));
        let huge = "x".repeat(MAX_LATEX_BYTES + 1);
        let mut out = String::new();
        assert!(!push_math(&mut out, &huge, false));
    }
}
