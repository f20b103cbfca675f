//! The interoperability matrix: several JSON reports (`groupwire check --format json`, schema
//! in `conformance/REPORT-SCHEMA.md`) side by side, one column per report (labelled by the
//! report's target name), one row per check, rows grouped by protocol.
//!
//! The matrix reads the reports as loosely typed JSON on purpose: a status or field it does
//! not know (a newer catalogue, a new verdict such as `incomplete`) is shown as written, never
//! an error. Only what the reports say goes in: no timestamps, ports or durations, so the same
//! verdicts always give the same bytes (the README carries the markdown form and a test
//! compares it with a fresh run).
//!
//! Cells: the check's status; `waived (fail)` when a waiver covered a non-pass (with the status
//! it covered); `n/a` when the report's target had no endpoint for the check's protocol (the
//! check could not apply); `—` when the report does not list the check at all (another
//! profile or catalogue). The HTML form puts the evidence of every cell (reason, expected,
//! actual, waiver, the transcript) in an inline `<details>`.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::Path;

use serde_json::Value;

use crate::report::html::escape;

/// A report could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixError(pub String);

impl fmt::Display for MatrixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MatrixError {}

/// One check's outcome in one report, as the matrix needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// `pass`, `fail`, `warn`, `skip`, `error`, `waived`, `stale-waiver`, or any newer status.
    pub status: String,
    /// The status a waiver covered (`fail` for `waived (fail)`).
    pub original_status: Option<String>,
    /// The one-sentence reason of a non-pass.
    pub reason: Option<String>,
    /// The waiver's reason.
    pub waiver: Option<String>,
    /// What the requirement demands.
    pub expected: Option<String>,
    /// What the server did instead.
    pub actual: Option<String>,
    /// The transcript as `C:`/`S:`/`--` lines (connection number first).
    pub transcript: String,
}

/// What the matrix knows of a check (from the first report that lists it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckInfo {
    /// Stable id.
    pub id: String,
    /// Protocol name (`imap`).
    pub protocol: String,
    /// Title.
    pub title: String,
    /// `MUST`, `SHOULD`, `MAY`.
    pub level: String,
    /// `RFC 9051 §6.3.2`.
    pub rfc: String,
    /// Link to the section.
    pub rfc_url: String,
}

/// One report, reduced to what the matrix shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Column {
    /// The column label: the report's target name (made unique with ` (2)`... if repeated).
    pub name: String,
    /// The report's overall verdict (`pass`, `fail`, `incomplete`, ...).
    pub verdict: String,
    /// Protocols the target had an endpoint for.
    pub protocols: Vec<String>,
    /// Check id -> outcome.
    pub cells: BTreeMap<String, Cell>,
    /// The checks in report order (catalogue order).
    order: Vec<CheckInfo>,
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// Reads one JSON report.
pub fn column_from_json(json: &str) -> Result<Column, MatrixError> {
    let value: Value =
        serde_json::from_str(json).map_err(|error| MatrixError(format!("not JSON: {error}")))?;
    if value.get("schema").and_then(Value::as_str) != Some(crate::report::SCHEMA) {
        return Err(MatrixError(format!(
            "not a groupwire report (\"schema\" is not {:?})",
            crate::report::SCHEMA
        )));
    }
    let target = value.get("target").cloned().unwrap_or(Value::Null);
    let name = text(&target, "name").unwrap_or_else(|| "target".to_owned());
    let mut protocols: Vec<String> = target
        .get("endpoints")
        .and_then(Value::as_array)
        .map(|endpoints| {
            endpoints
                .iter()
                .filter_map(|endpoint| text(endpoint, "protocol"))
                .collect()
        })
        .unwrap_or_default();
    protocols.dedup();
    let checks = value
        .get("checks")
        .and_then(Value::as_array)
        .ok_or_else(|| MatrixError("the report has no \"checks\" array".to_owned()))?;
    let mut cells = BTreeMap::new();
    let mut order = Vec::new();
    for check in checks {
        let Some(id) = text(check, "id") else {
            return Err(MatrixError("a check without \"id\"".to_owned()));
        };
        order.push(CheckInfo {
            id: id.clone(),
            protocol: text(check, "protocol").unwrap_or_else(|| "other".to_owned()),
            title: text(check, "title").unwrap_or_default(),
            level: text(check, "level").unwrap_or_default(),
            rfc: text(check, "rfc").unwrap_or_default(),
            rfc_url: text(check, "rfc_url").unwrap_or_default(),
        });
        let evidence = check.get("evidence").cloned().unwrap_or(Value::Null);
        cells.insert(
            id,
            Cell {
                status: text(check, "status").unwrap_or_else(|| "unknown".to_owned()),
                original_status: text(check, "original_status"),
                reason: text(check, "reason"),
                waiver: text(check, "waiver"),
                expected: text(&evidence, "expected"),
                actual: text(&evidence, "actual"),
                transcript: transcript_text(&evidence),
            },
        );
    }
    Ok(Column {
        name,
        verdict: text(&value, "verdict").unwrap_or_else(|| "unknown".to_owned()),
        protocols,
        cells,
        order,
    })
}

