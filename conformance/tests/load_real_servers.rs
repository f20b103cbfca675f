//! `groupwire load` against a real Postfix (submission) delivering over LMTP into a real
//! Dovecot (IMAP), started by `scripts/servers/postfix.sh`: the smtp-burst, mobile and
//! thunderbird (its DAV actions left out: no DAV server) mixes
//! at a small size (the two test accounts, a few seconds) lose nothing and pass. Skips when
//! Postfix or Dovecot is not installed (CI installs both).
//!
//! With `CI=true` only (it takes about a minute): 30 users (`GW_EXTRA_USERS`) run the webmail
//! mix against Postfix + Dovecot, then the thunderbird mix with its CalDAV/CardDAV
//! sync-collection against Postfix + Dovecot + a real Radicale (`scripts/servers/radicale.sh`),
//! 20 s each: nothing lost or duplicated, no grammar violation, every resync adds up.

#[path = "support/servers.rs"]
mod servers;

use std::process::Command;
use std::time::{Duration, Instant};

use groupwire_conformance::load::stats::LoadResult;

fn run(
    target: &std::path::Path,
    mix: &str,
    output: &std::path::Path,
) -> (bool, LoadResult, String) {
    run_for(target, mix, output, "4s", Duration::from_secs(90))
}

fn run_for(
    target: &std::path::Path,
    mix: &str,
    output: &std::path::Path,
    duration: &str,
    within: Duration,
) -> (bool, LoadResult, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .arg("load")
        .arg(target)
        .args([
            "--mix",
            mix,
            "--duration",
            duration,
            "--delivery-bound",
            "30s",
        ])
        .arg("--output")
        .arg(output)
        .env("LOAD_REAL_PASS1", "alice-password")
        .env("LOAD_REAL_PASS2", "bob-password")
        .env("LOAD_REAL_PASS", "load-password")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("groupwire load starts");
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("groupwire load did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut report = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        use std::io::Read;
        let _ = stdout.read_to_string(&mut report);
    }
    let result = serde_json::from_str(&std::fs::read_to_string(output).unwrap()).unwrap();
    (status.success(), result, report)
}

/// Short sessions that deliver, file to Sent and Trash, and resync INBOX, Sent, Trash and a
/// folder Dovecot lacks at first.
const FOLDERS_MIX: &str = "name = 'folders'\n[arrival]\nmodel = 'closed'\nactions_per_session = 4\npause = '50ms'\n\
    [[action]]\nkind = 'smtp.submit'\nweight = 3\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.sync'\nweight = 2\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.flag'\nweight = 1\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.append'\nweight = 1\nthink = '20ms'\nsize = '1KB'\n\
    [[action]]\nkind = 'imap.move'\nweight = 2\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.resync'\nweight = 3\nthink = '20ms'\nfolders = ['Sent', 'Trash', 'Projects']\n";

#[test]
fn postfix_and_dovecot_lose_nothing_under_load() {
    let Some(server) = servers::RealServer::start("postfix") else {
        return;
    };
    let dir = server.dir().to_path_buf();
    let host = server.get("IMAP_HOST").unwrap_or("127.0.0.1");
    let target = dir.join("load-target.toml");
    std::fs::write(
        &target,
        format!(
            "name = \"postfix + dovecot\"\nimap = \"imaps://{host}:{}\"\nsmtp = \"smtps://{}:{}\"\n\
             [tls]\ntrust = \"ca-file\"\nca_file = \"{}\"\n\
             [[account]]\nuser = \"{}\"\naddress = \"{}@example.test\"\npassword_env = \"LOAD_REAL_PASS1\"\n\
             [[account]]\nuser = \"{}\"\naddress = \"{}@example.test\"\npassword_env = \"LOAD_REAL_PASS2\"\n",
            server.get("IMAPS_PORT").unwrap(),
            server.get("HOST").unwrap_or("127.0.0.1"),
            server.get("SUBMISSIONS_PORT").unwrap(),
            server.get("CERT").unwrap(),
            server.get("USER1").unwrap(),
            server.get("USER1").unwrap(),
            server.get("USER2").unwrap(),
            server.get("USER2").unwrap(),
        ),
    )
    .unwrap();
    // Short sessions that file to Sent and Trash and resync four folders: after the first
    // resync of a folder, Dovecot's `SELECT folder (QRESYNC ...)` must add up.
    let folders = dir.join("folders.toml");
    std::fs::write(&folders, FOLDERS_MIX).unwrap();
    let (passed, result, report) = run(
        &target,
        folders.to_str().unwrap(),
        &dir.join("folders.json"),
    );
    assert!(passed, "folders: {report}");
    assert!(result.correctness.qresync_checks > 0, "folders: {report}");
    assert_eq!(result.correctness.resync_mismatches, 0, "folders: {report}");
    assert_eq!(result.delivery.lost, 0, "folders: {report}");
    for mix in ["smtp-burst", "mobile", "thunderbird"] {
        let (passed, result, report) = run(&target, mix, &dir.join(format!("{mix}.json")));
        assert!(passed, "{mix}: {report}");
        assert_eq!(result.delivery.lost, 0, "{mix}: {report}");
        assert_eq!(result.delivery.duplicated, 0, "{mix}: {report}");
        assert_eq!(result.correctness.grammar_violations, 0, "{mix}: {report}");
        if mix == "smtp-burst" {
            assert!(result.delivery.submitted > 0, "{mix}: {report}");
        }
    }
}

