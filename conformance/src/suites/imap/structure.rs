//! MIME structure and ENVELOPE in depth: part numbers inside an encapsulated message/rfc822
//! (multipart and single-part), HEADER/TEXT/HEADER.FIELDS of such a part, FETCH BODY without
//! extension data, and ENVELOPE address lists with group syntax, comments and source routes.

use groupwire_imap::response::bodystructure::BodyStructure;
use groupwire_imap::response::envelope::{AddressList, Envelope};
use groupwire_imap::response::fetch::FetchAttribute;

use super::fixture::{Scratch, address, append};
use super::session::{attribute, fetch_section, show};
use crate::engine::{CheckContext, CheckResult, Finding, show_bytes};

/// The header of the multipart/alternative message encapsulated as part 2.
const INNER_HEADER: &str = "From: Inner Sender <inner@example.test>\r\nSubject: inner subject\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"gw-inner\"\r\n\r\n";
/// Its text (its body), ending where part 2 ends: the line break after the close delimiter
/// is the inner message's, the one before the outer boundary the boundary's (RFC 2046
/// §5.1.1), so no reading of the two differs.
const INNER_TEXT: &str = "--gw-inner\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\
inner plain\r\n--gw-inner\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n\
<p>inner html</p>\r\n--gw-inner--\r\n";
/// The header of the single-part message encapsulated as part 3.
const SINGLE_HEADER: &str = "From: single@example.test\r\nSubject: single subject\r\n\r\n";
/// Its body.
const SINGLE_TEXT: &str = "single body";

/// A multipart/mixed message: 1 text/plain, 2 message/rfc822 holding a multipart/alternative
/// (2.1 text/plain, 2.2 text/html), 3 message/rfc822 holding a single text part (3.1).
fn nested_message(cx: &CheckContext) -> Vec<u8> {
    format!(
        "From: Groupwire Sender <{}>\r\nTo: Groupwire Sender <{}>\r\n\
         Subject: {} nested\r\nMessage-ID: <{}-nested@groupwire.invalid>\r\n\
         Date: Sun, 22 Nov 2026 12:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"gw-outer\"\r\n\r\n\
         --gw-outer\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nouter text\r\n\
         --gw-outer\r\nContent-Type: message/rfc822\r\n\r\n{INNER_HEADER}{INNER_TEXT}\r\n\
         --gw-outer\r\nContent-Type: message/rfc822\r\n\r\n{SINGLE_HEADER}{SINGLE_TEXT}\r\n\
         --gw-outer--\r\n",
        address(cx, 0),
        address(cx, 0),
        cx.run_prefix(),
        cx.scratch_name("msg"),
    )
    .into_bytes()
}

/// A scratch mailbox holding `message` as message 1, selected.
async fn holding(cx: &CheckContext, message: &[u8]) -> Result<Scratch, Finding> {
    let mut scratch = Scratch::new(cx, 0, false, false).await?;
    append(&mut scratch.session, &scratch.mailbox, "", message).await?;
    let select = format!("SELECT {}", super::session::quoted(&scratch.mailbox));
    scratch.session.must(&select).await?;
    Ok(scratch)
}

/// Fetches `BODY.PEEK[section]` of message 1 for each `(section, expected)` and reports the
/// first whose bytes differ.
async fn sections(scratch: &mut Scratch, wanted: &[(&str, String)]) -> Result<(), Finding> {
    for (section, expected) in wanted {
        let reply = scratch
            .session
            .run(&format!("FETCH 1 (BODY.PEEK[{section}])"))
            .await?;
        let got = reply.fetches().find_map(fetch_section);
        if got.as_deref() != Some(expected.as_bytes()) {
            return Err(Finding::violation(
                format!("BODY[{section}] = {}", show_bytes(expected.as_bytes(), 200)),
                match got {
                    Some(data) => format!("BODY[{section}] = {}", show_bytes(&data, 200)),
                    None => reply.show_all(),
                },
            ));
        }
    }
    Ok(())
}

