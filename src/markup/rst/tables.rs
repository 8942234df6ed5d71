//! Tables: grid and simple tables (docutils' `tableparser.py`) and the
//! `table`, `csv-table` and `list-table` directives.
//!
//! A table is first isolated from the surrounding lines, then parsed into
//! cells by column positions (characters, as docutils counts them), then
//! built into `table/tgroup/colspec/thead/tbody/row/entry` with each cell's
//! text parsed as body elements. Grid-table cell scanning follows docutils'
//! corner walk; every loop is bounded by the table's size, so malformed
//! tables end in docutils' "Malformed table" error rather than a hang.

use super::block::{column_width, is_grid_table_top, text_block_end, Parser};

/// Stand-in for the second column of a wide character.
const PAD: char = '\u{0}';
use super::directives::{Block, Failure};
use super::lines::{span_of, Line};
use crate::markup::doc::{Kind, NodeId, Value};
use crate::source::Span;

/// One cell: (morerows, morecols, first line index in the table, lines).
type Cell<'a> = (usize, usize, usize, Vec<Line<'a>>);
type Row<'a> = Vec<Option<Cell<'a>>>;

struct TableData<'a> {
    colwidths: Vec<usize>,
    head: Vec<Row<'a>>,
    body: Vec<Row<'a>>,
}

struct TableError {
    message: String,
    offset: usize,
}

fn table_error(message: impl Into<String>, offset: usize) -> TableError {
    TableError {
        message: message.into(),
        offset,
    }
}

/// A table line as characters, with the byte index of every character.
struct CharLine<'a> {
    line: Line<'a>,
    chars: Vec<char>,
    bytes: Vec<usize>,
}

impl<'a> CharLine<'a> {
    fn new(line: Line<'a>) -> CharLine<'a> {
        let mut chars = Vec::with_capacity(line.text.len());
        let mut bytes = Vec::with_capacity(line.text.len() + 1);
        for (i, c) in line.text.char_indices() {
            chars.push(c);
            bytes.push(i);
            // docutils pads East Asian wide characters to two columns.
            if column_width(line.text.get(i..i + c.len_utf8()).unwrap_or("")) == 2 {
                chars.push(PAD);
                bytes.push(i + c.len_utf8());
            }
        }
        bytes.push(line.text.len());
        CharLine { line, chars, bytes }
    }

    fn at(&self, col: usize) -> char {
        self.chars.get(col).copied().unwrap_or(' ')
    }

    /// Characters `left..right` as a line (clamped).
    fn slice(&self, left: usize, right: usize) -> Line<'a> {
        let n = self.chars.len();
        let l = left.min(n);
        let r = right.min(n).max(l);
        let (bl, br) = (self.bytes[l], self.bytes[r]);
        Line::new(
            self.line.text.get(bl..br).unwrap_or("").trim_end(),
            self.line.offset + bl,
        )
    }
}

/// docutils `get_2D_block` on char lines: slice and strip common indentation.
fn block_2d<'a>(lines: &[CharLine<'a>], left: usize, right: usize) -> Vec<Line<'a>> {
    let mut block: Vec<Line<'a>> = lines.iter().map(|l| l.slice(left, right)).collect();
    let width = right.saturating_sub(left);
    let mut indent = width;
    for line in &block {
        if !line.text.is_empty() {
            indent = indent.min(line.text.len() - line.text.trim_start_matches(' ').len());
        }
    }
    if indent > 0 && indent < width {
        for line in block.iter_mut() {
            *line = line.strip_cols(indent);
        }
    }
    block
}

fn is_head_sep_grid(chars: &[char]) -> bool {
    // \+=[=+]+=\+ *$
    let mut end = chars.len();
    while end > 0 && chars[end - 1] == ' ' {
        end -= 1;
    }
    let c = &chars[..end];
    c.len() >= 4
        && c[0] == '+'
        && c[1] == '='
        && c[end - 1] == '+'
        && c[end - 2] == '='
        && c[1..end - 1].iter().all(|&x| x == '=' || x == '+')
}

struct GridParser<'a> {
    block: Vec<CharLine<'a>>,
    bottom: usize,
    right: usize,
    done: Vec<isize>,
    rowseps: std::collections::BTreeSet<usize>,
    colseps: std::collections::BTreeSet<usize>,
    cells: Vec<(usize, usize, usize, usize)>,
    head_body_sep: Option<usize>,
}

impl<'a> GridParser<'a> {
    fn at(&self, row: usize, col: usize) -> char {
        self.block.get(row).map_or(' ', |l| l.at(col))
    }

