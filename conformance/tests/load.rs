//! `groupwire load` against the embedded reference deployment: a clean reference loses
//! nothing and passes; a reference dropping one message in 1,000 fails the run with the lost
//! message as evidence; 4 shards run as 4 processes merge to exactly a single run's totals.
//! Each test is small (at most 50 users, a few seconds) and bounded by a timeout.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use groupwire_conformance::load::accounts::{Shard, User};
use groupwire_conformance::load::conn::Dialer;
use groupwire_conformance::load::mix::Mix;
use groupwire_conformance::load::runner::{Plan, run};
use groupwire_conformance::load::slo::Slo;
use groupwire_conformance::load::stats::{LoadResult, decode_histogram};
use groupwire_conformance::reference::faults::{Fault, Faults};
use groupwire_conformance::reference::{DOMAIN, Reference, ReferenceOptions, ServerLimits};
use groupwire_conformance::target::{Endpoint, Secret};

const PASSWORD: &str = "load-secret-1";

async fn reference(faults: Faults, users: usize) -> Reference {
    let reference = Reference::start(ReferenceOptions {
        faults,
        limits: ServerLimits {
            max_connections: 4096,
            ..ServerLimits::default()
        },
        ..ReferenceOptions::default()
    })
    .await
    .expect("the reference starts");
    let logins: Vec<String> = (1..=users)
        .map(|n| format!("user{n:02}@{DOMAIN}"))
        .collect();
    groupwire_conformance::load::reference::add_accounts(&reference, &logins, PASSWORD);
    reference
}

fn plan(reference: &Reference, users: usize, mix: Mix, duration: Duration) -> Plan {
    let dialer = |url: String| Dialer {
        endpoint: Endpoint::parse(&url).unwrap(),
        tls: Arc::clone(&reference.tls.client),
    };
    Plan {
        target: "reference".into(),
        imap: Some(dialer(format!("imaps://{}", reference.imaps))),
        smtp: Some(dialer(format!("smtps://{}", reference.submissions))),
        caldav: Some(dialer(reference.caldav_url())),
        carddav: Some(dialer(reference.carddav_url())),
        users: (1..=users)
            .map(|n| {
                let address = format!("user{n:02}@{DOMAIN}");
                User {
                    index: n - 1,
                    login: address.clone(),
                    address,
                    password: Secret::new(PASSWORD),
                }
            })
            .collect(),
        shard: Shard::WHOLE,
        mix,
        ramp: Duration::from_millis(500),
        duration,
        delivery_bound: Duration::from_secs(5),
        action_timeout: Duration::from_secs(10),
        slos: vec![Slo::parse("errors<1%").unwrap()],
        seed: 7,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_reference_loses_nothing_under_the_thunderbird_mix() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let reference = reference(Faults::none(), 50).await;
        let mix = Mix::load("thunderbird").unwrap();
        let result = run(plan(&reference, 50, mix, Duration::from_secs(5)), None)
            .await
            .unwrap();
        reference.stop().await;
        let report = result.render_text();
        assert!(result.passed, "{report}");
        assert!(result.delivery.submitted > 0, "{report}");
        assert_eq!(result.delivery.lost, 0, "{report}");
        assert_eq!(
            result.delivery.delivered, result.delivery.submitted,
            "{report}"
        );
        assert_eq!(result.sessions_peak, 50, "{report}");
        for action in ["imap.login", "imap.idle", "imap.sync", "smtp.submit"] {
            assert!(
                result.actions.get(action).is_some_and(|a| a.ok > 0),
                "{action}: {report}"
            );
        }
        // The DAV syncs are rarer (weight 4 in 84): together they run about 9 times here.
        let dav: u64 = ["caldav.sync", "carddav.sync"]
            .iter()
            .filter_map(|name| result.actions.get(*name))
            .map(|a| a.ok)
            .sum();
        assert!(dav > 0, "{report}");
        assert!(report.contains("PASS"), "{report}");
    })
    .await
    .expect("the run ends in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mobile_webmail_and_smtp_burst_mixes_pass_against_the_reference() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let reference = reference(Faults::none(), 30).await;
        for name in ["mobile", "webmail", "smtp-burst"] {
            let mix = Mix::load(name).unwrap();
            let result = run(plan(&reference, 30, mix, Duration::from_secs(3)), None)
                .await
                .unwrap();
            let report = result.render_text();
            assert!(result.passed, "{name}: {report}");
            assert!(result.total_actions() > 0, "{name}: {report}");
            assert_eq!(result.delivery.lost, 0, "{name}: {report}");
            if name != "mobile" {
                // Every one of these submits (mobile only sometimes within 3 s).
                assert!(result.delivery.submitted > 0, "{name}: {report}");
            }
        }
        reference.stop().await;
    })
    .await
    .expect("the runs end in time");
}