/// `BODY[2.1]`, `[2.2]` and `[3.1]` are the parts inside the encapsulated messages (and `[2]` the
/// whole encapsulated message).
pub async fn rfc822_part_numbers(cx: CheckContext) -> CheckResult {
    let mut scratch = holding(&cx, &nested_message(&cx)).await?;
    let wanted = [
        ("1", "outer text".to_string()),
        ("2", format!("{INNER_HEADER}{INNER_TEXT}")),
        ("2.1", "inner plain".to_string()),
        ("2.2", "<p>inner html</p>".to_string()),
        ("3.1", SINGLE_TEXT.to_string()),
    ];
    let result = sections(&mut scratch, &wanted).await;
    scratch.finish(result).await
}

/// BODY[2.HEADER], [2.TEXT], [2.HEADER.FIELDS (SUBJECT)] and [3.HEADER] are those of the
/// encapsulated messages; [2.MIME] is part 2's own MIME header.
pub async fn rfc822_header(cx: CheckContext) -> CheckResult {
    let mut scratch = holding(&cx, &nested_message(&cx)).await?;
    let wanted = [
        ("2.HEADER", INNER_HEADER.to_string()),
        ("2.TEXT", INNER_TEXT.to_string()),
        (
            "2.HEADER.FIELDS (SUBJECT)",
            "Subject: inner subject\r\n\r\n".to_string(),
        ),
        ("3.HEADER", SINGLE_HEADER.to_string()),
        ("2.MIME", "Content-Type: message/rfc822\r\n\r\n".to_string()),
    ];
    let result = sections(&mut scratch, &wanted).await;
    scratch.finish(result).await
}

/// Whether a body structure (or any part inside it) carries extension data.
fn has_extension(body: &BodyStructure<'_>) -> bool {
    match body {
        BodyStructure::Single(single) => single.extension.is_some(),
        BodyStructure::Multi(multi) => {
            multi.extension.is_some() || multi.parts.iter().any(|part| has_extension(&part))
        }
    }
}

/// FETCH BODY of the nested message is its structure without extension data: the codec's
/// BODY grammar has no room for it, so a response that carries it does not decode.
pub async fn body_without_extension(cx: CheckContext) -> CheckResult {
    let mut scratch = holding(&cx, &nested_message(&cx)).await?;
    let result = async {
        // The codec's `body` grammar (RFC 9051 §9) has no extension data: a FETCH BODY
        // response that carries it does not decode, and that is the server's violation.
        let reply = match scratch.session.run("FETCH 1 (BODY)").await {
            Err(Finding::Harness(reason)) if reason.contains("do not decode") => {
                return Err(Finding::violation(
                    "a BODY response in the grammar of `body` (no extension data)",
                    reason,
                ));
            }
            other => other?,
        };
        let body = reply
            .fetches()
            .find_map(|f| {
                attribute(f, |a| match a {
                    FetchAttribute::Body(b) => Some(b.clone()),
                    _ => None,
                })
            })
            .ok_or_else(|| Finding::violation("BODY in the FETCH response", reply.show_all()))?;
        match &*body {
            BodyStructure::Multi(multi) if multi.parts.len() == 3 && !has_extension(&body) => {
                Ok(())
            }
            _ => Err(Finding::violation(
                "a multipart BODY of 3 parts without extension data",
                reply.show_all(),
            )),
        }
    }
    .await;
    scratch.finish(result).await
}

/// An address structure as (name, adl, mailbox, host) text.
type Quad = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn quads(list: &Option<AddressList<'static>>) -> Vec<Quad> {
    let text =
        |s: &Option<groupwire_imap::core::IString<'static>>| s.as_ref().map(|v| v.to_str_lossy());
    list.iter()
        .flat_map(AddressList::iter)
        .map(|a| (text(&a.name), text(&a.adl), text(&a.mailbox), text(&a.host)))
        .collect()
}

fn quad(name: Option<&str>, adl: Option<&str>, mailbox: Option<&str>, host: Option<&str>) -> Quad {
    (
        name.map(str::to_string),
        adl.map(str::to_string),
        mailbox.map(str::to_string),
        host.map(str::to_string),
    )
}

