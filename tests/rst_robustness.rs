//! Hostile and huge inputs for the RST block parser: nothing may panic,
//! hang or overflow the stack, and the structure that is produced must
//! still be right (the checks below fail if the parser gives up early or
//! builds the wrong tree).

use specsite::markup::doc::{Document, Kind};
use specsite::markup::rst::{parse, rst_tree, RstOptions, Stage};

fn parse_only(text: &str) -> specsite::markup::Parsed {
    let options = RstOptions {
        stage: Stage::Parse,
        ..Default::default()
    };
    parse(text, &options)
}

fn count(doc: &Document, kind: Kind) -> usize {
    doc.descendants(doc.root())
        .filter(|&n| doc.kind(n) == kind)
        .count()
}

#[test]
fn ten_thousand_nested_block_quotes_end_in_a_diagnostic() {
    let mut text = String::new();
    for depth in 0..10_000 {
        text.push_str(&" ".repeat(depth));
        text.push_str("para\n\n");
    }
    // Run on a small stack, as a worker thread would have.
    let parsed = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse_only(&text))
        .expect("spawn")
        .join()
        .expect("parser thread panicked");
    let quotes = count(&parsed.doc, Kind::BlockQuote);
    assert!(quotes >= 32, "nesting was cut off too early: {quotes}");
    assert!(
        parsed.diagnostics.iter().any(|d| d.code == "rst/too-deep"),
        "no depth diagnostic"
    );
}

#[test]
fn ten_thousand_nested_bullet_lists_do_not_overflow() {
    let mut text = String::new();
    for depth in 0..10_000 {
        text.push_str(&"  ".repeat(depth));
        text.push_str("- item\n");
    }
    let parsed = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse_only(&text))
        .expect("spawn")
        .join()
        .expect("parser thread panicked");
    assert!(count(&parsed.doc, Kind::BulletList) >= 32);
}

#[test]
fn hundred_thousand_item_list_is_one_flat_list() {
    let mut text = String::with_capacity(1_000_000);
    for i in 0..100_000 {
        text.push_str("- item ");
        text.push_str(&i.to_string());
        text.push('\n');
    }
    let parsed = parse_only(&text);
    let doc = &parsed.doc;
    let lists: Vec<_> = doc.children(doc.root()).to_vec();
    assert_eq!(lists.len(), 1);
    assert_eq!(doc.kind(lists[0]), Kind::BulletList);
    assert_eq!(doc.children(lists[0]).len(), 100_000);
}

#[test]
fn two_thousand_column_grid_table() {
    let columns = 2_000;
    let border = format!("+{}\n", "--+".repeat(columns));
    let row = format!("|{}\n", "ab|".repeat(columns));
    let text = format!("{border}{row}{border}");
    let parsed = parse_only(&text);
    let doc = &parsed.doc;
    assert_eq!(count(doc, Kind::Colspec), columns);
    assert_eq!(count(doc, Kind::Entry), columns);
}

#[test]
fn two_thousand_column_simple_table() {
    let columns = 2_000;
    let border = format!("{}\n", vec!["=="; columns].join(" "));
    let row = format!("{}\n", vec!["ab"; columns].join(" "));
    let text = format!("{border}{row}{border}");
    let parsed = parse_only(&text);
    assert_eq!(count(&parsed.doc, Kind::Entry), columns);
}

#[test]
fn unknown_directive_is_an_error_diagnostic_and_a_system_message() {
    let parsed = parse_only(".. frobnicate:: x\n\n   body\n");
    let doc = &parsed.doc;
    let message = doc
        .descendants(doc.root())
        .find(|&n| {
            doc.kind(n) == Kind::SystemMessage
                && doc
                    .attrs(n)
                    .get("level")
                    .is_some_and(|l| *l == specsite::markup::doc::Value::Int(3))
        })
        .expect("an ERROR system_message");
    assert!(doc.text_content(message).contains("frobnicate"));
    let diagnostic = parsed
        .diagnostics
        .iter()
        .find(|d| d.code == "rst/unknown-directive")
        .expect("diagnostic");
    assert_eq!(diagnostic.location.as_ref().map(|l| l.span.start), Some(0));
}

