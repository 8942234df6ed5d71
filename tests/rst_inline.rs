//! Inline markup, roles and transforms of the RST engine, checked against
//! docutils' pseudo-XML (the trees below are what docutils 0.22 prints),
//! plus hostile inputs that must stay linear.

use specsite::markup::doc::{Document, Kind};
use specsite::markup::rst::{parse, rst_tree, RstOptions, Stage};

/// The body of the printed tree without the `<document ...>` line, with
/// trailing whitespace removed per line.
fn tree(input: &str, stage: Stage, sphinx: bool) -> String {
    let printed = rst_tree(input, stage, sphinx);
    printed
        .lines()
        .skip(1)
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

fn count(doc: &Document, kind: Kind) -> usize {
    doc.descendants(doc.root())
        .filter(|&n| doc.kind(n) == kind)
        .count()
}

fn parse_with(text: &str, stage: Stage) -> specsite::markup::Parsed {
    let options = RstOptions {
        stage,
        ..Default::default()
    };
    parse(text, &options)
}

#[test]
fn emphasis_strong_literal_and_quoted_start_strings() {
    let got = tree("a *em* **st** ``li\\t`` '*' x\n", Stage::Parse, false);
    let want = "    <paragraph>
        a
        <emphasis>
            em

        <strong>
            st

        <literal>
            li\\t
         '*' x";
    assert_eq!(got, want);
}

#[test]
fn unbalanced_start_string_becomes_problematic_with_a_warning() {
    let got = tree("*unclosed\n", Stage::Parse, false);
    assert!(
        got.contains("<problematic ids=\"problematic-1\" refid=\"system-message-1\">"),
        "{got}"
    );
    assert!(got.contains("level=\"2\""), "{got}");
    assert!(
        got.contains("Inline emphasis start-string without end-string."),
        "{got}"
    );
}

#[test]
fn references_targets_and_embedded_uris() {
    let got = tree(
        "See `Docs <https://ex.org/a>`_, name_, anon__ and _`here`.\n",
        Stage::Parse,
        false,
    );
    for expected in [
        "<reference name=\"Docs\" refuri=\"https://ex.org/a\">",
        "<target ids=\"docs\" names=\"docs\" refuri=\"https://ex.org/a\">",
        "<reference name=\"name\" refname=\"name\">",
        "<reference anonymous=\"1\" name=\"anon\">",
        "<target ids=\"here\" names=\"here\">",
    ] {
        assert!(got.contains(expected), "missing {expected} in\n{got}");
    }
}

#[test]
fn standalone_uris_and_emails_stop_where_docutils_stops() {
    let got = tree(
        "Go to http://x.org/a. Mail me@example.com.\n",
        Stage::Parse,
        false,
    );
    assert!(
        got.contains("<reference refuri=\"http://x.org/a\">"),
        "{got}"
    );
    assert!(
        got.contains("<reference refuri=\"mailto:me@example.com\">"),
        "{got}"
    );
    // An unknown scheme is not a link.
    let got = tree("nosuchscheme:foo\n", Stage::Parse, false);
    assert!(!got.contains("<reference"), "{got}");
}

#[test]
fn footnote_citation_and_substitution_references() {
    let got = tree(
        "[1]_ [#]_ [#note]_ [*]_ [CIT2002]_ |sub| |sub|_\n",
        Stage::Parse,
        false,
    );
    for expected in [
        "<footnote_reference ids=\"footnote-reference-1\" refname=\"1\">",
        "<footnote_reference auto=\"1\" ids=\"footnote-reference-2\">",
        "<footnote_reference auto=\"1\" ids=\"footnote-reference-3\" refname=\"note\">",
        "<footnote_reference auto=\"*\" ids=\"footnote-reference-4\">",
        "<citation_reference ids=\"citation-reference-1\" refname=\"cit2002\">",
        "<substitution_reference refname=\"sub\">",
        "<reference refname=\"sub\">",
    ] {
        assert!(got.contains(expected), "missing {expected} in\n{got}");
    }
}

#[test]
fn standard_roles_and_unknown_role() {
    let got = tree(
        ":sub:`x` :pep:`8` :rfc:`2822#section1` :code:`a\\b` :math:`\\alpha` `t`\n",
        Stage::Parse,
        false,
    );
    for expected in [
        "<subscript>",
        "<reference refuri=\"https://peps.python.org/pep-0008\">",
        "<reference refuri=\"https://tools.ietf.org/html/rfc2822.html#section1\">",
        "<literal classes=\"code\">",
        "a\\b",
        "\\alpha",
        "<title_reference>",
    ] {
        assert!(got.contains(expected), "missing {expected} in\n{got}");
    }
    let got = tree(":nosuch:`x`\n", Stage::Parse, false);
    assert!(got.contains("<problematic"), "{got}");
    assert!(
        got.contains("Unknown interpreted text role \"nosuch\"."),
        "{got}"
    );
}

#[test]
fn sphinx_cross_references_follow_the_python_rules() {
    let got = tree(
        ":class:`~nova.compute.API` :meth:`Foo.bar()` :ref:`Title <Some Label>`\n",
        Stage::Parse,
        true,
    );
    for expected in [
        "<pending_xref refdomain=\"py\" refexplicit=\"0\" reftarget=\"nova.compute.API\" reftype=\"class\">",
        "            API",
        "<pending_xref refdomain=\"py\" refexplicit=\"0\" reftarget=\"Foo.bar\" reftype=\"meth\">",
        "            Foo.bar()",
        "<pending_xref refdomain=\"std\" refexplicit=\"1\" reftarget=\"some label\" reftype=\"ref\">",
    ] {
        assert!(got.contains(expected), "missing {expected} in\n{got}");
    }
}

#[test]
fn full_stage_resolves_references_and_numbers_footnotes() {
    let input = "Title\n=====\n\nSee target_ and [#]_.\n\n.. _target: https://example.org\n\n.. [#] Note.\n";
    let got = tree(input, Stage::Full, false);
    let printed = rst_tree(input, Stage::Full, false);
    let first_line = printed.lines().next().unwrap_or_default();
    assert!(
        first_line.contains("ids=\"title\" names=\"title\""),
        "{printed}"
    );
    assert!(first_line.contains("title=\"Title\""), "{printed}");
    for expected in [
        "<reference name=\"target\" refuri=\"https://example.org\">",
        "<footnote_reference auto=\"1\" ids=\"footnote-reference-1\" refid=\"footnote-1\">",
        "<footnote auto=\"1\" backrefs=\"footnote-reference-1\" ids=\"footnote-1\" names=\"1\">",
    ] {
        assert!(got.contains(expected), "missing {expected} in\n{got}");
    }
}

#[test]
fn full_stage_reports_unknown_targets_in_a_messages_section() {
    let got = tree("A missing_ link.\n", Stage::Full, false);
    assert!(got.contains("<problematic"), "{got}");
    assert!(
        got.contains("<section classes=\"system-messages\">"),
        "{got}"
    );
    assert!(got.contains("Unknown target name: \"missing\"."), "{got}");
}

#[test]
fn contents_lists_the_sections_with_backlinks() {
    let input = ".. contents::\n\nOne\n===\n\nText.\n\nTwo\n===\n\nText.\n";
    let got = tree(input, Stage::Full, false);
    assert!(
        got.contains("<topic classes=\"contents\" ids=\"contents\" names=\"contents\">"),
        "{got}"
    );
    assert!(
        got.contains("<reference ids=\"toc-entry-1\" refid=\"one\">"),
        "{got}"
    );
    assert!(got.contains("<title refid=\"toc-entry-2\">"), "{got}");
}

#[test]
fn a_megabyte_of_markup_characters_parses_in_linear_time() {
    // Each of these is quadratic with docutils-style re-searching of the
    // remaining text; here each must finish and keep its structure.
    let size = 1 << 20;
    for unit in [
        "*",
        "`",
        "_",
        "|",
        "a-",
        ":a",
        " [a",
        "x a:-a-a",
        "a_b_",
        "a:b ",
        "http://x.org/",
    ] {
        let mut text = unit.repeat(size / unit.len());
        text.push('\n');
        let parsed = parse_with(&text, Stage::Parse);
        let nodes = count(&parsed.doc, Kind::Paragraph)
            + count(&parsed.doc, Kind::Problematic)
            + count(&parsed.doc, Kind::Transition)
            + count(&parsed.doc, Kind::SystemMessage);
        assert!(nodes > 0, "{unit}");
    }
}

#[test]
fn every_unclosed_start_string_gets_its_own_problematic() {
    // Message-heavy input: one problematic and one warning per start-string.
    let repeats = 3_000;
    for unit in [" *a", " `a", " |a", " **a", " ``a", " _`a"] {
        let mut text = unit.repeat(repeats);
        text.push('\n');
        let parsed = parse_with(&text, Stage::Parse);
        assert_eq!(count(&parsed.doc, Kind::Problematic), repeats, "{unit}");
    }
}

#[test]
fn a_paragraph_of_many_addresses_links_every_one() {
    let repeats = 50_000;
    let mut text = "x@y.z ".repeat(repeats);
    text.push('\n');
    let parsed = parse_with(&text, Stage::Parse);
    assert_eq!(count(&parsed.doc, Kind::Reference), repeats);
}

#[test]
fn thousands_of_broken_references_are_each_reported_once() {
    let repeats = 3_000;
    for unit in ["a_ ", "[#]_ ", "|x| "] {
        let mut text = unit.repeat(repeats);
        text.push('\n');
        let parsed = parse_with(&text, Stage::Full);
        assert_eq!(count(&parsed.doc, Kind::Problematic), repeats, "{unit}");
    }
}

#[test]
fn circular_indirect_targets_are_reported_like_docutils() {
    let got = tree(".. _a: b_\n.. _b: a_\n\na_ b_\n", Stage::Full, false);
    assert!(
        got.contains("<target ids=\"a\" names=\"a\" refid=\"a\">"),
        "{got}"
    );
    assert!(
        got.contains("<problematic ids=\"problematic-1 b\" names=\"b\""),
        "{got}"
    );
    assert!(got.contains("forming a circular reference"), "{got}");
}

#[test]
fn problems_beyond_the_per_file_budget_stay_plain_text() {
    // 10 000 problematic nodes per file at most; the rest stays readable text.
    let mut text = " *a".repeat(25_000);
    text.push('\n');
    let parsed = parse_with(&text, Stage::Parse);
    assert_eq!(count(&parsed.doc, Kind::Problematic), 10_000);
    let all_text = parsed.doc.text_content(parsed.doc.root());
    assert_eq!(all_text.matches("*a").count(), 25_000);

    let mut refs = "a_ ".repeat(25_000);
    refs.push('\n');
    let parsed = parse_with(&refs, Stage::Full);
    assert_eq!(count(&parsed.doc, Kind::Problematic), 10_000);
    assert_eq!(count(&parsed.doc, Kind::Reference), 0);
}
