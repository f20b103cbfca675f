//! Real mail clients against the embedded reference servers: curl (IMAP and SMTP), Python's
//! imaplib and smtplib, and mbsync each do a real round trip over TLS (login, list, fetch,
//! submit). A test whose client binary is absent says so and returns; CI installs them all
//! (scripts/debian-packages.txt: curl, python3, isync).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use groupwire_conformance::reference::{Reference, ReferenceOptions};

struct Fixture {
    // Keeps the reference's servers running while the client runs.
    runtime: tokio::runtime::Runtime,
    reference: Option<Reference>,
    dir: PathBuf,
    cert: PathBuf,
}

impl Fixture {
    fn start(name: &str) -> Fixture {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let reference = runtime
            .block_on(Reference::start(ReferenceOptions::default()))
            .unwrap();
        let dir =
            std::env::temp_dir().join(format!("groupwire-real-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cert = dir.join("ca.pem");
        std::fs::write(&cert, &reference.tls.certificate_pem).unwrap();
        // One message in alice's INBOX for the clients to fetch.
        let message = b"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: seeded for real clients\r\n\
Message-ID: <seed@example.test>\r\n\r\nhello from the reference store\r\n";
        reference
            .store
            .append(
                &reference.accounts[0].address,
                "INBOX",
                Arc::from(&message[..]),
                BTreeSet::new(),
                None,
            )
            .unwrap();
        Fixture {
            runtime,
            reference: Some(reference),
            dir,
            cert,
        }
    }

    fn reference(&self) -> &Reference {
        self.reference.as_ref().unwrap()
    }

    fn user(&self, index: usize) -> (&str, &str) {
        let account = &self.reference().accounts[index];
        (&account.address, &account.password)
    }

    fn inbox_subjects(&self, index: usize) -> Vec<String> {
        let address = self.user(index).0.to_string();
        self.reference()
            .store
            .with_account(&address, |view| {
                view.mailbox("INBOX")
                    .map(|mailbox| {
                        mailbox
                            .messages
                            .iter()
                            .map(|m| String::from_utf8_lossy(&m.raw).into_owned())
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(reference) = self.reference.take() {
            self.runtime.block_on(reference.stop());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn available(program: &str) -> bool {
    let found = Command::new(program).arg("--version").output().is_ok();
    if !found {
        eprintln!(
            "SKIPPED: {program} is not installed (CI installs it from scripts/debian-packages.txt)"
        );
    }
    found
}

fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{command:?} failed: {:?}\n{stdout}\n{stderr}",
        output.status
    );
    output
}

#[test]
fn curl_imap_lists_and_fetches_over_starttls() {
    if !available("curl") {
        return;
    }
    let fixture = Fixture::start("curl-imap");
    let (user, password) = fixture.user(0);
    let base = format!("imap://{}", fixture.reference().imap);
    let list = run(Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--ssl-reqd",
            "--max-time",
            "20",
            "--cacert",
        ])
        .arg(&fixture.cert)
        .args(["--user", &format!("{user}:{password}")])
        .arg(format!("{base}/")));
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(listing.contains("INBOX"), "{listing}");
    assert!(listing.contains("\\Sent"), "{listing}");
    let fetch = run(Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--ssl-reqd",
            "--max-time",
            "20",
            "--cacert",
        ])
        .arg(&fixture.cert)
        .args(["--user", &format!("{user}:{password}")])
        .arg(format!("{base}/INBOX;UID=1")));
    let message = String::from_utf8_lossy(&fetch.stdout);
    assert!(
        message.contains("Subject: seeded for real clients"),
        "{message}"
    );
    assert!(
        message.contains("hello from the reference store"),
        "{message}"
    );
}

#[test]
fn curl_smtp_submits_over_starttls_and_the_message_is_delivered() {
    if !available("curl") {
        return;
    }
    let fixture = Fixture::start("curl-smtp");
    let (user, password) = fixture.user(0);
    let (recipient, _) = fixture.user(1);
    let message = fixture.dir.join("message.eml");
    std::fs::write(
        &message,
        format!(
            "From: <{user}>\r\nTo: <{recipient}>\r\nSubject: sent by curl\r\n\r\nbody by curl\r\n"
        ),
    )
    .unwrap();
    run(Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--ssl-reqd",
            "--max-time",
            "20",
            "--cacert",
        ])
        .arg(&fixture.cert)
        .args(["--user", &format!("{user}:{password}")])
        .args([
            "--mail-from",
            user,
            "--mail-rcpt",
            recipient,
            "--upload-file",
        ])
        .arg(&message)
        .arg(format!("smtp://{}", fixture.reference().submission)));
    let inbox = fixture.inbox_subjects(1);
    assert!(
        inbox.iter().any(|m| m.contains("Subject: sent by curl")),
        "{inbox:?}"
    );
}

const PYTHON_CLIENT: &str = r#"
import imaplib, smtplib, ssl, sys
imap_port, smtp_port, cafile, user, password, rcpt = sys.argv[1:7]
context = ssl.create_default_context(cafile=cafile)
smtp = smtplib.SMTP("127.0.0.1", int(smtp_port), timeout=20)
smtp.ehlo()
smtp.starttls(context=context)
smtp.ehlo()
smtp.login(user, password)
smtp.sendmail(user, [rcpt], "From: <%s>\r\nTo: <%s>\r\nSubject: sent by smtplib\r\n\r\nbody by smtplib\r\n" % (user, rcpt))
smtp.quit()
imap = imaplib.IMAP4("127.0.0.1", int(imap_port), timeout=20)
imap.starttls(ssl_context=context)
imap.login(user, password)
typ, boxes = imap.list()
assert typ == "OK" and any(b"INBOX" in b for b in boxes), boxes
typ, data = imap.select("INBOX")
assert typ == "OK", data
typ, data = imap.uid("FETCH", "1", "(BODY.PEEK[] FLAGS)")
assert typ == "OK", data
body = data[0][1]
assert b"hello from the reference store" in body, body
typ, data = imap.uid("SEARCH", None, "ALL")
print("uids", data[0].decode())
imap.logout()
print("python-ok")
"#;

#[test]
fn python_imaplib_and_smtplib_round_trip() {
    if !available("python3") {
        return;
    }
    let fixture = Fixture::start("python");
    let (user, password) = fixture.user(0);
    let (recipient, _) = fixture.user(1);
    let script = fixture.dir.join("client.py");
    std::fs::write(&script, PYTHON_CLIENT).unwrap();
    let output = run(Command::new("python3")
        .arg(&script)
        .arg(fixture.reference().imap.port().to_string())
        .arg(fixture.reference().submission.port().to_string())
        .arg(&fixture.cert)
        .args([user, password, recipient]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("python-ok"), "{stdout}");
    let inbox = fixture.inbox_subjects(1);
    assert!(
        inbox.iter().any(|m| m.contains("Subject: sent by smtplib")),
        "{inbox:?}"
    );
}

fn maildir_messages(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for entry in entries.flatten() {
                found.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
    }
    found
}

#[test]
fn mbsync_synchronises_the_inbox_to_a_maildir() {
    if !available("mbsync") {
        return;
    }
    let fixture = Fixture::start("mbsync");
    let (user, password) = fixture.user(0);
    let mail = fixture.dir.join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    let config = fixture.dir.join("mbsyncrc");
    std::fs::write(
        &config,
        format!(
            "IMAPAccount reference\nHost 127.0.0.1\nPort {port}\nUser {user}\nPass {password}\n\
             SSLType STARTTLS\nCertificateFile {cert}\nAuthMechs LOGIN\n\n\
             IMAPStore reference-remote\nAccount reference\n\n\
             MaildirStore reference-local\nPath {mail}/\nInbox {mail}/INBOX\n\n\
             Channel reference\nFar :reference-remote:\nNear :reference-local:\nPatterns INBOX\n\
             Create Near\nSyncState *\n",
            port = fixture.reference().imap.port(),
            cert = fixture.cert.display(),
            mail = mail.display(),
        ),
    )
    .unwrap();
    run(Command::new("mbsync")
        .arg("--config")
        .arg(&config)
        .arg("--all"));
    let messages = maildir_messages(&mail.join("INBOX"));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("Subject: seeded for real clients")),
        "{messages:?}"
    );
}