    fn parse(mut self) -> Result<TableData<'a>, TableError> {
        // head/body separator
        for i in 0..self.block.len() {
            if is_head_sep_grid(&self.block[i].chars) {
                if let Some(previous) = self.head_body_sep {
                    return Err(table_error(
                        format!(
                            "Multiple head/body row separators (table lines {} and {}); only one allowed.",
                            previous + 1,
                            i + 1
                        ),
                        i,
                    ));
                }
                self.head_body_sep = Some(i);
                for c in self.block[i].chars.iter_mut() {
                    if *c == '=' {
                        *c = '-';
                    }
                }
            }
        }
        if let Some(sep) = self.head_body_sep {
            if sep == 0 || sep + 1 == self.block.len() {
                return Err(table_error(
                    "The head/body row separator may not be the first or last line of the table.",
                    sep,
                ));
            }
        }
        let mut corners: Vec<(usize, usize)> = vec![(0, 0)];
        let mut guard = 0usize;
        let limit = (self.bottom + 2) * (self.right + 2) * 4 + 16;
        while !corners.is_empty() {
            guard += 1;
            if guard > limit {
                break;
            }
            let (top, left) = corners.remove(0);
            if top == self.bottom
                || left == self.right
                || (top as isize) <= self.done.get(left).copied().unwrap_or(isize::MAX)
            {
                continue;
            }
            let Some((bottom, right, rowseps, colseps)) = self.scan_right(top, left) else {
                continue;
            };
            self.rowseps.extend(rowseps);
            self.colseps.extend(colseps);
            for col in left..right {
                if let Some(d) = self.done.get_mut(col) {
                    *d = bottom as isize - 1;
                }
            }
            self.cells.push((top, left, bottom, right));
            corners.push((top, right));
            corners.push((bottom, left));
            corners.sort_unstable();
            corners.dedup();
        }
        let last = self.bottom as isize - 1;
        if (0..self.right).any(|col| self.done.get(col).copied() != Some(last)) {
            return Err(table_error("Malformed table; parse incomplete.", 0));
        }
        self.structure()
    }

    fn scan_right(
        &self,
        top: usize,
        left: usize,
    ) -> Option<(usize, usize, Vec<usize>, Vec<usize>)> {
        let mut colseps = Vec::new();
        for i in left + 1..=self.right {
            let c = self.at(top, i);
            if c == '+' {
                colseps.push(i);
                if let Some((bottom, rowseps, more)) = self.scan_down(top, left, i) {
                    colseps.extend(more);
                    return Some((bottom, i, rowseps, colseps));
                }
            } else if c != '-' {
                return None;
            }
        }
        None
    }

    fn scan_down(
        &self,
        top: usize,
        left: usize,
        right: usize,
    ) -> Option<(usize, Vec<usize>, Vec<usize>)> {
        let mut rowseps = Vec::new();
        for i in top + 1..=self.bottom {
            let c = self.at(i, right);
            if c == '+' {
                rowseps.push(i);
                if let Some((more, colseps)) = self.scan_left(top, left, i, right) {
                    rowseps.extend(more);
                    return Some((i, rowseps, colseps));
                }
            } else if c != '|' {
                return None;
            }
        }
        None
    }

    fn scan_left(
        &self,
        top: usize,
        left: usize,
        bottom: usize,
        right: usize,
    ) -> Option<(Vec<usize>, Vec<usize>)> {
        let mut colseps = Vec::new();
        let mut i = right.saturating_sub(1);
        while i > left {
            let c = self.at(bottom, i);
            if c == '+' {
                colseps.push(i);
            } else if c != '-' {
                return None;
            }
            i -= 1;
        }
        if self.at(bottom, left) != '+' {
            return None;
        }
        let mut rowseps = Vec::new();
        let mut i = bottom.saturating_sub(1);
        while i > top {
            let c = self.at(i, left);
            if c == '+' {
                rowseps.push(i);
            } else if c != '|' {
                return None;
            }
            i -= 1;
        }
        Some((rowseps, colseps))
    }

    fn structure(self) -> Result<TableData<'a>, TableError> {
        let rowseps: Vec<usize> = self.rowseps.iter().copied().collect();
        let colseps: Vec<usize> = self.colseps.iter().copied().collect();
        let row_index = |r: usize| rowseps.binary_search(&r).ok();
        let col_index = |c: usize| colseps.binary_search(&c).ok();
        let colwidths: Vec<usize> = colseps.windows(2).map(|w| w[1] - w[0] - 1).collect();
        let ncols = colseps.len().saturating_sub(1);
        let nrows = rowseps.len().saturating_sub(1);
        let mut rows: Vec<Row<'a>> = (0..nrows).map(|_| vec![None; ncols]).collect();
        for &(top, left, bottom, right) in &self.cells {
            let (Some(r), Some(c), Some(rb), Some(cr)) = (
                row_index(top),
                col_index(left),
                row_index(bottom),
                col_index(right),
            ) else {
                return Err(table_error("Malformed table; parse incomplete.", 0));
            };
            let lines = block_2d(&self.block[top + 1..bottom], left + 1, right);
            let slot = rows.get_mut(r).and_then(|row| row.get_mut(c));
            match slot {
                Some(slot @ None) => *slot = Some((rb - r - 1, cr - c - 1, top + 1, lines)),
                _ => return Err(table_error("Malformed table; parse incomplete.", 0)),
            }
        }
        let (head, body) = match self.head_body_sep.and_then(row_index) {
            Some(n) => {
                let body = rows.split_off(n.min(rows.len()));
                (rows, body)
            }
            None => (Vec::new(), rows),
        };
        Ok(TableData {
            colwidths,
            head,
            body,
        })
    }
}

