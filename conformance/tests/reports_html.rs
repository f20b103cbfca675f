//! The HTML report is one self-contained page: no external assets, no scripts, everything
//! from the server escaped. Rendered in headless Chromium (Debian `chromium`, installed by
//! CI), the visible text carries the verdict, the summary, the RFC references and the
//! transcripts, and the hostile bytes stay text.

mod report_fixture;

use std::process::Command;

use groupwire_conformance::report::{self, Format};
use report_fixture::{PASSWORD, report};

fn html() -> String {
    report::render(&report(), Format::Html, false)
}

#[test]
fn html_is_self_contained_and_escapes_the_server() {
    let html = html();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains(PASSWORD));
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "no script, not even the server's"
    );
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("<th>IMAP capabilities</th><td>IMAP4rev2 IDLE X-&lt;EVIL&gt;</td>"));
    assert!(html.contains("<th>IMAP cleanup</th><td><span class=\"error\">error</span>: could not delete gw-test-0001-&lt;x&gt;</td>"));
    for external in ["src=\"http", "href=\"//", "<link", "@import", "url("] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    // The only links are RFC references and anchors within the page.
    for (at, _) in html.match_indices("href=\"") {
        let link = &html[at + 6..];
        assert!(
            link.starts_with("https://www.rfc-editor.org/rfc/rfc") || link.starts_with('#'),
            "{}",
            &link[..40]
        );
    }
    assert_eq!(
        html.matches("<details").count(),
        3,
        "one transcript per check that has one"
    );
    assert!(
        html.contains("<details open>"),
        "failures open their transcript"
    );
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|name| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|out| out.status.success())
    })
}

#[test]
fn html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED html_renders_in_headless_chromium: no chromium on PATH (apt-get install chromium; CI installs it)"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("gw-report-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("report.html");
    std::fs::write(&page, html()).unwrap();
    let profile = dir.join("chromium-profile");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dom = String::from_utf8_lossy(&output.stdout);
    // The parsed DOM: the verdict paragraph, the summary table, the closing line.
    assert!(
        dom.contains("id=\"verdict\">FAIL: some required check did not pass</p>"),
        "{dom}"
    );
    assert!(dom.contains("<p id=\"closing\">2 passed, 2 failed, 1 skipped</p>"));
    assert!(dom.contains("<td>IMAP</td><td>MUST</td><td>1</td><td>1</td>"));
    // Failures are listed first, linked to their rows.
    assert!(dom.contains("<a href=\"#imap.fixture.fail\"><code>imap.fixture.fail</code></a> (RFC 9051 §6.3.2 MUST, implementation): expected an OK with [UIDVALIDITY n]; got * BAD &lt;script&gt;</li>"), "{dom}");
    // The hostile bytes stayed text: the parser created no script element and no <b>.
    assert!(!dom.contains("<script"), "a script element was created");
    assert!(!dom.contains("<b>markup</b>"));
    assert!(dom.contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(dom.contains("A title with &lt;b&gt;markup&lt;/b&gt; &amp; ampersand"));
    // Transcripts are in <details>, with the masked login.
    assert!(dom.contains("<summary>Transcript (4 lines)</summary>"));
    assert!(dom.contains("C1: a1 LOGIN alice@example.org ***"));
    assert!(dom.contains("RFC 9051 §6.3.2"));
    assert!(!dom.contains(PASSWORD));
}