/// The transcript as lines `1 C: ...`, `1 S: ...`, `1 -- note` (no timestamps).
fn transcript_text(evidence: &Value) -> String {
    let mut out = String::new();
    for entry in evidence
        .get("transcript")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let connection = entry.get("connection").and_then(Value::as_u64).unwrap_or(0);
        let arrow = match entry.get("direction").and_then(Value::as_str) {
            Some("sent") => "C:",
            Some("received") => "S:",
            _ => "--",
        };
        let bytes = entry.get("bytes").and_then(Value::as_str).unwrap_or("");
        for line in bytes.split_inclusive('\n') {
            let _ = writeln!(
                out,
                "{connection} {arrow} {}",
                line.trim_end_matches(['\r', '\n'])
            );
        }
    }
    out
}

/// Reads one JSON report file.
pub fn column_from_file(path: &Path) -> Result<Column, MatrixError> {
    let json = std::fs::read_to_string(path)
        .map_err(|error| MatrixError(format!("cannot read {}: {error}", path.display())))?;
    column_from_json(&json).map_err(|error| MatrixError(format!("{}: {}", path.display(), error.0)))
}

/// Reports side by side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// One column per report, in the order given.
    pub columns: Vec<Column>,
    /// Protocol name -> its checks, in catalogue order (union of the reports, first seen
    /// first); protocols in [`PROTOCOL_ORDER`], unknown ones after, alphabetically.
    pub groups: Vec<(String, Vec<CheckInfo>)>,
}

/// The order of protocol groups.
pub const PROTOCOL_ORDER: [&str; 7] = [
    "imap",
    "smtp",
    "discovery",
    "webdav",
    "caldav",
    "carddav",
    "security",
];

fn protocol_label(protocol: &str) -> String {
    match protocol {
        "imap" => "IMAP".to_owned(),
        "smtp" => "SMTP submission".to_owned(),
        "discovery" => "Discovery (autoconfig)".to_owned(),
        "webdav" => "WebDAV".to_owned(),
        "caldav" => "CalDAV".to_owned(),
        "carddav" => "CardDAV".to_owned(),
        "security" => "Security posture (TLS)".to_owned(),
        other => other.to_owned(),
    }
}

impl Matrix {
    /// Puts the columns side by side; repeated names get ` (2)`, ` (3)`...
    pub fn new(mut columns: Vec<Column>) -> Matrix {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for column in &mut columns {
            let count = seen.entry(column.name.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                column.name = format!("{} ({count})", column.name);
            }
        }
        let mut by_protocol: BTreeMap<String, Vec<CheckInfo>> = BTreeMap::new();
        let mut known = std::collections::HashSet::new();
        for column in &columns {
            for info in &column.order {
                if known.insert(info.id.clone()) {
                    by_protocol
                        .entry(info.protocol.clone())
                        .or_default()
                        .push(info.clone());
                }
            }
        }
        let rank = |protocol: &str| {
            PROTOCOL_ORDER
                .iter()
                .position(|known| *known == protocol)
                .unwrap_or(PROTOCOL_ORDER.len())
        };
        let mut groups: Vec<(String, Vec<CheckInfo>)> = by_protocol.into_iter().collect();
        groups.sort_by(|a, b| rank(&a.0).cmp(&rank(&b.0)).then_with(|| a.0.cmp(&b.0)));
        Matrix { columns, groups }
    }