/// Short sessions that flag, resync and submit, so a flag set in one session is read back in
/// a later one: with QRESYNC, in the FETCHes of `SELECT INBOX (QRESYNC ...)`; with
/// `qresync = false`, through CONDSTORE's CHANGEDSINCE.
fn flags_mix(qresync: bool) -> String {
    format!(
        "name = 'flags'\n[arrival]\nmodel = 'closed'\nactions_per_session = 3\npause = '50ms'\n\
         [[action]]\nkind = 'smtp.submit'\nweight = 2\nthink = '20ms'\n\
         [[action]]\nkind = 'imap.sync'\nweight = 2\nthink = '20ms'\n\
         [[action]]\nkind = 'imap.flag'\nweight = 3\nthink = '20ms'\n\
         [[action]]\nkind = 'imap.resync'\nweight = 3\nthink = '20ms'\nqresync = {qresync}\n"
    )
}

async fn mix_run(faults: Faults, mix: &str, users: usize) -> LoadResult {
    let reference = reference(faults, users).await;
    let mix = Mix::parse(mix).unwrap();
    let result = run(plan(&reference, users, mix, Duration::from_secs(3)), None)
        .await
        .unwrap();
    reference.stop().await;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flags_set_in_one_session_are_checked_in_the_next() {
    tokio::time::timeout(Duration::from_secs(90), async {
        for qresync in [true, false] {
            let result = mix_run(Faults::none(), &flags_mix(qresync), 10).await;
            let report = result.render_text();
            assert!(result.passed, "qresync {qresync}: {report}");
            assert!(result.correctness.flag_checks > 0, "{report}");
            assert!(result.correctness.flag_checks_cross_session > 0, "{report}");
            assert!(result.correctness.resync_checks > 0, "{report}");
        }
    })
    .await
    .expect("the run ends in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_does_not_raise_modseq_fails_the_changedsince_resync() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let result = mix_run(Faults::one(Fault::ImapModseqStatic), &flags_mix(false), 10).await;
        let report = result.render_text();
        assert!(!result.passed, "{report}");
        assert!(result.correctness.flag_mismatches > 0, "{report}");
        assert!(
            result
                .correctness
                .evidence
                .iter()
                .any(|e| e.contains("CHANGEDSINCE") && e.contains("left out")),
            "{report}"
        );
    })
    .await
    .expect("the run ends in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_does_not_raise_modseq_fails_the_qresync_resync() {
    tokio::time::timeout(Duration::from_secs(60), async {
        let result = mix_run(Faults::one(Fault::ImapModseqStatic), &flags_mix(true), 10).await;
        let report = result.render_text();
        assert!(!result.passed, "{report}");
        assert!(result.correctness.flag_mismatches > 0, "{report}");
        assert!(
            result
                .correctness
                .evidence
                .iter()
                .any(|e| e.contains("SELECT INBOX (QRESYNC (")
                    && e.contains("left out")
                    && e.contains("Flagged")),
            "{report}"
        );
    })
    .await
    .expect("the run ends in time");
}

/// Short sessions that deliver, file to Sent and Trash, and resync INBOX, Sent, Trash and a
/// folder the server lacks at first (created on the first resync).
const FOLDERS_MIX: &str = "name = 'folders'\n[arrival]\nmodel = 'closed'\nactions_per_session = 4\npause = '50ms'\n\
    [[action]]\nkind = 'smtp.submit'\nweight = 3\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.sync'\nweight = 2\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.append'\nweight = 1\nthink = '20ms'\nsize = '1KB'\n\
    [[action]]\nkind = 'imap.move'\nweight = 2\nthink = '20ms'\n\
    [[action]]\nkind = 'imap.resync'\nweight = 3\nthink = '20ms'\nfolders = ['Sent', 'Trash', 'Projects']\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_resync_with_qresync_and_a_server_forgetting_vanished_fails() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let reference = reference(Faults::none(), 10).await;
        let result = run(
            plan(
                &reference,
                10,
                Mix::parse(FOLDERS_MIX).unwrap(),
                Duration::from_secs(3),
            ),
            None,
        )
        .await
        .unwrap();
        // The user folder was created on the first resync.
        let projects = reference
            .store
            .with_account(&format!("user01@{DOMAIN}"), |view| {
                view.mailbox("Projects").is_some()
            })
            .unwrap();
        reference.stop().await;
        let report = result.render_text();
        assert!(result.passed, "{report}");
        assert_eq!(result.correctness.resync_mismatches, 0, "{report}");
        // Each resync checks 4 folders; after the first, with QRESYNC.
        assert!(result.correctness.resync_checks >= 8, "{report}");
        assert!(result.correctness.qresync_checks > 0, "{report}");
        for action in ["imap.append", "imap.move", "imap.resync"] {
            assert!(
                result.actions.get(action).is_some_and(|a| a.ok > 0),
                "{action}: {report}"
            );
        }
        assert!(projects, "Projects was created: {report}");

        let result = mix_run(Faults::one(Fault::ImapQresyncNoVanished), FOLDERS_MIX, 10).await;
        let report = result.render_text();
        assert!(!result.passed, "{report}");
        assert!(result.correctness.resync_mismatches > 0, "{report}");
        assert!(
            result
                .correctness
                .evidence
                .iter()
                .any(|e| e.contains("out of VANISHED (EARLIER)")
                    && e.contains("SELECT INBOX (QRESYNC (")),
            "{report}"
        );
    })
    .await
    .expect("the runs end in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_dropping_one_message_in_1000_fails_the_run_with_evidence() {
    tokio::time::timeout(Duration::from_secs(60), async {
        // The first delivery under the fault is dropped (then one in 1,000).
        let reference = reference(Faults::one(Fault::SmtpDropsOneIn1000), 20).await;
        let mix = Mix::load("smtp-burst").unwrap();
        let mut plan = plan(&reference, 20, mix, Duration::from_secs(2));
        plan.delivery_bound = Duration::from_secs(2);
        let result = run(plan, None).await.unwrap();
        reference.stop().await;
        let report = result.render_text();
        assert!(!result.passed, "{report}");
        assert!(result.delivery.lost >= 1, "{report}");
        assert!(result.delivery.submitted > result.delivery.lost, "{report}");
        assert!(
            result
                .correctness
                .evidence
                .iter()
                .any(|line| line.contains("accepted (250) but not in the recipient's INBOX")),
            "{report}"
        );
        assert!(
            report.contains("FAIL: 1 message(s) lost") || report.contains("message(s) lost"),
            "{report}"
        );
    })
    .await
    .expect("the run ends in time");
}