fn parse_grid<'a>(lines: &[Line<'a>]) -> Result<TableData<'a>, TableError> {
    let block: Vec<CharLine<'a>> = lines.iter().map(|l| CharLine::new(*l)).collect();
    let width = block.first().map_or(0, |l| l.chars.len());
    let parser = GridParser {
        bottom: block.len().saturating_sub(1),
        right: width.saturating_sub(1),
        done: vec![-1; width],
        rowseps: [0].into_iter().collect(),
        colseps: [0].into_iter().collect(),
        cells: Vec::new(),
        head_body_sep: None,
        block,
    };
    parser.parse()
}

fn find_dashes(chars: &[char]) -> Vec<(usize, usize)> {
    let mut cols = Vec::new();
    let mut end = 0;
    while let Some(begin) = (end..chars.len()).find(|&i| chars[i] == '-') {
        end = (begin..chars.len())
            .find(|&i| chars[i] == ' ')
            .unwrap_or(chars.len());
        cols.push((begin, end));
    }
    cols
}

fn is_span_line(chars: &[char]) -> bool {
    chars.first() == Some(&'-') && chars.iter().all(|&c| c == '-' || c == ' ')
}

fn blank_range(chars: &[char], start: usize, end: usize) -> bool {
    chars
        .get(start.min(chars.len())..end.min(chars.len()))
        .is_none_or(|s| s.iter().all(|c| c.is_whitespace()))
}

fn parse_simple<'a>(lines: &[Line<'a>]) -> Result<TableData<'a>, TableError> {
    let mut block: Vec<CharLine<'a>> = lines.iter().map(|l| CharLine::new(*l)).collect();
    let n = block.len();
    for index in [0, n.saturating_sub(1)] {
        if let Some(line) = block.get_mut(index) {
            for c in line.chars.iter_mut() {
                if *c == '=' {
                    *c = '-';
                }
            }
        }
    }
    let mut head_body_sep = None;
    for (i, line) in block.iter_mut().enumerate() {
        let is_sep =
            line.chars.first() == Some(&'=') && line.chars.iter().all(|&c| c == '=' || c == ' ');
        if is_sep {
            if let Some(previous) = head_body_sep {
                return Err(table_error(
                    format!("Multiple head/body row separators (table lines {} and {}); only one allowed.", previous + 1, i + 1),
                    i,
                ));
            }
            head_body_sep = Some(i);
            for c in line.chars.iter_mut() {
                if *c == '=' {
                    *c = '-';
                }
            }
        }
    }
    let mut columns = find_dashes(&block[0].chars);
    let Some(&(first_start, first_end)) = columns.first() else {
        return Err(table_error("Malformed table.", 0));
    };
    let border_end = columns.last().map_or(0, |c| c.1);
    let mut table: Vec<Vec<Cell<'a>>> = Vec::new();
    let mut offset = 1;
    let mut start = 1;
    let mut text_found = false;
    // parse_row closure as a local fn
    fn parse_row<'a>(
        block: &[CharLine<'a>],
        start: usize,
        end: usize,
        spanline: Option<usize>,
        columns: &mut [(usize, usize)],
        border_end: usize,
        table: &mut Vec<Vec<Cell<'a>>>,
    ) -> Result<(), TableError> {
        let rows = block.get(start..end).unwrap_or(&[]);
        if rows.is_empty() && spanline.is_none() {
            return Ok(());
        }
        let mut row_columns = match spanline {
            Some(index) => {
                let mut cols = find_dashes(&block[index].chars);
                if let Some(last) = cols.last_mut() {
                    if last.1 != border_end {
                        return Err(table_error(
                            format!("Column span incomplete in table line {}.", index + 1),
                            index,
                        ));
                    }
                    last.1 = columns.last().map_or(last.1, |c| c.1);
                }
                cols
            }
            None => columns.to_vec(),
        };
        // check_columns
        let lastcol = row_columns.len().saturating_sub(1);
        for i in 0..row_columns.len() {
            let (cstart, cend) = row_columns[i];
            let next_start = row_columns.get(i + 1).map_or(usize::MAX, |c| c.0);
            for (k, line) in rows.iter().enumerate() {
                if i == lastcol && !blank_range(&line.chars, cend, usize::MAX) {
                    let text_len = line.chars.len();
                    let new_end = text_len.max(cstart);
                    let (main_start, main_end) = columns.last().copied().unwrap_or((cstart, cend));
                    row_columns[i] = (cstart, main_end.max(new_end));
                    if new_end > main_end {
                        if let Some(last) = columns.last_mut() {
                            *last = (main_start, new_end);
                        }
                    }
                } else if !blank_range(&line.chars, cend, next_start) {
                    return Err(table_error(
                        format!("Text in column margin in table line {}.", start + k + 1),
                        start + k,
                    ));
                }
            }
        }
        // init_row
        let mut cells = Vec::new();
        let mut ci = 0;
        for &(cstart, cend) in &row_columns {
            let mut morecols = 0;
            if columns.get(ci).map(|c| c.0) != Some(cstart) {
                return Err(table_error(
                    format!("Column span alignment problem in table line {}.", start + 1),
                    start,
                ));
            }
            while columns.get(ci).map(|c| c.1) != Some(cend) {
                ci += 1;
                morecols += 1;
                if ci >= columns.len() {
                    return Err(table_error(
                        format!("Column span alignment problem in table line {}.", start + 1),
                        start,
                    ));
                }
            }
            ci += 1;
            let lines = block_2d(rows, cstart, cend);
            cells.push((0, morecols, start, lines));
        }
        table.push(cells);
        Ok(())
    }
    while offset < n {
        let chars = &block[offset].chars;
        if is_span_line(chars) {
            parse_row(
                &block,
                start,
                offset,
                Some(offset),
                &mut columns,
                border_end,
                &mut table,
            )?;
            start = offset + 1;
            text_found = false;
        } else if !blank_range(chars, first_start, first_end) {
            if text_found && offset != start {
                parse_row(
                    &block,
                    start,
                    offset,
                    None,
                    &mut columns,
                    border_end,
                    &mut table,
                )?;
            }
            start = offset;
            text_found = true;
        } else if !text_found {
            start = offset + 1;
        }
        offset += 1;
    }
    let colwidths: Vec<usize> = columns.iter().map(|(s, e)| e - s).collect();
    let mut first_body = 0;
    if let Some(sep) = head_body_sep {
        for (i, row) in table.iter().enumerate() {
            if row.first().is_some_and(|c| c.2 > sep) {
                first_body = i;
                break;
            }
        }
    }
    let mut rows: Vec<Row<'a>> = table
        .into_iter()
        .map(|row| row.into_iter().map(Some).collect())
        .collect();
    let body = rows.split_off(first_body.min(rows.len()));
    Ok(TableData {
        colwidths,
        head: rows,
        body,
    })
}

