//! Option-list markers (`-a`, `--file=FILE`, `/V`), as docutils matches them.
//!
//! docutils uses one regular expression for the whole marker; we match it
//! with a small hand-written scanner (no backtracking blow-ups) and then
//! split the marker into options the way `parse_option_marker` does.

fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_alnum_plus(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// `([a-zA-Z][a-zA-Z0-9_-]*|<[^<>]+>)` at `p`.
fn optarg_at(b: &[u8], p: usize) -> Option<usize> {
    let first = *b.get(p)?;
    if first.is_ascii_alphabetic() {
        let mut e = p + 1;
        while e < b.len() && is_alnum_plus(b[e]) {
            e += 1;
        }
        return Some(e);
    }
    if first == b'<' {
        let mut e = p + 1;
        while e < b.len() && b[e] != b'<' && b[e] != b'>' {
            e += 1;
        }
        if e < b.len() && b[e] == b'>' && e > p + 1 {
            return Some(e + 1);
        }
    }
    None
}

fn option_at(b: &[u8], p: usize) -> Option<usize> {
    let long_start = if b.get(p..p + 2) == Some(b"--") {
        Some(p + 2)
    } else if b.get(p) == Some(&b'/') {
        Some(p + 1)
    } else {
        None
    };
    if let Some(mut e) = long_start {
        if !b.get(e).copied().is_some_and(is_alnum) {
            return None;
        }
        e += 1;
        while e < b.len() && is_alnum_plus(b[e]) {
            e += 1;
        }
        if matches!(b.get(e), Some(b' ') | Some(b'=')) {
            if let Some(arg_end) = optarg_at(b, e + 1) {
                return Some(arg_end);
            }
        }
        return Some(e);
    }
    if matches!(b.get(p), Some(b'-') | Some(b'+')) {
        if !b.get(p + 1).copied().is_some_and(is_alnum) {
            return None;
        }
        let e = p + 2;
        if b.get(e) == Some(&b' ') {
            if let Some(arg_end) = optarg_at(b, e + 1) {
                return Some(arg_end);
            }
        }
        if let Some(arg_end) = optarg_at(b, e) {
            return Some(arg_end);
        }
        return Some(e);
    }
    None
}

/// Byte end of docutils' option marker match at the start of `t`.
pub fn match_option_marker(t: &str) -> Option<usize> {
    let b = t.as_bytes();
    let mut e = option_at(b, 0)?;
    while b.get(e..e + 2) == Some(b", ") {
        match option_at(b, e + 2) {
            Some(next) => e = next,
            None => break,
        }
    }
    let rest = &b[e..];
    if rest.is_empty() || rest == b" " {
        return Some(b.len());
    }
    if rest.starts_with(b"  ") {
        let spaces = rest.iter().take_while(|&&c| c == b' ').count();
        return Some(e + spaces);
    }
    None
}

/// One option: (option text, option string, optional (delimiter, argument)).
pub type ParsedOption = (String, String, Option<(String, String)>);

/// docutils `parse_option_marker`; `None` when an option has too many tokens.
pub fn parse_option_marker(marker: &str) -> Option<Vec<ParsedOption>> {
    let marker = marker.trim_end();
    let mut pieces = Vec::new();
    let bytes = marker.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b',' && bytes[i + 1] == b' ' {
            // split unless a '>' comes before any '<' in the rest
            let rest = &marker[i + 2..];
            let inside = match (rest.find('>'), rest.find('<')) {
                (Some(gt), Some(lt)) => gt < lt,
                (Some(_), None) => true,
                _ => false,
            };
            if !inside {
                pieces.push(&marker[start..i]);
                start = i + 2;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    pieces.push(&marker[start..]);
    let mut options = Vec::new();
    for piece in pieces {
        let mut tokens: Vec<String> = piece.split_whitespace().map(str::to_string).collect();
        let first = tokens.first()?.clone();
        let mut delimiter = " ";
        if let Some((name, value)) = first.split_once('=') {
            tokens.splice(0..1, [name.to_string(), value.to_string()]);
            delimiter = "=";
        } else if first.len() > 2
            && ((first.starts_with('-') && !first.starts_with("--")) || first.starts_with('+'))
        {
            let (name, value) = first.split_at(2);
            tokens.splice(0..1, [name.to_string(), value.to_string()]);
            delimiter = "";
        }
        if tokens.len() > 1
            && tokens[1].starts_with('<')
            && tokens.last().is_some_and(|t| t.ends_with('>'))
        {
            let joined = tokens[1..].join(" ");
            tokens.truncate(1);
            tokens.push(joined);
        }
        match tokens.len() {
            1 => options.push((piece.to_string(), tokens[0].clone(), None)),
            2 => options.push((
                piece.to_string(),
                tokens[0].clone(),
                Some((delimiter.to_string(), tokens[1].clone())),
            )),
            _ => return None,
        }
    }
    Some(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(match_option_marker("-a  desc"), Some(4));
        assert_eq!(match_option_marker("--file=FILE, -f FILE  desc"), Some(22));
        assert_eq!(match_option_marker("-f FILE desc"), None);
        assert_eq!(match_option_marker("/V"), Some(2));
        let parsed = parse_option_marker("-fFILE, --long=<a b>").unwrap();
        assert_eq!(parsed[0].1, "-f");
        assert_eq!(parsed[0].2, Some((String::new(), "FILE".to_string())));
        assert_eq!(parsed[1].2, Some(("=".to_string(), "<a b>".to_string())));
    }
}