#[test]
fn include_without_root_reads_nothing() {
    let options = RstOptions {
        stage: Stage::Parse,
        root: None,
        ..Default::default()
    };
    let parsed = parse(".. include:: /etc/passwd\n", &options);
    let tree = specsite::markup::pseudoxml::print(&parsed.doc);
    assert!(!tree.contains("root:"), "file content leaked");
    assert!(tree.contains("system_message"));
    assert!(!parsed.diagnostics.is_empty());
}

#[test]
fn include_outside_root_is_refused_even_through_a_symlink() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = outside.path().join("secret.rst");
    std::fs::write(&secret, "TOPSECRET\n").expect("write");
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::write(root.path().join("ok.rst"), "Inside text.\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, root.path().join("link.rst")).expect("symlink");
    let options = RstOptions {
        stage: Stage::Parse,
        root: Some(root.path().to_path_buf()),
        current_file: Some("index.rst".into()),
        ..Default::default()
    };
    let text = format!(
        ".. include:: ok.rst\n\n.. include:: {}\n\n.. include:: link.rst\n\n.. include:: ../{}\n",
        secret.display(),
        "x/secret.rst"
    );
    let parsed = parse(&text, &options);
    let tree = specsite::markup::pseudoxml::print(&parsed.doc);
    assert!(tree.contains("Inside text."), "{tree}");
    assert!(!tree.contains("TOPSECRET"), "{tree}");
    assert!(parsed.diagnostics.len() >= 2);
}

#[test]
fn include_options_select_part_of_the_file() {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        root.path().join("part.rst"),
        "Skipped.\n\n.. start\n\nKept paragraph.\n\n.. end\n\nAlso skipped.\n",
    )
    .expect("write");
    let options = RstOptions {
        stage: Stage::Parse,
        root: Some(root.path().to_path_buf()),
        current_file: Some("index.rst".into()),
        ..Default::default()
    };
    let parsed = parse(
        ".. include:: part.rst\n   :start-after: .. start\n   :end-before: .. end\n",
        &options,
    );
    let tree = specsite::markup::pseudoxml::print(&parsed.doc);
    assert!(tree.contains("Kept paragraph."), "{tree}");
    assert!(!tree.contains("Skipped"), "{tree}");
}

#[test]
fn recursive_include_stops() {
    let root = tempfile::tempdir().expect("tempdir");
    std::fs::write(root.path().join("a.rst"), "A\n\n.. include:: a.rst\n").expect("write");
    let options = RstOptions {
        stage: Stage::Parse,
        root: Some(root.path().to_path_buf()),
        current_file: Some("a.rst".into()),
        ..Default::default()
    };
    let parsed = parse(".. include:: a.rst\n", &options);
    // A file including itself is named a cycle, before any depth limit.
    assert!(parsed
        .diagnostics
        .iter()
        .any(|d| d.message.contains("circular inclusion")));
}

#[test]
fn sections_follow_adornment_order() {
    let tree = rst_tree(
        "Title\n=====\n\nSub\n---\n\nText.\n\nOther\n=====\n",
        Stage::Parse,
        false,
    );
    let expected = "<document source=\"-\">
    <section ids=\"title\" names=\"title\">
        <title>
            Title
        <section ids=\"sub\" names=\"sub\">
            <title>
                Sub
            <paragraph>
                Text.
    <section ids=\"other\" names=\"other\">
        <title>
            Other
";
    assert_eq!(tree, expected);
}

#[test]
fn every_node_has_a_span_inside_the_source() {
    let text = "Title\n=====\n\n- a *b*\n- c\n\n  .. note:: x\n\n+---+\n| y |\n+---+\n";
    let parsed = parse_only(text);
    let doc = &parsed.doc;
    for node in doc.descendants(doc.root()) {
        let span = doc.span(node);
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{:?} {span:?}",
            doc.kind(node)
        );
    }
    let note = doc.find(doc.root(), Kind::Note).expect("note");
    assert_eq!(&text[doc.span(note).start..doc.span(note).start + 2], "..");
}