/// Users idle nearly all the time and now and then submit: new mail reaches them through
/// IDLE, so the delivery latency is IDLE's notification delay.
const IDLE_MIX: &str = "name = 'idle-notify'\n[arrival]\nmodel = 'closed'\n\
    [[action]]\nkind = 'imap.idle'\nweight = 1\nthink = '3s'\n\
    [[action]]\nkind = 'smtp.submit'\nweight = 1\nthink = '100ms'\n";

async fn idle_run(faults: Faults) -> LoadResult {
    let reference = reference(faults, 10).await;
    let mut plan = plan(
        &reference,
        10,
        Mix::parse(IDLE_MIX).unwrap(),
        Duration::from_secs(4),
    );
    plan.slos.push(Slo::parse("delivery.p50<1s").unwrap());
    let result = run(plan, None).await.unwrap();
    reference.stop().await;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_notifications_delayed_by_the_server_fail_a_delivery_slo() {
    tokio::time::timeout(Duration::from_secs(90), async {
        let clean = idle_run(Faults::none()).await;
        let report = clean.render_text();
        assert!(clean.passed, "{report}");
        assert!(clean.delivery.delivered >= 10, "{report}");
        let delayed = idle_run(Faults::one(Fault::ImapIdleDelayed)).await;
        let report = delayed.render_text();
        assert!(!delayed.passed, "{report}");
        assert_eq!(delayed.delivery.lost, 0, "{report}");
        assert!(
            delayed
                .failures
                .iter()
                .any(|f| f.contains("delivery.p50<1s")),
            "{report}"
        );
        assert!(delayed.delivery.latency_ms.p50 >= 1000.0, "{report}");
    })
    .await
    .expect("the runs end in time");
}

/// Writes a target file for the reference with its CA certificate.
fn target_file(reference: &Reference, dir: &Path) -> PathBuf {
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, &reference.tls.certificate_pem).unwrap();
    let target = dir.join("target.toml");
    std::fs::write(
        &target,
        format!(
            "name = \"reference\"\nimap = \"imaps://{}\"\nsmtp = \"smtps://{}\"\n\
             caldav = \"{}\"\ncarddav = \"{}\"\n\
             [tls]\ntrust = \"ca-file\"\nca_file = \"{}\"\n",
            reference.imaps,
            reference.submissions,
            reference.caldav_url(),
            reference.carddav_url(),
            ca.display()
        ),
    )
    .unwrap();
    target
}

