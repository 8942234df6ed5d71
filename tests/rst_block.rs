//! Block constructs against docutils' own expectations: inputs and trees
//! taken from the conformance vectors (shared/rst-conformance, docutils
//! 0.22.4 test suite, public domain), compared byte for byte with our
//! pseudo-XML (the root's `source` aside).

use specsite::markup::rst::{rst_tree, Stage};

const CASES: &[(&str, &str)] = &[
    // test_enumerated_lists:enumerated_lists:0
    (
        r#"1. Item one.

2. Item two.

3. Item three.
"#,
        r#"<document source="-">
    <enumerated_list enumtype="arabic" prefix="" suffix=".">
        <list_item>
            <paragraph>
                Item one.
        <list_item>
            <paragraph>
                Item two.
        <list_item>
            <paragraph>
                Item three.
"#,
    ),
    // test_tables:grid_tables:0
    (
        r#"+-------------------------------------+
| A table with one cell and one line. |
+-------------------------------------+
"#,
        r#"<document source="-">
    <table>
        <tgroup cols="1">
            <colspec colwidth="37">
            <tbody>
                <row>
                    <entry>
                        <paragraph>
                            A table with one cell and one line.
"#,
    ),
    // test_tables:simple_tables:0
    (
        r#"============  ============
A table with  two columns.
============  ============

Paragraph.
"#,
        r#"<document source="-">
    <table>
        <tgroup cols="2">
            <colspec colwidth="12">
            <colspec colwidth="12">
            <tbody>
                <row>
                    <entry>
                        <paragraph>
                            A table with
                    <entry>
                        <paragraph>
                            two columns.
    <paragraph>
        Paragraph.
"#,
    ),
    // test_option_lists:option_lists:0
    (
        r#"Short options:

-a       option -a

-b file  option -b

-c name  option -c
"#,
        r#"<document source="-">
    <paragraph>
        Short options:
    <option_list>
        <option_list_item>
            <option_group>
                <option>
                    <option_string>
                        -a
            <description>
                <paragraph>
                    option -a
        <option_list_item>
            <option_group>
                <option>
                    <option_string>
                        -b
                    <option_argument delimiter=" ">
                        file
            <description>
                <paragraph>
                    option -b
        <option_list_item>
            <option_group>
                <option>
                    <option_string>
                        -c
                    <option_argument delimiter=" ">
                        name
            <description>
                <paragraph>
                    option -c
"#,
    ),
    // test_field_lists:field_lists:0
    (
        r#"One-liners:

:Author: Me

:Version: 1

:Date: 2001-08-11

:Parameter i: integer
"#,
        r#"<document source="-">
    <paragraph>
        One-liners:
    <field_list>
        <field>
            <field_name>
                Author
            <field_body>
                <paragraph>
                    Me
        <field>
            <field_name>
                Version
            <field_body>
                <paragraph>
                    1
        <field>
            <field_name>
                Date
            <field_body>
                <paragraph>
                    2001-08-11
        <field>
            <field_name>
                Parameter i
            <field_body>
                <paragraph>
                    integer
"#,
    ),
    // test_block_quotes:block_quotes:0
    (
        r#"Line 1.
Line 2.

   Indented.
"#,
        r#"<document source="-">
    <paragraph>
        Line 1.
        Line 2.
    <block_quote>
        <paragraph>
            Indented.
"#,
    ),
    // test_definition_lists:definition_lists:0
    (
        r#"term
  definition
"#,
        r#"<document source="-">
    <definition_list>
        <definition_list_item>
            <term>
                term
            <definition>
                <paragraph>
                    definition
"#,
    ),
    // test_line_blocks:line_blocks:0
    (
        r#"| This is a line block.
| Line breaks are *preserved*.

| This is a second line block.

| This is a third.
"#,
        r#"<document source="-">
    <line_block>
        <line>
            This is a line block.
        <line>
            Line breaks are 
            <emphasis>
                preserved
            .
    <line_block>
        <line>
            This is a second line block.
    <line_block>
        <line>
            This is a third.
"#,
    ),
    // test_literal_blocks:indented_literal_blocks:0
    (
        r#"A paragraph::

    A literal block.
"#,
        r#"<document source="-">
    <paragraph>
        A paragraph:
    <literal_block xml:space="preserve">
        A literal block.
"#,
    ),
    // test_section_headers:section_headers:0
    (
        r#"Title
=====

Paragraph.
"#,
        r#"<document source="-">
    <section ids="title" names="title">
        <title>
            Title
        <paragraph>
            Paragraph.
"#,
    ),
];

#[test]
fn block_constructs_match_docutils_exactly() {
    for (input, expected) in CASES {
        assert_eq!(
            &rst_tree(input, Stage::Parse, false),
            expected,
            "input:\n{input}"
        );
    }
}
