//! Every check quotes its requirement verbatim from the document it cites, and cites the
//! document that carries the requirement today (not one its successor obsoleted).
//!
//! The texts are the plain-text copies in `../shared/rfc/` beside the repository (present on
//! every development machine and in CI). Matching normalises whitespace and drops the page
//! headers and footers of the RFC text layout, so a sentence that crosses a page break still
//! matches; an elision is written `…` in the quote and each part must appear, in order.
//!
//! An RFC that `../shared/rfc/INDEX.md` lists as absent ("Not here") may be quoted from the
//! passages kept in `conformance/rfc-excerpts/` (see its README); no other RFC may.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use groupwire_conformance::engine::{Check, Document, Protocol};

/// RFCs an obsoleting RFC replaced: (old, successor).
const OBSOLETED: &[(u16, u16)] = &[
    (2554, 4954),
    (5785, 8615),
    (2197, 2920),
    (6125, 9525),
    (3501, 9051),
    (2821, 5321),
    (2821, 5321),
    (4409, 6409),
    (2426, 6350),
    (5246, 8446),
];

/// RFCs that apply to some protocols only: (RFC, protocols it may be cited for).
const SCOPED: &[(u16, &[Protocol])] = &[
    // TLS for IMAP, POP3 and ACAP: not SMTP (RFC 3207 and RFC 4954 carry SMTP's rules).
    (2595, &[Protocol::Imap]),
];

fn rfc_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/rfc");
    dir.is_dir().then_some(dir)
}

/// The folder of kept passages of RFCs absent from `../shared/rfc`.
fn excerpts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rfc-excerpts")
}

/// The RFC numbers `INDEX.md` lists on its "Not here" line.
fn absent_rfcs(dir: &Path) -> Vec<u16> {
    let index = std::fs::read_to_string(dir.join("INDEX.md")).unwrap_or_default();
    let Some(line) = index.lines().find(|line| line.starts_with("Not here")) else {
        return Vec::new();
    };
    line.split("RFC ")
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .collect()
}

fn document_path(dir: &Path, document: Document) -> PathBuf {
    match document {
        Document::Rfc(number) => {
            let full = dir.join(format!("rfc{number}.txt"));
            let excerpt = excerpts_dir().join(format!("rfc{number}.txt"));
            if !full.exists() && absent_rfcs(dir).contains(&number) && excerpt.exists() {
                excerpt
            } else {
                full
            }
        }
        Document::Other(name) => {
            let latest = dir.join(format!("{name}-latest.txt"));
            if latest.exists() {
                latest
            } else {
                dir.join(format!("{name}.txt"))
            }
        }
    }
}

/// The text with page furniture removed and every run of whitespace made one space.
fn normalise_document(text: &str) -> String {
    let body: Vec<&str> = text
        .lines()
        .map(|line| line.trim_start_matches('\u{c}'))
        .filter(|line| !is_page_furniture(line))
        .collect();
    normalise(&body.join("\n"))
}

