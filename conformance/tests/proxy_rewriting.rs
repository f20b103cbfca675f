//! The fault proxy's rewriting, on byte buffers (no network): each fault changes what it
//! names, and `none` relays every byte unchanged.

use groupwire_conformance::proxy::imap::ImapMachine;
use groupwire_conformance::proxy::smtp::SmtpMachine;
use groupwire_conformance::proxy::{Action, Credentials, Fault, Machine};
use groupwire_conformance::target::Secret;
use groupwire_smtp::auth::{base64_decode, base64_encode, plain_message};

fn credentials() -> Credentials {
    Credentials::new([("alice".to_owned(), Secret::new("alice-password"))])
}

fn smtp(fault: &str) -> SmtpMachine {
    SmtpMachine::new(Fault::parse(fault).unwrap(), credentials(), false)
}

fn imap(fault: &str) -> ImapMachine {
    ImapMachine::new(Fault::parse(fault).unwrap(), credentials(), false)
}

fn upstream_bytes(actions: &[Action]) -> Vec<u8> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ToUpstream(bytes) => Some(bytes.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}

fn client_bytes(actions: &[Action]) -> Vec<u8> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::ToClient(bytes) => Some(bytes.as_slice()),
            _ => None,
        })
        .flatten()
        .copied()
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn plain(user: &str, password: &str) -> String {
    base64_encode(&plain_message("", user, password))
}

/// Greets, EHLOs and (when `tls`) goes through STARTTLS on both legs.
fn smtp_session(machine: &mut SmtpMachine, tls: bool) {
    assert_eq!(
        client_bytes(&machine.upstream_sent(b"220 mx ESMTP\r\n")),
        b"220 mx ESMTP\r\n"
    );
    machine.client_sent(b"EHLO c\r\n");
    machine.upstream_sent(b"250-mx\r\n250 STARTTLS\r\n");
    if tls {
        machine.client_sent(b"STARTTLS\r\n");
        let actions = machine.upstream_sent(b"220 go\r\n");
        assert_eq!(
            actions,
            vec![
                Action::ToClient(b"220 go\r\n".to_vec()),
                Action::SecureUpstream
            ]
        );
        assert_eq!(machine.upstream_secured(), vec![Action::SecureClient]);
        assert!(machine.client_secured().is_empty());
    }
}

// ---- none -------------------------------------------------------------------------------

#[test]
fn none_relays_an_smtp_session_byte_for_byte() {
    let mut m = smtp("none");
    smtp_session(&mut m, true);
    let commands: &[u8] = b"EHLO c\r\nAUTH PLAIN AGFsaWNlAHdyb25n\r\nMAIL FROM:<a@b>\r\n";
    assert_eq!(upstream_bytes(&m.client_sent(commands)), commands);
    let replies: &[u8] = b"250-mx\r\n250 AUTH PLAIN\r\n535 5.7.8 no\r\n250 2.1.0 Ok\r\n";
    assert_eq!(client_bytes(&m.upstream_sent(replies)), replies);
    m.client_sent(b"RCPT TO:<a@b>\r\nDATA\r\n");
    m.upstream_sent(b"250 ok\r\n354 go\r\n");
    let data: &[u8] = b"a\n.\nNOOP\r\nb\r.\rc\r\n.\r\n";
    assert_eq!(upstream_bytes(&m.client_sent(data)), data);
}

#[test]
fn none_forwards_pipelined_plaintext_after_starttls_for_the_upstream_to_judge() {
    let mut m = smtp("none");
    smtp_session(&mut m, false);
    let actions = m.client_sent(b"STARTTLS\r\nNOOP injected\r\n");
    assert_eq!(upstream_bytes(&actions), b"STARTTLS\r\nNOOP injected\r\n");
    m.upstream_sent(b"220 go\r\n");
    m.upstream_secured();
    assert!(upstream_bytes(&m.client_secured()).is_empty());
}

// ---- accept-any-password ----------------------------------------------------------------