    /// Reads report files into a matrix.
    pub fn from_files(paths: &[impl AsRef<Path>]) -> Result<Matrix, MatrixError> {
        let columns = paths
            .iter()
            .map(|path| column_from_file(path.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Matrix::new(columns))
    }
}

/// The short text of a cell (`pass`, `waived (fail)`, `n/a`, `—`).
pub fn cell_label(column: &Column, check: &CheckInfo) -> String {
    match column.cells.get(&check.id) {
        None => "—".to_owned(),
        Some(cell) if cell.status == "skip" && !column.protocols.contains(&check.protocol) => {
            "n/a".to_owned()
        }
        Some(cell) => match &cell.original_status {
            Some(original) if cell.status == "waived" => format!("waived ({original})"),
            _ => cell.status.clone(),
        },
    }
}

/// Counts of the cell labels of one column within one group, `12 pass, 1 waived (fail)`.
fn counts<'a>(column: &Column, checks: impl Iterator<Item = &'a CheckInfo>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for check in checks {
        *counts.entry(cell_label(column, check)).or_insert(0) += 1;
    }
    counts
        .iter()
        .map(|(label, count)| format!("{count} {label}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(count: usize) -> String {
    if count == 1 {
        "1 check".to_owned()
    } else {
        format!("{count} checks")
    }
}

fn markdown_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ")
}

/// The matrix as GitHub-flavoured markdown: a table of verdicts and counts, then one table
/// per protocol.
pub fn render_markdown(matrix: &Matrix) -> String {
    let mut out = String::new();
    let header = |out: &mut String, first: &str| {
        let _ = write!(out, "| {first} |");
        for column in &matrix.columns {
            let _ = write!(out, " {} |", markdown_escape(&column.name));
        }
        out.push_str("\n| --- |");
        for _ in &matrix.columns {
            out.push_str(" --- |");
        }
        out.push('\n');
    };
    header(&mut out, "run");
    out.push_str("| verdict |");
    for column in &matrix.columns {
        let _ = write!(out, " {} |", markdown_escape(&column.verdict));
    }
    out.push('\n');
    for (protocol, checks) in &matrix.groups {
        let _ = write!(out, "| {} |", protocol_label(protocol));
        for column in &matrix.columns {
            let _ = write!(out, " {} |", counts(column, checks.iter()));
        }
        out.push('\n');
    }
    for (protocol, checks) in &matrix.groups {
        let _ = write!(
            out,
            "\n**{}** ({})\n\n",
            protocol_label(protocol),
            plural(checks.len())
        );
        header(&mut out, "check");
        for check in checks {
            let _ = write!(
                out,
                "| `{}` {} {} |",
                markdown_escape(&check.id),
                markdown_escape(&check.level),
                markdown_escape(&check.rfc)
            );
            for column in &matrix.columns {
                let label = cell_label(column, check);
                let shown = if label == "pass" || label == "n/a" || label == "—" {
                    label
                } else {
                    format!("**{label}**")
                };
                let _ = write!(out, " {shown} |");
            }
            out.push('\n');
        }
    }
    out
}

/// Transcript bytes kept per cell in the HTML form (more for non-passes, which need them).
const TRANSCRIPT_LIMIT_PASS: usize = 2 * 1024;
const TRANSCRIPT_LIMIT_OTHER: usize = 16 * 1024;

fn truncate(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… ({} more bytes: see the full report)",
        text.get(..end).unwrap_or_default(),
        text.len() - end
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.2em .4em;text-align:left;vertical-align:top}
th{background:#f3f3f3}th.group{background:#e4e8f0;font-size:1.1em}
.pass{background:#e6f4e6}.fail,.stale-waiver,.error{background:#f8d7d7}.warn{background:#fff0cc}
.skip,.na,.absent{background:#f4f4f4;color:#666}.waived{background:#dde6f7}.other{background:#f0e0f8}
details pre{max-width:60em;white-space:pre-wrap;word-break:break-all;background:#fafafa;padding:.4em}
summary{cursor:pointer}";

fn css_class(label: &str) -> &'static str {
    match label.split(' ').next().unwrap_or_default() {
        "pass" => "pass",
        "fail" => "fail",
        "warn" => "warn",
        "skip" => "skip",
        "error" => "error",
        "waived" => "waived",
        "stale-waiver" => "stale-waiver",
        "n/a" => "na",
        "—" => "absent",
        _ => "other",
    }
}

/// The matrix as one self-contained HTML page; every cell's evidence in an inline
/// `<details>`. Everything from the reports is escaped.
pub fn render_html(matrix: &Matrix) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>groupwire interoperability matrix</title><style>{STYLE}</style></head><body>\n<h1>groupwire interoperability matrix</h1>\n<table id=\"matrix\"><thead><tr><th>check</th>"
    );
    for column in &matrix.columns {
        let _ = write!(out, "<th>{}</th>", escape(&column.name));
    }
    out.push_str("</tr><tr><th>verdict</th>");
    for column in &matrix.columns {
        let _ = write!(
            out,
            "<th class=\"{}\">{}</th>",
            css_class(&column.verdict),
            escape(&column.verdict)
        );
    }
    out.push_str("</tr></thead><tbody>\n");
    let span = matrix.columns.len() + 1;
    for (protocol, checks) in &matrix.groups {
        let _ = writeln!(
            out,
            "<tr id=\"{}\"><th class=\"group\" colspan=\"{span}\">{} ({})</th></tr>",
            escape(protocol),
            escape(&protocol_label(protocol)),
            plural(checks.len())
        );
        for check in checks {
            let _ = write!(
                out,
                "<tr id=\"{id}\"><td><code>{id}</code> {level}<br><a href=\"{url}\">{rfc}</a><br><small>{title}</small></td>",
                id = escape(&check.id),
                level = escape(&check.level),
                url = escape(&check.rfc_url),
                rfc = escape(&check.rfc),
                title = escape(&check.title)
            );
            for column in &matrix.columns {
                let label = cell_label(column, check);
                let class = css_class(&label);
                match column.cells.get(&check.id) {
                    Some(cell) if label != "n/a" => {
                        let _ = write!(
                            out,
                            "<td class=\"{class}\"><details><summary>{}</summary>",
                            escape(&label)
                        );
                        for (name, value) in [
                            ("reason", &cell.reason),
                            ("expected", &cell.expected),
                            ("actual", &cell.actual),
                            ("waiver", &cell.waiver),
                        ] {
                            if let Some(value) = value {
                                let _ = write!(out, "<p><b>{name}</b>: {}</p>", escape(value));
                            }
                        }
                        let limit = if cell.status == "pass" {
                            TRANSCRIPT_LIMIT_PASS
                        } else {
                            TRANSCRIPT_LIMIT_OTHER
                        };
                        if !cell.transcript.is_empty() {
                            let _ = write!(
                                out,
                                "<pre>{}</pre>",
                                escape(&truncate(&cell.transcript, limit))
                            );
                        }
                        out.push_str("</details></td>");
                    }
                    _ => {
                        let _ = write!(out, "<td class=\"{class}\">{}</td>", escape(&label));
                    }
                }
            }
            out.push_str("</tr>\n");
        }
    }
    out.push_str("</tbody></table>\n</body></html>\n");
    out
}

/// Output formats of `groupwire matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixFormat {
    /// GitHub-flavoured markdown tables.
    Markdown,
    /// One self-contained HTML page with the evidence of each cell.
    Html,
}

/// Arguments of `groupwire matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    /// JSON reports (`groupwire check --format json --output FILE`), one column each.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "markdown")]
    pub format: MatrixFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// Renders a matrix in a format.
pub fn render(matrix: &Matrix, format: MatrixFormat) -> String {
    match format {
        MatrixFormat::Markdown => render_markdown(matrix),
        MatrixFormat::Html => render_html(matrix),
    }
}

/// `groupwire matrix`: exit 0 when written, 2 when a report cannot be read.
pub fn cli_matrix(args: &MatrixArgs) -> std::process::ExitCode {
    let matrix = match Matrix::from_files(&args.reports) {
        Ok(matrix) => matrix,
        Err(error) => {
            eprintln!("groupwire matrix: {error}");
            return crate::exit::code(crate::exit::USAGE);
        }
    };
    let rendered = render(&matrix, args.format);
    let written = match &args.output {
        Some(path) => std::fs::write(path, rendered.as_bytes()),
        None => {
            use std::io::Write as _;
            std::io::stdout().lock().write_all(rendered.as_bytes())
        }
    };
    if let Err(error) = written {
        eprintln!("groupwire matrix: cannot write: {error}");
        return crate::exit::code(crate::exit::USAGE);
    }
    crate::exit::code(crate::exit::SUCCESS)
}