/// `Melnikov & Leiba   Standards Track   [Page 12]` and `RFC 9051   IMAP4rev2   August 2021`.
fn is_page_furniture(line: &str) -> bool {
    let trimmed = line.trim_end();
    if trimmed.ends_with(']') && trimmed.contains("[Page ") {
        return true;
    }
    let Some(rest) = trimmed.strip_prefix("RFC ") else {
        return false;
    };
    let numbered = rest.chars().take_while(char::is_ascii_digit).count() > 0;
    let dated = trimmed
        .rsplit(' ')
        .next()
        .is_some_and(|year| year.len() == 4 && year.chars().all(|c| c.is_ascii_digit()));
    numbered && dated && trimmed.contains("   ")
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether every `…`-separated part of `quote` appears in `document`, in order.
fn quoted_in(quote: &str, document: &str) -> bool {
    let mut rest = document;
    for part in quote.split('…') {
        let part = normalise(part);
        if part.is_empty() {
            continue;
        }
        match rest.find(&part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn checks() -> Vec<&'static Check> {
    groupwire_conformance::suites::registry().checks().collect()
}

#[test]
fn every_quote_is_verbatim_in_the_cited_document() {
    let Some(dir) = rfc_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/rfc is missing in CI: the quote test cannot run"
        );
        eprintln!("SKIPPED: ../shared/rfc not found beside the repository");
        return;
    };
    let mut texts: HashMap<PathBuf, Option<String>> = HashMap::new();
    let mut wrong = Vec::new();
    for check in checks() {
        let path = document_path(&dir, check.rfc.document);
        let text = texts.entry(path.clone()).or_insert_with(|| {
            std::fs::read_to_string(&path)
                .ok()
                .map(|t| normalise_document(&t))
        });
        match text {
            None => wrong.push(format!(
                "{}: cites {}, whose text is not in ../shared/rfc ({})",
                check.id,
                check.rfc,
                path.display()
            )),
            Some(text) if !quoted_in(check.quote, text) => wrong.push(format!(
                "{}: quote not found verbatim in {}: {:?}",
                check.id, check.rfc, check.quote
            )),
            Some(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} quotes are wrong:\n{}",
        wrong.len(),
        checks().len(),
        wrong.join("\n")
    );
}

#[test]
fn no_check_cites_an_obsoleted_rfc_where_its_successor_carries_the_requirement() {
    let dir = rfc_dir();
    let mut wrong = Vec::new();
    for check in checks() {
        let Some(number) = check.rfc.rfc() else {
            continue;
        };
        if let Some((_, successor)) = OBSOLETED.iter().find(|(old, _)| *old == number) {
            // RFC 3501 stays citable for IMAP4rev1 requirements that RFC 9051 dropped (LSUB,
            // \Recent): a server advertising IMAP4rev1 still owes them. Anything RFC 9051 also
            // says must cite RFC 9051.
            let carried_by_successor = match &dir {
                Some(dir) if number == 3501 => {
                    std::fs::read_to_string(document_path(dir, Document::Rfc(*successor)))
                        .map(|text| quoted_in(check.quote, &normalise_document(&text)))
                        .unwrap_or(true)
                }
                _ => true,
            };
            if carried_by_successor {
                wrong.push(format!(
                    "{}: cites RFC {number}, obsoleted by RFC {successor}",
                    check.id
                ));
            }
        }
        if let Some((_, protocols)) = SCOPED.iter().find(|(rfc, _)| *rfc == number)
            && !protocols.contains(&check.protocol)
        {
            wrong.push(format!(
                "{}: cites RFC {number}, which does not apply to {}",
                check.id, check.protocol
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// An excerpt stands in only for an RFC that is absent: once the full text is in
/// `../shared/rfc`, the quotes are held to it and the excerpt must go.
#[test]
fn excerpts_are_kept_only_for_rfcs_absent_from_shared_rfc() {
    let Some(dir) = rfc_dir() else {
        return;
    };
    let absent = absent_rfcs(&dir);
    assert!(
        absent.contains(&8461),
        "INDEX.md's \"Not here\" line did not parse: {absent:?}"
    );
    let mut kept = 0;
    for entry in std::fs::read_dir(excerpts_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(number) = name
            .strip_prefix("rfc")
            .and_then(|rest| rest.strip_suffix(".txt"))
        else {
            continue;
        };
        let number: u16 = number.parse().unwrap();
        assert!(
            absent.contains(&number) && !dir.join(&name).exists(),
            "rfc-excerpts/{name}: RFC {number} is in ../shared/rfc; quote the full text"
        );
        kept += 1;
    }
    assert!(kept >= 3, "{kept} excerpt files");
}

#[test]
fn the_matcher_finds_quotes_across_page_breaks_and_elisions() {
    let text = "Some text that\n   ends a page.\n\nMelnikov & Leiba             Standards Track                   [Page 12]\n\u{c}\nRFC 9051                         IMAP4rev2                   August 2021\n\n   and goes on here; the server MUST do it.\n";
    let doc = normalise_document(text);
    assert!(quoted_in("ends a page. and goes on here;", &doc));
    assert!(quoted_in("Some text … the server MUST do it.", &doc));
    assert!(!quoted_in("the server MUST do it … Some text", &doc));
    assert!(!quoted_in("the server SHOULD do it.", &doc));
}