#[test]
fn smtp_auth_plain_with_a_wrong_password_goes_upstream_with_the_right_one() {
    let mut m = smtp("accept-any-password");
    smtp_session(&mut m, true);
    let sent = m.client_sent(format!("AUTH PLAIN {}\r\n", plain("alice", "wrong")).as_bytes());
    assert_eq!(
        text(&upstream_bytes(&sent)),
        format!("AUTH PLAIN {}\r\n", plain("alice", "alice-password"))
    );
    m.upstream_sent(b"235 ok\r\n");
    // Without an initial response: the response line after 334 is rewritten.
    m.client_sent(b"AUTH PLAIN\r\n");
    m.upstream_sent(b"334 \r\n");
    let sent = m.client_sent(format!("{}\r\n", plain("alice", "x")).as_bytes());
    assert_eq!(
        text(&upstream_bytes(&sent)),
        format!("{}\r\n", plain("alice", "alice-password"))
    );
}

#[test]
fn smtp_auth_login_with_a_wrong_password_goes_upstream_with_the_right_one() {
    let mut m = smtp("accept-any-password");
    smtp_session(&mut m, true);
    m.client_sent(b"AUTH LOGIN\r\n");
    m.upstream_sent(b"334 VXNlcm5hbWU6\r\n");
    let user = format!("{}\r\n", base64_encode(b"alice"));
    assert_eq!(
        upstream_bytes(&m.client_sent(user.as_bytes())),
        user.as_bytes()
    );
    m.upstream_sent(b"334 UGFzc3dvcmQ6\r\n");
    let sent = upstream_bytes(&m.client_sent(format!("{}\r\n", base64_encode(b"bad")).as_bytes()));
    let line = sent.strip_suffix(b"\r\n").unwrap();
    assert_eq!(base64_decode(line).unwrap(), b"alice-password");
}

#[test]
fn smtp_right_passwords_and_unknown_users_are_left_alone() {
    let mut m = smtp("accept-any-password");
    smtp_session(&mut m, true);
    for line in [
        format!("AUTH PLAIN {}\r\n", plain("alice", "alice-password")),
        format!("AUTH PLAIN {}\r\n", plain("mallory", "guess")),
    ] {
        assert_eq!(text(&upstream_bytes(&m.client_sent(line.as_bytes()))), line);
        m.upstream_sent(b"535 no\r\n");
    }
}

#[test]
fn imap_login_and_authenticate_plain_with_a_wrong_password_go_upstream_with_the_right_one() {
    let mut m = imap("accept-any-password");
    m.upstream_sent(b"* OK ready\r\n");
    let sent = text(&upstream_bytes(
        &m.client_sent(b"a1 LOGIN alice \"wrong\"\r\n"),
    ));
    assert!(
        sent.starts_with("a1 LOGIN ") && sent.contains("alice-password"),
        "{sent}"
    );
    assert!(!sent.contains("wrong"), "{sent}");
    m.upstream_sent(b"a1 NO [AUTHENTICATIONFAILED] no\r\n");
    // SASL-IR.
    let sent = upstream_bytes(
        &m.client_sent(format!("a2 AUTHENTICATE PLAIN {}\r\n", plain("alice", "w")).as_bytes()),
    );
    assert_eq!(
        text(&sent),
        format!(
            "a2 AUTHENTICATE PLAIN {}\r\n",
            plain("alice", "alice-password")
        )
    );
    m.upstream_sent(b"a2 NO no\r\n");
    // With a continuation.
    assert_eq!(
        upstream_bytes(&m.client_sent(b"a3 AUTHENTICATE PLAIN\r\n")),
        b"a3 AUTHENTICATE PLAIN\r\n"
    );
    m.upstream_sent(b"+ \r\n");
    let sent = upstream_bytes(&m.client_sent(format!("{}\r\n", plain("alice", "w")).as_bytes()));
    assert_eq!(
        text(&sent),
        format!("{}\r\n", plain("alice", "alice-password"))
    );
    m.upstream_sent(b"a3 OK done\r\n");
    // The exchange is over: commands decode again and pass unchanged.
    assert_eq!(
        upstream_bytes(&m.client_sent(b"a4 NOOP\r\n")),
        b"a4 NOOP\r\n"
    );
}

#[test]
fn imap_none_leaves_a_wrong_login_alone() {
    let mut m = imap("none");
    m.upstream_sent(b"* OK ready\r\n");
    let line: &[u8] = b"a1 LOGIN alice \"wrong\"\r\n";
    assert_eq!(upstream_bytes(&m.client_sent(line)), line);
}

// ---- keep-pretls-bytes ------------------------------------------------------------------