/// A message whose address fields use group syntax, comments and a source route.
fn hostile_message(cx: &CheckContext) -> Vec<u8> {
    format!(
        "From: Groupwire Sender <{}>\r\n\
         To: undisclosed-team: member1@example.test, Member Two <member2@example.test>;,\r\n \
         solo@example.test\r\n\
         Cc: empty-group:;, commented: (only a comment) ;\r\n\
         Sender: sender@example.test (The Sender)\r\n\
         Reply-To: <@relay.example.test:routed@example.test>\r\n\
         Subject: {} envelope\r\nMessage-ID: <{}-env@groupwire.invalid>\r\n\
         Date: Sun, 22 Nov 2026 13:00:00 +0000\r\n\r\nbody\r\n",
        address(cx, 0),
        cx.run_prefix(),
        cx.scratch_name("msg"),
    )
    .into_bytes()
}

async fn hostile_envelope(
    cx: &CheckContext,
) -> Result<(Scratch, Result<(Envelope<'static>, String), Finding>), Finding> {
    let mut scratch = holding(cx, &hostile_message(cx)).await?;
    let reply = scratch.session.run("FETCH 1 (ENVELOPE)").await?;
    let envelope = reply
        .fetches()
        .find_map(|f| {
            attribute(f, |a| match a {
                FetchAttribute::Envelope(e) => Some((**e).clone()),
                _ => None,
            })
        })
        .map(|e| (e, reply.untagged.iter().map(show).collect::<String>()))
        .ok_or_else(|| Finding::violation("ENVELOPE in the FETCH response", reply.show_all()));
    Ok((scratch, envelope))
}

/// ENVELOPE marks group syntax: a start marker with the group name and a NIL host, the
/// members, an end marker with NIL mailbox and host; an empty group is the two markers, and
/// a comment inside a group is no address.
pub async fn envelope_groups(cx: CheckContext) -> CheckResult {
    let (scratch, envelope) = hostile_envelope(&cx).await?;
    let result = envelope.and_then(|(envelope, shown)| {
        let to = vec![
            quad(None, None, Some("undisclosed-team"), None),
            quad(None, None, Some("member1"), Some("example.test")),
            quad(Some("Member Two"), None, Some("member2"), Some("example.test")),
            quad(None, None, None, None),
            quad(None, None, Some("solo"), Some("example.test")),
        ];
        let cc = vec![
            quad(None, None, Some("empty-group"), None),
            quad(None, None, None, None),
            quad(None, None, Some("commented"), None),
            quad(None, None, None, None),
        ];
        if quads(&envelope.to) == to && quads(&envelope.cc) == cc {
            Ok(())
        } else {
            Err(Finding::violation(
                "To: (NIL NIL \"undisclosed-team\" NIL)(NIL NIL \"member1\" \"example.test\")(\"Member Two\" NIL \"member2\" \"example.test\")(NIL NIL NIL NIL)(NIL NIL \"solo\" \"example.test\"); Cc: (NIL NIL \"empty-group\" NIL)(NIL NIL NIL NIL)(NIL NIL \"commented\" NIL)(NIL NIL NIL NIL)",
                shown,
            ))
        }
    });
    scratch.finish(result).await
}

/// ENVELOPE puts a source route in the at-domain-list field (not in the mailbox name), and a
/// comment after an address does not change the address.
pub async fn envelope_route_comment(cx: CheckContext) -> CheckResult {
    let (scratch, envelope) = hostile_envelope(&cx).await?;
    let result = envelope.and_then(|(envelope, shown)| {
        let reply_to = quads(&envelope.reply_to);
        let sender: Vec<(Option<String>, Option<String>)> = quads(&envelope.sender)
            .into_iter()
            .map(|(_, _, mailbox, host)| (mailbox, host))
            .collect();
        let route_ok = reply_to
            == vec![quad(
                None,
                Some("@relay.example.test"),
                Some("routed"),
                Some("example.test"),
            )];
        let comment_ok = sender
            == vec![(
                Some("sender".to_string()),
                Some("example.test".to_string()),
            )];
        if route_ok && comment_ok {
            Ok(())
        } else {
            Err(Finding::violation(
                "Reply-To: (NIL \"@relay.example.test\" \"routed\" \"example.test\"); Sender: one address, mailbox \"sender\", host \"example.test\"",
                shown,
            ))
        }
    });
    scratch.finish(result).await
}
