//! The self-contained HTML report of a load run: the verdict, tables of actions, errors,
//! delivery and state checks, and plots (latency percentiles, sessions, actions and errors
//! over time) drawn by `plotters` as inline SVG.

use plotters::prelude::*;

use super::stats::LoadResult;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One line of a chart: its name, points (seconds, value) and colour.
type Series = (&'static str, Vec<(f64, f64)>, RGBColor);

/// A line chart as an SVG document (or a note when it cannot be drawn).
fn chart(title: &str, y_label: &str, series: &[Series]) -> String {
    let x_max = series
        .iter()
        .flat_map(|(_, points, _)| points.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let y_max = series
        .iter()
        .flat_map(|(_, points, _)| points.iter().map(|p| p.1))
        .fold(0.0f64, f64::max)
        .max(1.0)
        * 1.1;
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (760, 280)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..x_max, 0f64..y_max)?;
        chart
            .configure_mesh()
            .x_desc("seconds")
            .y_desc(y_label)
            .draw()?;
        for (name, points, color) in series {
            let color = *color;
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(2),
                ))?
                .label(*name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
        root.present()?;
        Ok(())
    })()
    .map_err(|error| error.to_string());
    match drawn {
        Ok(()) => svg,
        Err(error) => format!("<p>(plot unavailable: {})</p>", escape(&error)),
    }
}

/// The HTML report of `result`.
pub fn render(result: &LoadResult) -> String {
    use std::fmt::Write as _;
    let t = &result.timeline;
    let points = |f: &dyn Fn(&super::stats::Sample) -> f64| -> Vec<(f64, f64)> {
        t.iter().map(|s| (s.second as f64, f(s))).collect()
    };
    let latency = chart(
        "Latency of all actions, per second",
        "ms",
        &[
            ("p50", points(&|s| s.p50_ms), BLUE),
            ("p99", points(&|s| s.p99_ms), RED),
        ],
    );
    let sessions = chart(
        "Sessions held",
        "sessions",
        &[("sessions", points(&|s| s.sessions as f64), GREEN)],
    );
    let rates = chart(
        "Actions and errors per second",
        "per second",
        &[
            ("actions", points(&|s| s.actions as f64), BLUE),
            ("errors", points(&|s| s.errors as f64), RED),
        ],
    );
    let mut html = String::new();
    let verdict = if result.passed {
        "<p class=pass>PASS</p>".to_string()
    } else {
        format!(
            "<p class=fail>FAIL: {}</p>",
            escape(&result.failures.join("; "))
        )
    };
    let _ = write!(
        html,
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>groupwire load: {mix} against {target}</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}}\
         th:first-child,td:first-child{{text-align:left}}.pass{{color:#070;font-weight:bold}}\
         .fail{{color:#b00;font-weight:bold}}</style></head><body>\
         <h1>groupwire load: {mix} against {target}</h1>{verdict}\
         <p>{users} users, {secs:.1} s, peak {peak} sessions, {shards} shard(s).</p>",
        mix = escape(&result.mix),
        target = escape(&result.target),
        users = result.users,
        secs = result.duration_secs,
        peak = result.sessions_peak,
        shards = result.shards.len(),
    );
    html.push_str("<h2>Actions</h2><table><tr><th>action</th><th>ok</th><th>failed</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>");
    for (name, a) in &result.actions {
        let p = &a.latency_ms;
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td><td>{:.2}</td></tr>",
            escape(name),
            a.ok,
            a.failed,
            p.p50,
            p.p90,
            p.p99,
            p.p999,
            p.max
        );
    }
    html.push_str("</table>");
    let d = &result.delivery;
    let c = &result.correctness;
    let _ = write!(
        html,
        "<h2>Correctness</h2><p>{} submitted, {} delivered, {} lost, {} duplicated; delivery latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms.</p>\
         <p>{} UID regressions; {} flag mismatches in {} flag checks ({} across sessions); {} resync mismatches in {} resyncs ({} QRESYNC); {} grammar violations.</p>",
        d.submitted,
        d.delivered,
        d.lost,
        d.duplicated,
        d.latency_ms.p50,
        d.latency_ms.p99,
        d.latency_ms.max,
        c.uid_regressions,
        c.flag_mismatches,
        c.flag_checks,
        c.flag_checks_cross_session,
        c.resync_mismatches,
        c.resync_checks,
        c.qresync_checks,
        c.grammar_violations
    );
    if !c.evidence.is_empty() {
        html.push_str("<ul>");
        for line in &c.evidence {
            let _ = write!(html, "<li>{}</li>", escape(line));
        }
        html.push_str("</ul>");
    }
    if !result.errors.is_empty() {
        html.push_str("<h2>Errors by kind</h2><table><tr><th>kind</th><th>count</th></tr>");
        for (kind, count) in &result.errors {
            let _ = write!(html, "<tr><td>{}</td><td>{count}</td></tr>", escape(kind));
        }
        html.push_str("</table><ul>");
        for line in &result.error_samples {
            let _ = write!(html, "<li>{}</li>", escape(line));
        }
        html.push_str("</ul>");
    }
    if !result.slos.is_empty() {
        html.push_str("<h2>SLOs</h2><ul>");
        for slo in &result.slos {
            let _ = write!(
                html,
                "<li>{}: {} ({})</li>",
                escape(&slo.slo),
                if slo.met { "met" } else { "<b>not met</b>" },
                slo.measured
                    .map_or("not measured".to_string(), |v| format!("{v:.3}"))
            );
        }
        html.push_str("</ul>");
    }
    let _ = writeln!(
        html,
        "<h2>Over time</h2>{latency}{sessions}{rates}\
         <p>Merged reports plot each second's highest shard percentile (an upper bound).</p></body></html>"
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn a_chart_is_svg() {
        let svg = chart("t", "ms", &[("p99", vec![(0.0, 1.0), (1.0, 3.0)], RED)]);
        assert!(svg.contains("<svg"), "{svg}");
        assert!(svg.contains("p99"), "{svg}");
    }
}