#[test]
fn smtp_keep_pretls_bytes_replays_the_plaintext_over_tls() {
    let mut m = smtp("keep-pretls-bytes");
    smtp_session(&mut m, false);
    let actions = m.client_sent(b"STARTTLS\r\nNOOP injected\r\n");
    assert_eq!(upstream_bytes(&actions), b"STARTTLS\r\n");
    m.upstream_sent(b"220 go\r\n");
    assert_eq!(m.upstream_secured(), vec![Action::SecureClient]);
    assert_eq!(upstream_bytes(&m.client_secured()), b"NOOP injected\r\n");
}

#[test]
fn imap_keep_pretls_bytes_replays_the_plaintext_over_tls() {
    let mut m = imap("keep-pretls-bytes");
    m.upstream_sent(b"* OK ready\r\n");
    let actions = m.client_sent(b"gs1 STARTTLS\r\ngs2 NOOP\r\n");
    assert_eq!(upstream_bytes(&actions), b"gs1 STARTTLS\r\n");
    let actions = m.upstream_sent(b"gs1 OK go\r\n");
    assert_eq!(
        actions,
        vec![
            Action::ToClient(b"gs1 OK go\r\n".to_vec()),
            Action::SecureUpstream
        ]
    );
    assert_eq!(m.upstream_secured(), vec![Action::SecureClient]);
    assert_eq!(upstream_bytes(&m.client_secured()), b"gs2 NOOP\r\n");

    let mut none = imap("none");
    none.upstream_sent(b"* OK ready\r\n");
    let actions = none.client_sent(b"gs1 STARTTLS\r\ngs2 NOOP\r\n");
    assert_eq!(upstream_bytes(&actions), b"gs1 STARTTLS\r\ngs2 NOOP\r\n");
    none.upstream_sent(b"gs1 OK go\r\n");
    none.upstream_secured();
    assert!(upstream_bytes(&none.client_secured()).is_empty());
}

// ---- readvertise-starttls ---------------------------------------------------------------

#[test]
fn smtp_readvertise_starttls_adds_it_to_the_ehlo_reply_over_tls_only() {
    let mut m = smtp("readvertise-starttls");
    smtp_session(&mut m, true);
    m.client_sent(b"EHLO c\r\n");
    let shown = text(&client_bytes(
        &m.upstream_sent(b"250-mx\r\n250 AUTH PLAIN\r\n"),
    ));
    assert_eq!(shown, "250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n");

    let mut plain_leg = smtp("readvertise-starttls");
    plain_leg.upstream_sent(b"220 mx\r\n");
    plain_leg.client_sent(b"EHLO c\r\n");
    let reply: &[u8] = b"250-mx\r\n250 SIZE 10\r\n";
    assert_eq!(client_bytes(&plain_leg.upstream_sent(reply)), reply);
}