/// The extra users of the larger run (`GW_EXTRA_USERS`: `load001`..`load030`).
const EXTRA_USERS: usize = 30;

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true")
}

/// One HTTP/1.1 request to Radicale as `user`; the status code.
fn http(port: u16, method: &str, path: &str, user: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let credentials = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{user}:load-password"),
    );
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Basic {credentials}\r\n\
         Content-Type: application/xml; charset=utf-8\r\nDepth: 0\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A calendar (`/USER/calendar/`) and an address book (`/USER/contacts/`) for `user`.
fn make_collections(port: u16, user: &str) {
    // The principal collection comes into being on the user's first request.
    http(port, "PROPFIND", &format!("/{user}/"), user, "");
    let calendar = http(port, "MKCALENDAR", &format!("/{user}/calendar/"), user, "");
    assert_eq!(calendar, 201, "MKCALENDAR /{user}/calendar/");
    let addressbook = http(
        port,
        "MKCOL",
        &format!("/{user}/contacts/"),
        user,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
         <D:mkcol xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:carddav\"><D:set><D:prop>\
         <D:resourcetype><D:collection/><C:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>",
    );
    assert_eq!(addressbook, 201, "MKCOL /{user}/contacts/");
}

#[test]
fn webmail_and_dav_mixes_lose_nothing_against_postfix_dovecot_and_radicale() {
    if !in_ci() {
        eprintln!("skip: runs with CI=true only (about a minute against real servers)");
        return;
    }
    let extra = EXTRA_USERS.to_string();
    let users = [("GW_EXTRA_USERS", extra.as_str())];
    let mail = servers::RealServer::start_with("postfix", &users)
        .expect("Postfix and Dovecot are installed in CI");
    let radicale =
        servers::RealServer::start_with("radicale", &users).expect("Radicale is installed in CI");
    let dav_port = radicale.port("HTTP_PORT").unwrap();
    let logins: Vec<String> = (1..=EXTRA_USERS).map(|n| format!("load{n:03}")).collect();
    for login in &logins {
        make_collections(dav_port, login);
    }
    let dir = mail.dir().to_path_buf();
    let host = mail.get("IMAP_HOST").unwrap_or("127.0.0.1");
    let mut target = format!(
        "name = \"postfix + dovecot + radicale\"\nimap = \"imaps://{host}:{}\"\nsmtp = \"smtps://{}:{}\"\n\
         caldav = \"{}\"\ncarddav = \"{}\"\n[tls]\ntrust = \"ca-file\"\nca_file = \"{}\"\n",
        mail.get("IMAPS_PORT").unwrap(),
        mail.get("HOST").unwrap_or("127.0.0.1"),
        mail.get("SUBMISSIONS_PORT").unwrap(),
        radicale.get("URL").unwrap(),
        radicale.get("URL").unwrap(),
        mail.get("CERT").unwrap(),
    );
    for login in &logins {
        target.push_str(&format!(
            "[[account]]\nuser = \"{login}\"\naddress = \"{login}@example.test\"\npassword_env = \"LOAD_REAL_PASS\"\n"
        ));
    }
    let target_path = dir.join("load-target-30.toml");
    std::fs::write(&target_path, target).unwrap();
    // The thunderbird mix with Radicale's collection layout.
    let thunderbird = include_str!("../mixes/thunderbird.toml")
        .replacen(
            "path = \"{user}/default/\"",
            "path = \"{user}/calendar/\"",
            1,
        )
        .replacen(
            "path = \"{user}/default/\"",
            "path = \"{user}/contacts/\"",
            1,
        );
    assert!(thunderbird.contains("{user}/contacts/"));
    let mix_path = dir.join("thunderbird-radicale.toml");
    std::fs::write(&mix_path, thunderbird).unwrap();
    for mix in ["webmail", mix_path.to_str().unwrap()] {
        let name = if mix == "webmail" {
            "webmail"
        } else {
            "thunderbird"
        };
        let (passed, result, report) = run_for(
            &target_path,
            mix,
            &dir.join(format!("{name}-30.json")),
            "20s",
            Duration::from_secs(240),
        );
        println!("{name}, {EXTRA_USERS} users, 20 s:\n{report}");
        assert!(passed, "{name}: {report}");
        assert_eq!(result.users, EXTRA_USERS as u64, "{name}: {report}");
        assert!(result.delivery.submitted > 0, "{name}: {report}");
        assert_eq!(result.delivery.lost, 0, "{name}: {report}");
        assert_eq!(result.delivery.duplicated, 0, "{name}: {report}");
        assert_eq!(
            result.delivery.delivered, result.delivery.submitted,
            "{name}: {report}"
        );
        assert_eq!(result.correctness.grammar_violations, 0, "{name}: {report}");
        assert_eq!(result.correctness.uid_regressions, 0, "{name}: {report}");
        assert_eq!(result.correctness.resync_mismatches, 0, "{name}: {report}");
        if name == "thunderbird" {
            assert!(result.correctness.resync_checks > 0, "{name}: {report}");
            for action in ["caldav.sync", "carddav.sync", "imap.resync", "imap.move"] {
                let counts = result.actions.get(action);
                assert!(counts.is_some_and(|a| a.ok > 0), "{action}: {report}");
                assert!(counts.is_some_and(|a| a.failed == 0), "{action}: {report}");
            }
        } else {
            assert!(
                result.actions.get("imap.login").is_some_and(|a| a.ok > 20),
                "many short sessions: {report}"
            );
        }
    }
    drop(radicale);
    drop(mail);
}