impl Parser<'_> {
    fn malformed_table(&mut self, block: &[Line<'_>], detail: &str) -> NodeId {
        let text = block.iter().map(|l| l.text).collect::<Vec<_>>().join("\n");
        let mut message = "Malformed table.".to_string();
        if !detail.is_empty() {
            message.push('\n');
            message.push_str(detail);
        }
        let span = span_of(block, 0);
        self.msg(3, "rst/malformed-table", &message, span, Some(&text))
    }

    fn build_table(
        &mut self,
        data: TableData<'_>,
        span: Span,
        stub_columns: usize,
        widths: Option<&str>,
    ) -> NodeId {
        let table = self.doc.create(Kind::Table, span);
        match widths {
            Some("auto") => self.doc.attrs_mut(table).push("classes", "colwidths-auto"),
            Some(_) => self.doc.attrs_mut(table).push("classes", "colwidths-given"),
            None => {}
        }
        let tgroup = self.doc.push(table, Kind::Tgroup, span);
        self.doc
            .attrs_mut(tgroup)
            .set("cols", Value::Int(data.colwidths.len() as i64));
        for (i, width) in data.colwidths.iter().enumerate() {
            let colspec = self.doc.push(tgroup, Kind::Colspec, span);
            self.doc
                .attrs_mut(colspec)
                .set("colwidth", Value::Int(*width as i64));
            if i < stub_columns {
                self.doc.attrs_mut(colspec).set("stub", Value::Int(1));
            }
        }
        if !data.head.is_empty() {
            let thead = self.doc.push(tgroup, Kind::Thead, span);
            for row in data.head {
                self.build_row(thead, row, span);
            }
        }
        let tbody = self.doc.push(tgroup, Kind::Tbody, span);
        for row in data.body {
            self.build_row(tbody, row, span);
        }
        table
    }

    fn build_row(&mut self, parent: NodeId, row: Row<'_>, span: Span) {
        let row_node = self.doc.push(parent, Kind::Row, span);
        for (morerows, morecols, _, lines) in row.into_iter().flatten() {
            let entry = self
                .doc
                .push(row_node, Kind::Entry, span_of(&lines, span.start));
            if morerows > 0 {
                self.doc
                    .attrs_mut(entry)
                    .set("morerows", Value::Int(morerows as i64));
            }
            if morecols > 0 {
                self.doc
                    .attrs_mut(entry)
                    .set("morecols", Value::Int(morecols as i64));
            }
            if lines.iter().any(|l| !l.text.is_empty()) {
                self.parse_body(&lines, entry, false);
            }
        }
    }

    /// A grid table starting at line `i`; returns the next index.
    pub(super) fn grid_table(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let mut blank_finish = true;
        let mut messages = Vec::new();
        let mut end = match text_block_end(lines, i, true) {
            Ok(end) => end,
            Err(end) => {
                let span = Span::at(lines[end].offset);
                messages.push(self.msg(
                    3,
                    "rst/unexpected-indentation",
                    "Unexpected indentation.",
                    span,
                    None,
                ));
                blank_finish = false;
                end
            }
        };
        let width = column_width(lines[i].text.trim());
        let mut block: Vec<Line<'_>> = lines[i..end].to_vec();
        for k in 0..block.len() {
            let first = block[k].text.chars().next();
            if !matches!(first, Some('+') | Some('|')) {
                blank_finish = false;
                end = i + k;
                block.truncate(k);
                break;
            }
        }
        let bottom_ok = block.last().is_some_and(|l| is_grid_table_top(l.text));
        if !bottom_ok {
            let mut found = None;
            let mut k = block.len().saturating_sub(2);
            while k > 1 {
                if is_grid_table_top(block[k].text) {
                    found = Some(k);
                    break;
                }
                k -= 1;
            }
            match found {
                Some(k) => {
                    blank_finish = false;
                    block.truncate(k + 1);
                    end = i + k + 1;
                }
                None => {
                    let msg = self.malformed_table(&block, "Bottom border missing or corrupt.");
                    messages.push(msg);
                    self.append_all(parent, messages);
                    self.table_blank_warning(lines, end, parent, blank_finish);
                    return end;
                }
            }
        }
        let right_ok = block.iter().all(|l| {
            column_width(l.text) == width && matches!(l.text.chars().last(), Some('+') | Some('|'))
        });
        if !right_ok {
            let msg = self.malformed_table(&block, "");
            messages.push(msg);
            self.append_all(parent, messages);
            self.table_blank_warning(lines, end, parent, blank_finish);
            return end;
        }
        let span = span_of(&block, lines[i].offset);
        match parse_grid(&block) {
            Ok(data) => {
                let table = self.build_table(data, span, 0, None);
                self.doc.append(parent, table);
            }
            Err(error) => {
                let msg = self.malformed_table(&block, &error.message);
                let _ = error.offset;
                self.doc.append(parent, msg);
            }
        }
        self.append_all(parent, messages);
        self.table_blank_warning(lines, end, parent, blank_finish);
        end
    }

    fn table_blank_warning(
        &mut self,
        lines: &[Line<'_>],
        end: usize,
        parent: NodeId,
        blank_finish: bool,
    ) {
        if !blank_finish {
            let span = lines
                .get(end)
                .map_or(Span::default(), |l| Span::at(l.offset));
            self.append_msg(
                parent,
                2,
                "rst/table-blank-line",
                "Blank line required after table.",
                span,
                None,
            );
        }
    }

    /// A simple table starting at line `i`; returns the next index.
    pub(super) fn simple_table(&mut self, lines: &[Line<'_>], i: usize, parent: NodeId) -> usize {
        let top_len = column_width(lines[i].text.trim());
        let limit = lines.len() - 1;
        let is_border = |t: &str| t.starts_with('=') && t.bytes().all(|b| b == b'=' || b == b' ');
        let mut found = 0;
        let mut found_at = None;
        let mut k = i + 1;
        let mut end = None;
        while k <= limit {
            let line = lines[k];
            if is_border(line.text) {
                if line.text.trim().chars().count() != top_len {
                    let block = &lines[i..=k];
                    let msg = self.malformed_table(
                        block,
                        "Bottom/header table border does not match top border.",
                    );
                    self.doc.append(parent, msg);
                    let blank_finish = k == limit || lines[k + 1].is_blank();
                    self.table_blank_warning(lines, k + 1, parent, blank_finish);
                    return k + 1;
                }
                found += 1;
                found_at = Some(k);
                if found == 2 || k == limit || lines[k + 1].is_blank() {
                    end = Some(k);
                    break;
                }
            }
            k += 1;
        }
        let Some(end) = end else {
            let (block, extra, next) = match found_at {
                Some(at) => (
                    &lines[i..=at],
                    " or no blank line after table bottom",
                    at + 1,
                ),
                None => (&lines[i..], "", lines.len()),
            };
            let msg = self.malformed_table(block, &format!("No bottom table border found{extra}."));
            self.doc.append(parent, msg);
            self.table_blank_warning(lines, next, parent, extra.is_empty());
            return next;
        };
        let block = &lines[i..=end];
        let blank_finish = end == limit || lines[end + 1].is_blank();
        let span = span_of(block, lines[i].offset);
        match parse_simple(block) {
            Ok(data) => {
                let table = self.build_table(data, span, 0, None);
                self.doc.append(parent, table);
            }
            Err(error) => {
                let msg = self.malformed_table(block, &error.message);
                self.doc.append(parent, msg);
            }
        }
        self.table_blank_warning(lines, end + 1, parent, blank_finish);
        end + 1
    }

    pub(super) fn table_directive(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        match block.name.as_str() {
            "table" => self.table_with_title(block),
            "list-table" => self.list_table(block),
            _ => self.csv_table(block),
        }
    }

    fn table_title(&mut self, block: &Block<'_>) -> (Option<NodeId>, Vec<NodeId>) {
        match block.arguments.first() {
            Some(text) => {
                let title = self.doc.create(Kind::Title, block.span);
                let messages = self.inline_text(title, text, block.span.start);
                (Some(title), messages)
            }
            None => (None, Vec::new()),
        }
    }

    fn finish_table(&mut self, table: NodeId, title: Option<NodeId>, block: &Block<'_>) {
        if let Some(title) = title {
            self.doc.insert(table, 0, title);
        }
        if let Some(classes) = block.opt("class") {
            for class in classes.split_whitespace() {
                self.doc.attrs_mut(table).push("classes", class);
            }
        }
        if let Some(align) = block.opt("align") {
            self.doc.attrs_mut(table).set("align", align);
        }
        if let Some(width) = block.opt("width") {
            self.doc.attrs_mut(table).set("width", width);
        }
        if let Some(name) = block.opt("name") {
            self.doc.attrs_mut(table).push("names", name);
            self.state
                .note_explicit_target(self.doc, table, Some(table));
        }
    }

    fn table_with_title(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        if block.content.is_empty() {
            let msg = self.msg(
                2,
                "rst/table-empty",
                "Content block expected for the \"table\" directive; none found.",
                block.span,
                Some(&block.block_text),
            );
            return Ok(vec![msg]);
        }
        let (title, mut messages) = self.table_title(block);
        let holder = self.doc.create(Kind::Container, block.span);
        self.parse_body(&block.content, holder, false);
        let children: Vec<NodeId> = self.doc.children(holder).to_vec();
        let tables: Vec<NodeId> = children
            .iter()
            .copied()
            .filter(|&c| self.doc.kind(c) == Kind::Table)
            .collect();
        if children.len() != 1 || tables.len() != 1 {
            let msg = self.msg(3, "rst/table-directive", "Error parsing content block for the \"table\" directive: exactly one table expected.", block.span, Some(&block.block_text));
            messages.insert(0, msg);
            return Ok(messages);
        }
        let table = tables[0];
        self.doc.detach(table);
        let widths = block.opt("widths").map(str::trim);
        if let Some(widths) = widths {
            let tgroup = self
                .doc
                .children(table)
                .iter()
                .copied()
                .find(|&c| self.doc.kind(c) == Kind::Tgroup);
            if widths == "auto" {
                self.doc.attrs_mut(table).push("classes", "colwidths-auto");
            } else if widths != "grid" {
                let values: Vec<i64> = widths
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .filter_map(|s| s.parse().ok())
                    .collect();
                if let Some(tgroup) = tgroup {
                    let colspecs: Vec<NodeId> = self
                        .doc
                        .children(tgroup)
                        .iter()
                        .copied()
                        .filter(|&c| self.doc.kind(c) == Kind::Colspec)
                        .collect();
                    if colspecs.len() != values.len() {
                        let msg = self.msg(3, "rst/table-directive", &format!("\"table\" widths do not match the number of columns in table ({}).", colspecs.len()), block.span, Some(&block.block_text));
                        return Ok(vec![msg]);
                    }
                    for (c, v) in colspecs.iter().zip(values) {
                        self.doc.attrs_mut(*c).set("colwidth", Value::Int(v));
                    }
                }
                self.doc.attrs_mut(table).push("classes", "colwidths-given");
            } else {
                self.doc.attrs_mut(table).push("classes", "colwidths-given");
            }
        }
        self.finish_table(table, title, block);
        let mut out = vec![table];
        out.extend(messages);
        Ok(out)
    }

    fn header_rows_stub(&self, block: &Block<'_>) -> (usize, usize) {
        let header = block
            .opt("header-rows")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let stub = block
            .opt("stub-columns")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        (header, stub)
    }

    fn widths_for(
        &mut self,
        block: &Block<'_>,
        ncols: usize,
    ) -> Result<(Vec<usize>, Option<String>), Failure> {
        match block.opt("widths").map(str::trim) {
            Some("auto") => Ok((vec![100 / ncols.max(1); ncols], Some("auto".into()))),
            Some("grid") | None => Ok((vec![100 / ncols.max(1); ncols], None)),
            Some(text) => {
                let values: Vec<usize> = text
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse::<usize>().ok().filter(|&v| v > 0).ok_or(()))
                    .collect::<Result<_, _>>()
                    .map_err(|_| Failure(3, format!("Error in \"{}\" directive:\ninvalid option value: (option: \"widths\"; value: '{text}')\ninvalid literal for int().", block.name)))?;
                if values.len() != ncols {
                    return Err(Failure(
                        3,
                        format!(
                            "\"{}\" widths do not match the number of columns in table ({ncols}).",
                            block.name
                        ),
                    ));
                }
                Ok((values, Some("given".into())))
            }
        }
    }

    fn list_table(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        if block.content.is_empty() {
            return Err(Failure(
                3,
                "Content block expected for the \"list-table\" directive; none found.".into(),
            ));
        }
        let (title, messages) = self.table_title(block);
        let holder = self.doc.create(Kind::Container, block.span);
        self.parse_body(&block.content, holder, false);
        let children: Vec<NodeId> = self.doc.children(holder).to_vec();
        let malformed = |detail: &str| {
            Failure(
                3,
                format!("Error parsing content block for the \"list-table\" directive: {detail}"),
            )
        };
        if children.len() != 1 || self.doc.kind(children[0]) != Kind::BulletList {
            return Err(malformed("exactly one bullet list expected."));
        }
        let list = children[0];
        let mut rows: Vec<Vec<NodeId>> = Vec::new();
        for (i, &item) in self.doc.children(list).to_vec().iter().enumerate() {
            let inner: Vec<NodeId> = self.doc.children(item).to_vec();
            if inner.len() != 1 || self.doc.kind(inner[0]) != Kind::BulletList {
                return Err(malformed(&format!("two-level bullet list expected, but row {} does not contain a second-level bullet list.", i + 1)));
            }
            rows.push(self.doc.children(inner[0]).to_vec());
        }
        let ncols = rows.first().map_or(0, Vec::len);
        if block.opt("widths").map(str::trim) != Some("auto") {
            for (i, row) in rows.iter().enumerate() {
                if row.len() != ncols {
                    return Err(malformed(&format!("uniform two-level bullet list expected, but row {} does not contain the same number of items as row 1 ({} vs {}).", i + 1, row.len(), ncols)));
                }
            }
        }
        let (widths, kind) = self.widths_for(block, ncols)?;
        let (header_rows, stub) = self.header_rows_stub(block);
        if header_rows >= rows.len() && header_rows > 0 {
            return Err(Failure(3, format!("{} header row(s) specified but only {} row(s) of data supplied (\"list-table\" directive).", header_rows, rows.len())));
        }
        if stub >= ncols && stub > 0 {
            return Err(Failure(3, format!("{stub} stub column(s) specified but only {ncols} columns(s) of data supplied (\"list-table\" directive).")));
        }
        let span = block.span;
        let table = self.doc.create(Kind::Table, span);
        match kind.as_deref() {
            Some("auto") => self.doc.attrs_mut(table).push("classes", "colwidths-auto"),
            Some(_) => self.doc.attrs_mut(table).push("classes", "colwidths-given"),
            None => {}
        }
        let tgroup = self.doc.push(table, Kind::Tgroup, span);
        self.doc
            .attrs_mut(tgroup)
            .set("cols", Value::Int(ncols as i64));
        for (i, w) in widths.iter().enumerate() {
            let colspec = self.doc.push(tgroup, Kind::Colspec, span);
            self.doc
                .attrs_mut(colspec)
                .set("colwidth", Value::Int(*w as i64));
            if i < stub {
                self.doc.attrs_mut(colspec).set("stub", Value::Int(1));
            }
        }
        let mut section = None;
        for (r, row) in rows.iter().enumerate() {
            let parent = if r < header_rows {
                *section.get_or_insert_with(|| self.doc.push(tgroup, Kind::Thead, span))
            } else {
                if r == header_rows || section.is_none() {
                    section = Some(self.doc.push(tgroup, Kind::Tbody, span));
                }
                section.unwrap_or(tgroup)
            };
            let row_node = self.doc.push(parent, Kind::Row, span);
            for &item in row {
                let entry = self.doc.push(row_node, Kind::Entry, self.doc.span(item));
                for c in self.doc.children(item).to_vec() {
                    self.doc.append(entry, c);
                }
            }
        }
        self.finish_table(table, title, block);
        let mut out = vec![table];
        out.extend(messages);
        Ok(out)
    }

    fn csv_table(&mut self, block: &Block<'_>) -> Result<Vec<NodeId>, Failure> {
        if block.has("url") {
            return Err(Failure(4, "The \"url\" option of the \"csv-table\" directive is not supported: specsite never fetches URLs.".into()));
        }
        let owned;
        let (text, base_offset) = if let Some(path) = block.opt("file") {
            if !block.content.is_empty() {
                return Err(Failure(3, "\"csv-table\" directive may not both specify an external file and have content.".into()));
            }
            owned = super::files::read(self.state, path).map_err(|m| Failure(4, m))?;
            (owned.as_str(), block.span.start)
        } else {
            if block.content.is_empty() {
                return Err(Failure(
                    3,
                    "The \"csv-table\" directive requires content; none supplied.".into(),
                ));
            }
            owned = block
                .content
                .iter()
                .map(|l| l.text)
                .collect::<Vec<_>>()
                .join("\n");
            (owned.as_str(), block.content[0].offset)
        };
        let delim = block
            .opt("delim")
            .map(csv_char)
            .unwrap_or(Some(','))
            .unwrap_or(',');
        let quote = block
            .opt("quote")
            .map(csv_char)
            .unwrap_or(Some('"'))
            .unwrap_or('"');
        let escape = block.opt("escape").and_then(csv_char);
        let keepspace = block.has("keepspace");
        let mut rows: Vec<Vec<String>> = Vec::new();
        if let Some(header) = block.opt("header") {
            rows.extend(
                parse_csv(header, delim, quote, escape, keepspace)
                    .map_err(|m| csv_error(block, m))?,
            );
        }
        let header_from_option = rows.len();
        rows.extend(
            parse_csv(text, delim, quote, escape, keepspace).map_err(|m| csv_error(block, m))?,
        );
        let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
        for row in rows.iter_mut() {
            row.resize(ncols, String::new());
        }
        let (widths, kind) = self.widths_for(block, ncols)?;
        let (mut header_rows, stub) = self.header_rows_stub(block);
        header_rows += header_from_option;
        if header_rows > rows.len() {
            return Err(Failure(3, format!("{} header row(s) specified but only {} row(s) of data supplied (\"csv-table\" directive).", header_rows, rows.len())));
        }
        let (title, messages) = self.table_title(block);
        let span = block.span;
        let table = self.doc.create(Kind::Table, span);
        match kind.as_deref() {
            Some("auto") => self.doc.attrs_mut(table).push("classes", "colwidths-auto"),
            Some(_) => self.doc.attrs_mut(table).push("classes", "colwidths-given"),
            None => {}
        }
        let tgroup = self.doc.push(table, Kind::Tgroup, span);
        self.doc
            .attrs_mut(tgroup)
            .set("cols", Value::Int(ncols as i64));
        for (i, w) in widths.iter().enumerate() {
            let colspec = self.doc.push(tgroup, Kind::Colspec, span);
            self.doc
                .attrs_mut(colspec)
                .set("colwidth", Value::Int(*w as i64));
            if i < stub {
                self.doc.attrs_mut(colspec).set("stub", Value::Int(1));
            }
        }
        let mut section: Option<NodeId> = None;
        for (r, row) in rows.iter().enumerate() {
            let parent = if r < header_rows {
                *section.get_or_insert_with(|| self.doc.push(tgroup, Kind::Thead, span))
            } else {
                if r == header_rows || section.is_none() {
                    section = Some(self.doc.push(tgroup, Kind::Tbody, span));
                }
                section.unwrap_or(tgroup)
            };
            let row_node = self.doc.push(parent, Kind::Row, span);
            for cell in row {
                let entry = self.doc.push(row_node, Kind::Entry, span);
                let store = super::lines::split(cell);
                let cell_lines: Vec<Line<'_>> = store
                    .iter()
                    .map(|(t, _)| Line::new(t.as_ref(), base_offset))
                    .collect();
                if !cell.trim().is_empty() {
                    self.parse_body(&cell_lines, entry, false);
                }
            }
        }
        self.finish_table(table, title, block);
        let mut out = vec![table];
        out.extend(messages);
        Ok(out)
    }
}

fn csv_char(value: &str) -> Option<char> {
    match value {
        "tab" => Some('\t'),
        "space" => Some(' '),
        _ => {
            let mut chars = value.chars();
            let c = chars.next()?;
            if chars.next().is_none() {
                return Some(c);
            }
            let decoded = super::directives::unicode_code(value).ok()?;
            let mut chars = decoded.chars();
            let c = chars.next()?;
            chars.next().is_none().then_some(c)
        }
    }
}

fn csv_error(block: &Block<'_>, message: String) -> Failure {
    let _ = block;
    Failure(
        3,
        format!("Error with CSV data in \"csv-table\" directive:\n{message}"),
    )
}

/// A small CSV reader like Python's `csv` module with docutils' dialect
/// (`skipinitialspace` unless `keepspace`, doubled quotes, optional escape).
fn parse_csv(
    text: &str,
    delim: char,
    quote: char,
    escape: Option<char>,
    keepspace: bool,
) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut field_started = false;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            if Some(c) == escape {
                if let Some(n) = chars.next() {
                    field.push(n);
                }
            } else if c == quote {
                if chars.peek() == Some(&quote) {
                    field.push(quote);
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        if at_field_start && !keepspace && c == ' ' {
            continue;
        }
        if c == delim {
            row.push(std::mem::take(&mut field));
            at_field_start = true;
            field_started = false;
            continue;
        }
        if c == '\n' {
            row.push(std::mem::take(&mut field));
            if !(row.len() == 1 && row[0].is_empty() && !field_started) {
                rows.push(std::mem::take(&mut row));
            } else {
                row.clear();
            }
            at_field_start = true;
            field_started = false;
            continue;
        }
        if c == quote && at_field_start {
            in_quotes = true;
            at_field_start = false;
            field_started = true;
            continue;
        }
        if Some(c) == escape {
            if let Some(n) = chars.next() {
                field.push(n);
            }
            continue;
        }
        at_field_start = false;
        field_started = true;
        field.push(c);
    }
    if in_quotes {
        return Err("unexpected end of data".to_string());
    }
    if field_started || !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}