/// A mix with a fixed amount of work per user (one session of 4 actions), so that the
/// totals do not depend on timing or on how users are sharded.
const FIXED_MIX: &str = "name = 'fixed'\n[arrival]\nmodel = 'closed'\nactions_per_session = 4\n\
    sessions_per_user = 1\n\
    [[action]]\nkind = 'smtp.submit'\nweight = 1\nthink = '10ms'\n\
    [[action]]\nkind = 'imap.sync'\nweight = 1\nthink = '10ms'\n\
    [[action]]\nkind = 'imap.fetch-headers'\nweight = 1\nthink = '10ms'\n\
    [[action]]\nkind = 'caldav.sync'\nweight = 1\nthink = '10ms'\n";

fn load(
    dir: &Path,
    target: &Path,
    mix: &Path,
    shard: Option<&str>,
    output: &Path,
) -> std::process::Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groupwire"));
    command
        .arg("load")
        .arg(target)
        .args([
            "--accounts",
            "user{01..40}@example.test",
            "--password-env",
            "LOAD_TEST_PASSWORD",
        ])
        .arg("--mix")
        .arg(mix)
        .args(["--duration", "20s", "--delivery-bound", "5s", "--seed", "3"])
        .arg("--output")
        .arg(output)
        .env("LOAD_TEST_PASSWORD", PASSWORD)
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(shard) = shard {
        command.args(["--shard", shard]);
    }
    command.spawn().expect("groupwire load starts")
}

fn read(path: &Path) -> LoadResult {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn wait(mut child: std::process::Child, within: Duration) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("groupwire load did not finish in time");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_shard_processes_merge_to_a_single_runs_totals() {
    let reference = reference(Faults::none(), 40).await;
    let dir = std::env::temp_dir().join(format!("groupwire-load-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = target_file(&reference, &dir);
    let mix = dir.join("fixed.toml");
    std::fs::write(&mix, FIXED_MIX).unwrap();
    let (dir2, target2, mix2) = (dir.clone(), target.clone(), mix.clone());
    let (single, shards) = tokio::task::spawn_blocking(move || {
        let single = dir2.join("single.json");
        let status = wait(
            load(&dir2, &target2, &mix2, None, &single),
            Duration::from_secs(90),
        );
        assert!(status.success(), "the single run passed");
        let children: Vec<_> = (0..4)
            .map(|k| {
                let out = dir2.join(format!("shard{k}.json"));
                (
                    load(&dir2, &target2, &mix2, Some(&format!("{k}/4")), &out),
                    out,
                )
            })
            .collect();
        let mut shards = Vec::new();
        for (child, out) in children {
            assert!(
                wait(child, Duration::from_secs(90)).success(),
                "shard {} passed",
                out.display()
            );
            shards.push(out);
        }
        (single, shards)
    })
    .await
    .unwrap();
    reference.stop().await;
    let merged_path = dir.join("merged.json");
    let status = Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args(["load", "merge"])
        .args(&shards)
        .arg("--output")
        .arg(&merged_path)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "the merged result passes");
    let single = read(&single);
    let merged = read(&merged_path);
    let parts: Vec<LoadResult> = shards.iter().map(|p| read(p)).collect();
    assert_eq!(merged.shards.len(), 4);
    assert_eq!(merged.users, 40);
    assert_eq!(single.users, 40);
    // The same work, whatever the sharding: per-action counts and submissions equal the
    // single run's.
    let counts = |r: &LoadResult| -> Vec<(String, u64)> {
        r.actions
            .iter()
            .filter(|(name, _)| name.as_str() != "drain.sync")
            .map(|(name, a)| (name.clone(), a.ok + a.failed))
            .collect()
    };
    assert_eq!(counts(&merged), counts(&single));
    assert_eq!(merged.delivery.submitted, single.delivery.submitted);
    assert_eq!(merged.delivery.delivered, single.delivery.delivered);
    assert_eq!(merged.delivery.lost, 0);
    // Exactly the shards' sums: every histogram holds every shard's samples.
    for (name, action) in &merged.actions {
        let histogram = decode_histogram(&action.histogram).unwrap();
        let sum: u64 = parts
            .iter()
            .filter_map(|p| p.actions.get(name))
            .map(|a| decode_histogram(&a.histogram).unwrap().len())
            .sum();
        assert_eq!(histogram.len(), sum, "{name}");
        assert_eq!(histogram.len(), action.ok, "{name}");
        let max = parts
            .iter()
            .filter_map(|p| p.actions.get(name))
            .map(|a| decode_histogram(&a.histogram).unwrap().max())
            .max()
            .unwrap();
        assert_eq!(histogram.max(), max, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
