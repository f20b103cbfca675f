//! A run says what it did: runs that verified nothing or skipped required checks are
//! INCOMPLETE (exit 4), never PASS; `--only` matching nothing and URLs naming two users are
//! usage errors; wrong credentials and untrusted certificates stop the run once, before any
//! check (exit 3), without printing the password; a certificate named in the CA file is
//! trusted by pinning even when it says CA:TRUE, and the report says so.

use std::process::{Command, Output};
use std::sync::Arc;

use groupwire_conformance::engine::{NoProgress, TlsTrust};
use groupwire_conformance::profile::Profile;
use groupwire_conformance::reference::{Reference, ReferenceOptions};
use groupwire_conformance::report::{self, Format, Verdict};
use groupwire_conformance::run::RunPlan;
use groupwire_conformance::target::{Endpoint, Secret};

fn groupwire(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groupwire"));
    command
        .args(args)
        .env_remove("GROUPWIRE_PASSWORD")
        .env_remove("GROUPWIRE_USER2")
        .env_remove("GROUPWIRE_PASSWORD2");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_url_with_no_mail_endpoint_is_incomplete_not_pass() {
    let output = groupwire(&["check", "http://127.0.0.1:1/"], &[]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(4),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("verdict: INCOMPLETE"), "{stdout}");
    assert!(!stdout.contains("verdict: PASS"));
    assert!(
        stdout.contains("not run, required: the target has no IMAP endpoint"),
        "{stdout}"
    );
    let output = groupwire(&["check", "--help"], &[]);
    assert!(text(&output.stdout).contains("4  incomplete"));
}

#[test]
fn only_matching_nothing_is_a_usage_error() {
    let output = groupwire(
        &[
            "check",
            "--only",
            "imap.no-such-*",
            "imap://alice@127.0.0.1:1",
        ],
        &[("GROUPWIRE_PASSWORD", "pw")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--only imap.no-such-* matches no check"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn two_urls_with_different_users_are_refused() {
    let output = groupwire(
        &[
            "check",
            "imap://alice@127.0.0.1:1",
            "smtp://bob@127.0.0.1:1",
        ],
        &[("GROUPWIRE_PASSWORD", "pw")],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("name different users (alice and bob)")
            && stderr.contains("GROUPWIRE_USER2"),
        "{stderr}"
    );
    // The same user twice is one account.
    let target = groupwire_conformance::target::Target::from_urls(
        &["imap://alice@h".to_owned(), "smtp://alice@h".to_owned()],
        TlsTrust::System,
        |name| (name == "GROUPWIRE_PASSWORD").then(|| "pw".to_owned()),
    )
    .unwrap();
    assert_eq!(target.accounts.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_account_makes_the_mail_profile_incomplete() {
    let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
    let mut target =
        groupwire_conformance::reference_target::reference_target(&reference, TlsTrust::Insecure);
    target.accounts.clear();
    let plan = RunPlan::new(target, Profile::builtin("mail").unwrap());
    let report = plan
        .run(
            &groupwire_conformance::suites::registry(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    reference.stop().await;
    assert_eq!(
        report.summary.required_failures,
        0,
        "{}",
        report::render(&report, Format::Text, false)
    );
    assert!(report.summary.pass > 0);
    assert!(report.summary.not_run > 0);
    assert_eq!(
        (report.verdict, report.exit_code()),
        (Verdict::Incomplete, 4)
    );
    let json: serde_json::Value =
        serde_json::from_str(&report::render(&report, Format::Json, false)).unwrap();
    assert_eq!(json["verdict"], "incomplete");
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["not_run"] == true)
    );
    // A skip because the server does not advertise something is not "not run".
    for check in json["checks"].as_array().unwrap() {
        if check["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("not advertised"))
        {
            assert!(check.get("not_run").is_none(), "{check}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_stop_the_run_once_without_printing_the_password() {
    const WRONG: &str = "wr0ng-Passw0rd";
    let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
    let mut target =
        groupwire_conformance::reference_target::reference_target(&reference, TlsTrust::Insecure);
    target.accounts.truncate(1);
    target.accounts[0].password = Secret::new(WRONG);
    let user = target.accounts[0].user.clone();
    let plan = RunPlan::new(target, Profile::builtin("mail").unwrap());
    let report = plan
        .run(
            &groupwire_conformance::suites::registry(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    assert!(report.checks.is_empty(), "no check may run");
    assert_eq!(
        (report.verdict, report.exit_code()),
        (Verdict::PreflightFailed, 3)
    );
    let failure = report.preflight.as_ref().unwrap();
    assert!(
        failure
            .message
            .starts_with(&format!("credentials for {user} rejected by IMAP: NO")),
        "{}",
        failure.message
    );
    for format in [Format::Text, Format::Json, Format::Junit, Format::Html] {
        let rendered = report::render(&report, format, false);
        assert!(!rendered.contains(WRONG), "{format:?} leaks the password");
        assert!(
            rendered.contains("rejected by IMAP"),
            "{format:?}: {rendered}"
        );
    }

    // The command line: one line on stderr, exit 3, the password nowhere.
    let url = format!("imaps://{}@{}", user.replace('@', "%40"), reference.imaps);
    let output = tokio::task::spawn_blocking(move || {
        groupwire(
            &["check", "--insecure", &url],
            &[("GROUPWIRE_PASSWORD", WRONG)],
        )
    })
    .await
    .unwrap();
    reference.stop().await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(stderr.matches("rejected by IMAP").count(), 1, "{stderr}");
    assert!(!stderr.contains(WRONG) && !text(&output.stdout).contains(WRONG));
    assert!(
        text(&output.stdout).is_empty(),
        "nothing else runs: {}",
        text(&output.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_autoconfig_url_may_name_the_document_or_its_base() {
    use groupwire_conformance::suites::discovery::document_path;
    assert_eq!(document_path("/", false), "/mail/config-v1.1.xml");
    assert_eq!(
        document_path("/mail/config-v1.1.xml", false),
        "/mail/config-v1.1.xml"
    );
    assert_eq!(
        document_path("/mail/config-v1.1.xml", true),
        "/.well-known/autoconfig/mail/config-v1.1.xml"
    );
    assert_eq!(
        document_path("/base/", true),
        "/base/.well-known/autoconfig/mail/config-v1.1.xml"
    );
    assert_eq!(
        document_path("/.well-known/autoconfig/mail/config-v1.1.xml", false),
        "/mail/config-v1.1.xml"
    );

    let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
    for form in ["/", "/mail/config-v1.1.xml"] {
        let mut target = groupwire_conformance::reference_target::reference_target(
            &reference,
            TlsTrust::Insecure,
        );
        target.autoconfig =
            Some(Endpoint::parse(&format!("https://{}{form}", reference.autoconfig)).unwrap());
        let mut plan = RunPlan::new(target, Profile::builtin("thunderbird").unwrap());
        plan.only = vec!["discovery.*".to_owned()];
        let report = plan
            .run(
                &groupwire_conformance::suites::registry(),
                Arc::new(NoProgress),
            )
            .await
            .unwrap();
        let text = report::render(&report, Format::Text, false);
        assert_eq!(report.summary.pass, report.summary.total, "{form}: {text}");
        assert!(report.summary.total >= 7, "{text}");
        assert!(text.contains("draft-ietf-mailmaint-autoconfig") || report.summary.fail == 0);
    }
    reference.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_smtp_credentials_stop_the_run_once() {
    let reference = Reference::start(ReferenceOptions::default()).await.unwrap();
    let mut target =
        groupwire_conformance::reference_target::reference_target(&reference, TlsTrust::Insecure);
    target.imap = None;
    target.autoconfig = None;
    target.accounts.truncate(1);
    target.accounts[0].password = Secret::new("not-the-password");
    let mut plan = RunPlan::new(target, Profile::builtin("mail").unwrap());
    plan.only = vec!["smtp.*".to_owned()];
    let report = plan
        .run(
            &groupwire_conformance::suites::registry(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    reference.stop().await;
    assert!(report.checks.is_empty());
    assert_eq!(report.exit_code(), 3);
    let message = &report.preflight.as_ref().unwrap().message;
    assert!(message.contains("rejected by SMTP: 535"), "{message}");
    assert!(!message.contains("not-the-password"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_fault_met_in_the_preflight_is_left_to_the_checks() {
    use groupwire_conformance::reference::faults::{Fault, Faults};
    let mut faults = Faults::none();
    faults.insert(Fault::from_name("smtp-starttls-refused").unwrap());
    let reference = Reference::start(ReferenceOptions {
        faults,
        ..ReferenceOptions::default()
    })
    .await
    .unwrap();
    let mut target =
        groupwire_conformance::reference_target::reference_target(&reference, TlsTrust::Insecure);
    target.imap = None;
    target.autoconfig = None;
    let mut plan = RunPlan::new(target, Profile::builtin("mail").unwrap());
    plan.only = vec!["smtp.*".to_owned()];
    let report = plan
        .run(
            &groupwire_conformance::suites::registry(),
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    reference.stop().await;
    // The run went on: the STARTTLS check owns the fault and fails; exit 1, not 3.
    assert!(report.preflight.is_none());
    assert!(!report.checks.is_empty());
    assert_eq!(report.exit_code(), 1);
    let text = report::render(&report, Format::Text, false);
    assert!(
        text.contains("SMTP preflight: preflight stopped early"),
        "{text}"
    );
}
