//! The JSON report: the [`Report`] value serialised with serde. The schema, field by field,
//! is documented in `conformance/REPORT-SCHEMA.md`.

use super::Report;

/// Renders the report as pretty-printed JSON.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|error| format!("{{\"error\":\"cannot serialise the report: {error}\"}}"));
    text.push('\n');
    text
}
