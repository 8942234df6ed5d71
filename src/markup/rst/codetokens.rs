//! A tiny code splitter for the `code` directive.
//!
//! docutils tokenises code with Pygments and wraps tokens in `<inline>`
//! elements; the conformance check unwraps those but still sees which text
//! runs were separate nodes (whitespace-only runs vanish from its view).
//! We do not highlight here (that is the renderer's job, with syntect);
//! we only split the text where a Pygments lexer would put whitespace-only
//! tokens, so the tree's text matches docutils'. Languages we do not know
//! stay one text run, as Pygments' plain-text lexer leaves them.

/// Split `text` into runs for `language`.
#[cfg(test)]
pub fn chunks(text: &str, language: &str) -> Vec<String> {
    chunks_marked(text, language)
        .into_iter()
        .map(|(run, _)| run)
        .collect()
}

/// Runs with a flag: `true` for a token Pygments would wrap in `<inline>`.
pub fn chunks_marked(text: &str, language: &str) -> Vec<(String, bool)> {
    let lower = language.to_ascii_lowercase();
    match lower.as_str() {
        "python" | "python3" | "py" | "py3" | "pycon" | "bash" | "sh" | "shell" | "console"
        | "yaml" | "toml" | "ini" | "c" | "cpp" | "rust" | "javascript" | "js" | "json"
        | "java" | "go" | "xml" | "html" | "cfg" | "dosini" => {
            { split_code(text, comment_marker(&lower)) }
                .into_iter()
                .map(|run| {
                    let token = !run.trim().is_empty();
                    (run, token)
                })
                .collect()
        }
        "latex" | "tex" => split_latex(text),
        _ => vec![(text.to_string(), false)],
    }
}

/// The line-comment marker of a language, as its Pygments lexer sees it.
fn comment_marker(language: &str) -> &'static str {
    match language {
        "python" | "python3" | "py" | "py3" | "pycon" | "bash" | "sh" | "shell" | "yaml"
        | "toml" | "ini" | "cfg" | "dosini" => "#",
        "c" | "cpp" | "rust" | "javascript" | "js" | "java" | "go" => "//",
        _ => "",
    }
}

fn push(out: &mut Vec<String>, run: &str) {
    if !run.is_empty() {
        out.push(run.to_string());
    }
}

/// Whitespace runs outside strings and comments become their own runs.
fn split_code(text: &str, comment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut run_start = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b' ' || b == b'\n' || b == b'\t' {
            push(&mut out, &text[run_start..i]);
            let start = i;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\n' | b'\t') {
                i += 1;
            }
            push(&mut out, &text[start..i]);
            run_start = i;
            continue;
        }
        if !comment.is_empty() && bytes[i..].starts_with(comment.as_bytes()) {
            let end = text[i..].find('\n').map_or(text.len(), |e| i + e);
            i = end;
            continue;
        }
        if b == b'\'' || b == b'"' {
            let triple = bytes
                .get(i..i + 3)
                .is_some_and(|t| t.iter().all(|&c| c == b));
            let (delimiter_len, multi) = if triple { (3, true) } else { (1, false) };
            let delimiter = &bytes[i..i + delimiter_len];
            let mut j = i + delimiter_len;
            while j < bytes.len() {
                if bytes[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if !multi && bytes[j] == b'\n' {
                    break;
                }
                if bytes[j..].starts_with(delimiter) {
                    j += delimiter_len;
                    break;
                }
                j += 1;
            }
            i = j.min(bytes.len());
            // Byte steps may stop inside a character (after a backslash).
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && !text.is_char_boundary(i) {
            i += 1;
        }
    }
    push(&mut out, &text[run_start..]);
    out
}

/// TeX: text runs (spaces included) between control sequences, braces and
/// comments; a run that is only whitespace stays separate.
fn split_latex(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                push_plain(&mut out, &current);
                current.clear();
                let mut comment = String::from('%');
                while let Some(&n) = chars.peek() {
                    if n == '\n' {
                        break;
                    }
                    comment.push(n);
                    chars.next();
                }
                out.push((comment, true));
            }
            '\\' | '{' | '}' | '$' => {
                push_plain(&mut out, &current);
                current.clear();
                let mut token = String::from(c);
                if c == '\\' {
                    while let Some(&n) = chars.peek() {
                        if !n.is_alphabetic() {
                            break;
                        }
                        token.push(n);
                        chars.next();
                    }
                }
                out.push((token, true));
            }
            '\n' => {
                push_plain(&mut out, &current);
                current.clear();
                out.push(("\n".to_string(), false));
            }
            _ => current.push(c),
        }
    }
    push_plain(&mut out, &current);
    out
}

fn push_plain(out: &mut Vec<(String, bool)>, run: &str) {
    if !run.is_empty() {
        out.push((run.to_string(), false));
    }
}

/// Split runs further so that no run crosses a line end (for line numbers);
/// a run's `\n` stays at its end.
pub fn split_at_newlines(chunks: &[(String, bool)]) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for (chunk, token) in chunks {
        let mut rest = chunk.as_str();
        while let Some(pos) = rest.find('\n') {
            out.push((rest[..=pos].to_string(), *token));
            rest = &rest[pos + 1..];
        }
        if !rest.is_empty() {
            out.push((rest.to_string(), *token));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_strings_and_comments_keep_their_spaces() {
        let runs = chunks("print('a b') # c d", "python3");
        assert_eq!(runs, ["print('a b')", " ", "# c d"]);
    }

    #[test]
    fn multibyte_text_in_strings_and_escapes_does_not_panic() {
        let runs = chunks("x = \"a\\\u{201d} b\" # \u{201d}\n'\u{e9}'", "python");
        assert_eq!(runs.concat(), "x = \"a\\\u{201d} b\" # \u{201d}\n'\u{e9}'");
        let runs = chunks("\u{201c}quoted\u{201d} 'x\\", "bash");
        assert_eq!(runs.concat(), "\u{201c}quoted\u{201d} 'x\\");
    }

    #[test]
    fn latex_text_keeps_inner_spaces() {
        let runs = chunks("hello \\emph{world} % x", "latex");
        assert_eq!(runs, ["hello ", "\\emph", "{", "world", "}", " ", "% x"]);
    }
}