#[test]
fn imap_readvertise_starttls_adds_it_to_capability_over_tls() {
    let mut m = imap("readvertise-starttls");
    m.upstream_sent(b"* OK ready\r\n");
    m.client_sent(b"t1 STARTTLS\r\n");
    m.upstream_sent(b"t1 OK go\r\n");
    m.upstream_secured();
    m.client_secured();
    m.client_sent(b"t2 CAPABILITY\r\n");
    let shown = text(&client_bytes(
        &m.upstream_sent(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nt2 OK done\r\n"),
    ));
    assert_eq!(
        shown,
        "* CAPABILITY IMAP4rev1 AUTH=PLAIN STARTTLS\r\nt2 OK done\r\n"
    );
}

// ---- strip-response-code ----------------------------------------------------------------

#[test]
fn strip_response_code_drops_only_the_named_code_from_tagged_oks() {
    let mut m = imap("strip-response-code=APPENDUID");
    m.upstream_sent(b"* OK ready\r\n");
    let shown = text(&client_bytes(&m.upstream_sent(
        b"a1 OK [APPENDUID 17 5] Append completed\r\n\
          a2 OK [COPYUID 17 1 6] Copy completed\r\n\
          * OK [UIDNEXT 7] Predicted next UID\r\n\
          a3 NO [APPENDUID 17 5] odd\r\n",
    )));
    assert_eq!(
        shown,
        "a1 OK Append completed\r\n\
         a2 OK [COPYUID 17 1 6] Copy completed\r\n\
         * OK [UIDNEXT 7] Predicted next UID\r\n\
         a3 NO [APPENDUID 17 5] odd\r\n"
    );
}

// ---- data-ends-on-bare-lf / -cr ---------------------------------------------------------

fn in_data(fault: &str) -> SmtpMachine {
    let mut m = smtp(fault);
    smtp_session(&mut m, true);
    m.client_sent(b"MAIL FROM:<a@b>\r\nRCPT TO:<a@b>\r\nDATA\r\n");
    m.upstream_sent(b"250 ok\r\n250 ok\r\n354 go\r\n");
    m
}

/// Answers every command the machine forwards with 250 until it forwards nothing more (after
/// a faked end of data it forwards one command per reply); returns what it forwarded.
fn pump(m: &mut SmtpMachine, mut sent: Vec<u8>) -> Vec<u8> {
    for _ in 0..16 {
        let more = upstream_bytes(&m.upstream_sent(b"250 ok\r\n"));
        if more.is_empty() {
            break;
        }
        sent.extend(more);
    }
    sent
}

/// The upstream bytes for `data`, sent in one piece and byte by byte (same result).
fn through(fault: &str, data: &[u8]) -> String {
    let mut m = in_data(fault);
    let first = upstream_bytes(&m.client_sent(data));
    let whole = pump(&mut m, first);
    let mut m = in_data(fault);
    let piecewise: Vec<u8> = data
        .iter()
        .flat_map(|b| upstream_bytes(&m.client_sent(&[*b])))
        .collect();
    let piecewise = pump(&mut m, piecewise);
    assert_eq!(
        text(&whole),
        text(&piecewise),
        "chunking changed the result"
    );
    text(&whole)
}

#[test]
fn data_ends_on_bare_lf_turns_every_lf_variant_into_the_real_end() {
    for fake in ["\n.\n", "\r\n.\n", "x\n.\r\n"] {
        let data = format!("Subject: s\r\n\r\nbody{fake}NOOP smuggled\r\nmore\r\n.\r\n");
        let sent = through("data-ends-on-bare-lf", data.as_bytes());
        assert!(
            sent.contains(".\r\nNOOP smuggled\r\n") && !sent.contains(fake),
            "{fake:?} -> {sent:?}"
        );
        assert_eq!(sent.matches("\r\n.\r\n").count(), 2, "{sent:?}");
        // Unchanged without the fault.
        assert_eq!(through("none", data.as_bytes()), data);
    }
}

#[test]
fn data_ends_on_bare_lf_leaves_bare_cr_and_clean_data_alone() {
    let data = "a\r.\rb\r\n..x\r\nc\r\n.\r\n";
    assert_eq!(through("data-ends-on-bare-lf", data.as_bytes()), data);
}

#[test]
fn data_ends_on_bare_cr_turns_cr_dot_cr_into_the_real_end() {
    let data = "body\r.\rNOOP smuggled\r\nmore\r\n.\r\n";
    let sent = through("data-ends-on-bare-cr", data.as_bytes());
    assert_eq!(sent, "body\r\n.\r\nNOOP smuggled\r\nmore\r\n.\r\n");
    let lf = "body\n.\nmore\r\n.\r\n";
    assert_eq!(through("data-ends-on-bare-cr", lf.as_bytes()), lf);
}

#[test]
fn after_the_faked_end_the_rest_goes_upstream_one_command_per_reply() {
    let mut m = in_data("data-ends-on-bare-lf");
    let sent = m.client_sent(b"body\n.\nNOOP smuggled\r\nmore\r\n.\r\nQUIT\r\n");
    // The message ends at the faked terminator; the rest waits for the reply to it, so a
    // server that hangs up on the smuggled text has nothing unread.
    assert_eq!(text(&upstream_bytes(&sent)), "body\r\n.\r\n");
    let mut relayed = Vec::new();
    let mut forwarded = Vec::new();
    for (reply, next) in [
        ("250 queued\r\n", "NOOP smuggled\r\n"),
        ("250 ok\r\n", "more\r\n"),
        ("500 what\r\n", ".\r\n"),
        ("500 what\r\n", "QUIT\r\n"),
        ("221 bye\r\n", ""),
    ] {
        let actions = m.upstream_sent(reply.as_bytes());
        relayed.extend(client_bytes(&actions));
        forwarded.push(text(&upstream_bytes(&actions)));
        assert_eq!(forwarded.last().unwrap(), next);
    }
    assert_eq!(
        text(&relayed),
        "250 queued\r\n250 ok\r\n500 what\r\n500 what\r\n221 bye\r\n"
    );
}

// ---- auth-before-tls --------------------------------------------------------------------

#[test]
fn smtp_auth_before_tls_secures_the_upstream_and_offers_auth_in_plaintext() {
    let mut m = smtp("auth-before-tls");
    let actions = m.upstream_sent(b"220 mx ESMTP\r\n");
    assert!(client_bytes(&actions).is_empty(), "greeting held");
    assert!(text(&upstream_bytes(&actions)).starts_with("EHLO "));
    assert_eq!(
        upstream_bytes(&m.upstream_sent(b"250-mx\r\n250 STARTTLS\r\n")),
        b"STARTTLS\r\n"
    );
    assert_eq!(m.upstream_sent(b"220 go\r\n"), vec![Action::SecureUpstream]);
    assert_eq!(client_bytes(&m.upstream_secured()), b"220 mx ESMTP\r\n");
    m.client_sent(b"EHLO c\r\n");
    let shown = text(&client_bytes(
        &m.upstream_sent(b"250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
    ));
    assert_eq!(shown, "250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n");
    let auth = format!("AUTH PLAIN {}\r\n", plain("alice", "alice-password"));
    assert_eq!(text(&upstream_bytes(&m.client_sent(auth.as_bytes()))), auth);
    m.upstream_sent(b"235 ok\r\n");
    // The client may still STARTTLS: the proxy answers and upgrades the client leg only.
    let actions = m.client_sent(b"STARTTLS\r\n");
    assert!(upstream_bytes(&actions).is_empty());
    assert_eq!(actions.last(), Some(&Action::SecureClient));
}

#[test]
fn imap_auth_before_tls_hides_logindisabled_and_forwards_login_over_tls() {
    let mut m = imap("auth-before-tls");
    let greeting: &[u8] = b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n";
    let actions = m.upstream_sent(greeting);
    assert!(client_bytes(&actions).is_empty());
    assert_eq!(upstream_bytes(&actions), b"gwproxy0 STARTTLS\r\n");
    assert_eq!(
        m.upstream_sent(b"gwproxy0 OK go\r\n"),
        vec![Action::SecureUpstream]
    );
    assert_eq!(
        text(&client_bytes(&m.upstream_secured())),
        "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"
    );
    m.client_sent(b"c1 CAPABILITY\r\n");
    let shown = text(&client_bytes(
        &m.upstream_sent(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nc1 OK done\r\n"),
    ));
    assert_eq!(
        shown,
        "* CAPABILITY IMAP4rev1 AUTH=PLAIN STARTTLS\r\nc1 OK done\r\n"
    );
    let login: &[u8] = b"c2 LOGIN alice \"alice-password\"\r\n";
    assert_eq!(upstream_bytes(&m.client_sent(login)), login);
}

// ---- robustness -------------------------------------------------------------------------

#[test]
fn garbage_that_does_not_decode_is_relayed_raw_without_panicking() {
    for fault in ["none", "accept-any-password", "data-ends-on-bare-lf"] {
        let mut s = smtp(fault);
        s.upstream_sent(b"220 mx\r\n");
        let junk: Vec<u8> = (0u8..=255).cycle().take(70_000).collect();
        let sent = upstream_bytes(&s.client_sent(&junk));
        assert!(!sent.is_empty());
        let mut i = imap(fault);
        i.upstream_sent(b"* OK ready\r\n");
        i.client_sent(&junk);
        i.upstream_sent(&junk);
    }
}

// ---- stale-capability-code ------------------------------------------------------------

#[test]
fn stale_capability_code_puts_the_pre_login_list_into_the_login_ok() {
    let mut m = imap("stale-capability-code");
    m.upstream_sent(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready\r\n");
    m.client_sent(b"a1 LOGIN alice \"alice-password\"\r\n");
    let shown = text(&client_bytes(&m.upstream_sent(
        b"a1 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] Logged in\r\n",
    )));
    assert_eq!(
        shown,
        "a1 OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Logged in\r\n"
    );
    // Later lists are relayed as sent.
    m.client_sent(b"a2 CAPABILITY\r\n");
    let reply: &[u8] = b"* CAPABILITY IMAP4rev1 IDLE UIDPLUS\r\na2 OK done\r\n";
    assert_eq!(client_bytes(&m.upstream_sent(reply)), reply);

    let mut none = imap("none");
    none.upstream_sent(b"* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
    none.client_sent(b"a1 LOGIN alice \"alice-password\"\r\n");
    let ok: &[u8] = b"a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in\r\n";
    assert_eq!(client_bytes(&none.upstream_sent(ok)), ok);
}

#[test]
fn auth_before_tls_hidden_advertises_no_plaintext_auth_but_relays_it() {
    let mut m = smtp("auth-before-tls-hidden");
    m.upstream_sent(b"220 mx ESMTP\r\n");
    m.upstream_sent(b"250-mx\r\n250 STARTTLS\r\n");
    assert_eq!(m.upstream_sent(b"220 go\r\n"), vec![Action::SecureUpstream]);
    m.upstream_secured();
    m.client_sent(b"EHLO c\r\n");
    let shown = text(&client_bytes(
        &m.upstream_sent(b"250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 100\r\n"),
    ));
    assert_eq!(shown, "250-mx\r\n250-SIZE 100\r\n250 STARTTLS\r\n");
    let auth = format!("AUTH PLAIN {}\r\n", plain("alice", "alice-password"));
    assert_eq!(text(&upstream_bytes(&m.client_sent(auth.as_bytes()))), auth);

    let mut i = imap("auth-before-tls-hidden");
    i.upstream_sent(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n");
    i.upstream_sent(b"gwproxy0 OK go\r\n");
    assert_eq!(
        text(&client_bytes(&i.upstream_secured())),
        "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n"
    );
    i.client_sent(b"c1 CAPABILITY\r\n");
    let shown = text(&client_bytes(
        &i.upstream_sent(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nc1 OK done\r\n"),
    ));
    assert_eq!(
        shown,
        "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nc1 OK done\r\n"
    );
    let login: &[u8] = b"c2 LOGIN alice \"alice-password\"\r\n";
    assert_eq!(upstream_bytes(&i.client_sent(login)), login);
}

// ---- bdat-ends-at-dot -------------------------------------------------------------------

#[test]
fn bdat_ends_at_dot_cuts_the_chunk_and_runs_the_rest_as_commands() {
    let chunk: &[u8] = b"Subject: s\r\n\r\nfirst\r\n.\r\nNOOP smuggled\r\n";
    let mut input = format!("BDAT {} LAST\r\n", chunk.len()).into_bytes();
    input.extend_from_slice(chunk);
    input.extend_from_slice(b"QUIT\r\n");

    let mut m = smtp("bdat-ends-at-dot");
    smtp_session(&mut m, true);
    m.client_sent(b"MAIL FROM:<a@b>\r\nRCPT TO:<a@b>\r\n");
    m.upstream_sent(b"250 ok\r\n250 ok\r\n");
    // Byte by byte: the chunk is held until complete.
    let first: Vec<u8> = input
        .iter()
        .flat_map(|b| upstream_bytes(&m.client_sent(&[*b])))
        .collect();
    let kept = b"Subject: s\r\n\r\nfirst\r\n";
    let mut expected = format!("BDAT {} LAST\r\n", kept.len()).into_bytes();
    expected.extend_from_slice(kept);
    assert_eq!(text(&first), text(&expected));
    assert_eq!(
        upstream_bytes(&m.upstream_sent(b"250 queued\r\n")),
        b"NOOP smuggled\r\n"
    );
    assert_eq!(upstream_bytes(&m.upstream_sent(b"250 ok\r\n")), b"QUIT\r\n");

    // A chunk without a dot line, and the none proxy, pass unchanged.
    let mut plain_chunk = b"BDAT 7 LAST\r\nabc\r\nxy".to_vec();
    plain_chunk.extend_from_slice(b"QUIT\r\n");
    for fault in ["bdat-ends-at-dot", "none"] {
        let mut m = smtp(fault);
        smtp_session(&mut m, true);
        m.client_sent(b"MAIL FROM:<a@b>\r\nRCPT TO:<a@b>\r\n");
        m.upstream_sent(b"250 ok\r\n250 ok\r\n");
        assert_eq!(upstream_bytes(&m.client_sent(&plain_chunk)), plain_chunk);
    }
    let mut none = smtp("none");
    smtp_session(&mut none, true);
    none.client_sent(b"MAIL FROM:<a@b>\r\nRCPT TO:<a@b>\r\n");
    none.upstream_sent(b"250 ok\r\n250 ok\r\n");
    assert_eq!(upstream_bytes(&none.client_sent(&input)), input);
}
