//! Profiles select checks and say which are required; waivers turn failures into `waived`
//! and passes into stale waivers; targets come from TOML or URLs with passwords from the
//! environment or a file; the verdict and exit code follow.

mod report_fixture;

use groupwire_conformance::engine::{
    Check, CheckOutcome, Finding, Level, Protocol, Registry, RfcRef, Status, Suite, TlsTrust,
};
use groupwire_conformance::profile::{BUILTIN, Profile, glob};
use groupwire_conformance::report::Verdict;
use groupwire_conformance::target::{Endpoint, Security, Target};
use groupwire_conformance::waiver::{WaiverUse, Waivers};

const fn check(
    id: &'static str,
    protocol: Protocol,
    level: Level,
    profiles: &'static [&'static str],
) -> Check {
    Check {
        id,
        protocol,
        title: "t",
        rfc: RfcRef::new(1, "1"),
        level,
        scope: groupwire_conformance::engine::Scope::Implementation,
        quote: "q",
        profiles,
        needs: &[],
        broken_by: &[],
        accounts: 0,
        run: |_| Box::pin(async { Ok(()) }),
    }
}

static IMAP: [Check; 4] = [
    check("imap.a.must", Protocol::Imap, Level::Must, &[]),
    check("imap.a.should", Protocol::Imap, Level::Should, &[]),
    check("imap.idle.notify", Protocol::Imap, Level::Should, &[]),
    check("imap.b.may", Protocol::Imap, Level::May, &["thunderbird"]),
];
static DISCOVERY: [Check; 1] = [check(
    "discovery.autoconfig.served",
    Protocol::Discovery,
    Level::Should,
    &[],
)];
static CALDAV: [Check; 1] = [check("caldav.a.must", Protocol::Caldav, Level::Must, &[])];

fn registry() -> Registry {
    let suite = |protocol, checks| Suite {
        protocol,
        probe: None,
        cleanup: None,
        checks,
    };
    Registry::new()
        .with(suite(Protocol::Imap, &IMAP))
        .with(suite(Protocol::Discovery, &DISCOVERY))
        .with(suite(Protocol::Caldav, &CALDAV))
}

fn selection(profile: &str) -> Vec<(&'static str, bool)> {
    Profile::builtin(profile)
        .unwrap()
        .select(&registry())
        .into_iter()
        .map(|s| (s.check.id, s.required))
        .collect()
}

#[test]
fn builtin_profiles_parse_and_select() {
    for (name, _) in BUILTIN {
        assert_eq!(Profile::builtin(name).unwrap().name, name);
    }
    assert_eq!(
        selection("mail"),
        [
            ("imap.a.must", true),
            ("imap.a.should", false),
            ("imap.idle.notify", false),
            ("imap.b.may", false)
        ]
    );
    assert_eq!(
        selection("thunderbird"),
        [
            ("imap.a.must", true),
            ("imap.a.should", false),
            ("imap.idle.notify", true),
            ("imap.b.may", true),
            ("discovery.autoconfig.served", true),
            ("caldav.a.must", true),
        ]
    );
    assert_eq!(selection("groupware").len(), 6);
    let strict = Profile::builtin("strict").unwrap();
    assert!(strict.fail_on_warn);
    assert_eq!(
        selection("strict")
            .iter()
            .filter(|(_, required)| *required)
            .count(),
        5
    );
}

#[test]
fn user_profiles_with_excludes_and_errors() {
    let profile = Profile::from_toml(
        "name = \"mine\"\n[[include]]\nprotocols = [\"imap\"]\n[[exclude]]\nids = [\"imap.*.should\"]\n",
    )
    .unwrap();
    let ids: Vec<_> = profile
        .select(&registry())
        .into_iter()
        .map(|s| s.check.id)
        .collect();
    assert_eq!(ids, ["imap.a.must", "imap.idle.notify", "imap.b.may"]);
    assert!(Profile::from_toml("name = \"x\"\n[[include]]\nprotocols = [\"pop3\"]\n").is_err());
    assert!(Profile::from_toml("name = \"x\"\n[[include]]\nlevels = [\"OPTIONAL\"]\n").is_err());
    assert!(Profile::from_toml("name = \"x\"\n[[exclude]]\nrequired = true\n").is_err());
    assert!(Profile::from_toml("name = \"x\"\nbogus = 1\n").is_err());
    assert!(
        Profile::load("no-such-profile")
            .unwrap_err()
            .0
            .contains("not a built-in")
    );
}

#[test]
fn glob_patterns() {
    assert!(glob("imap.*", "imap.select.uidvalidity"));
    assert!(glob("*.uidvalidity", "imap.select.uidvalidity"));
    assert!(glob("imap.*.uid*", "imap.select.uidvalidity"));
    assert!(glob("imap.select.uidvalidity", "imap.select.uidvalidity"));
    assert!(!glob("imap.select", "imap.select.uidvalidity"));
    assert!(!glob("smtp.*", "imap.select.uidvalidity"));
    assert!(!glob("a*b*b", "ab"));
}

fn statuses(outcomes: &[CheckOutcome]) -> Vec<Status> {
    outcomes.iter().map(|o| o.status).collect()
}

#[test]
fn waivers_apply_go_stale_and_are_validated() {
    let text = "[[waiver]]\ncheck = \"imap.fixture.fail\"\nreason = \"known, ticket 42\"\n\
                [[waiver]]\ncheck = \"imap.fixture.pass\"\nreason = \"fixed since\"\n\
                [[waiver]]\ncheck = \"smtp.fixture.skip\"\nreason = \"n/a\"\n";
    let waivers = Waivers::from_toml(text).unwrap();
    let mut outcomes = report_fixture::outcomes();
    let uses: Vec<WaiverUse> = waivers
        .apply(&mut outcomes)
        .into_iter()
        .map(|w| w.status)
        .collect();
    assert_eq!(
        uses,
        [WaiverUse::Applied, WaiverUse::Stale, WaiverUse::Unused]
    );
    assert_eq!(
        statuses(&outcomes),
        [
            Status::StaleWaiver,
            Status::Waived,
            Status::Warn,
            Status::Skip,
            Status::Error
        ]
    );
    assert_eq!(outcomes[1].original_status, Some(Status::Fail));
    assert_eq!(outcomes[1].waiver.as_deref(), Some("known, ticket 42"));

    assert!(
        Waivers::from_toml("[[waiver]]\ncheck = \"a\"\nreason = \"  \"\n")
            .unwrap_err()
            .0
            .contains("no reason")
    );
    assert!(
        Waivers::from_toml("[[waiver]]\ncheck = \"a\"\n").is_err(),
        "reason is required"
    );
    let twice =
        "[[waiver]]\ncheck = \"a\"\nreason = \"r\"\n[[waiver]]\ncheck = \"a\"\nreason = \"r\"\n";
    assert!(Waivers::from_toml(twice).unwrap_err().0.contains("twice"));
    let unknown =
        Waivers::from_toml("[[waiver]]\ncheck = \"imap.typo\"\nreason = \"r\"\n").unwrap();
    assert!(
        unknown
            .validate(&registry())
            .unwrap_err()
            .0
            .contains("unknown check")
    );
}

#[test]
fn verdicts_and_exit_codes() {
    let mail = Profile::builtin("mail").unwrap();
    let none = Waivers::default();
    // A required fail and a required error: exit 1.
    let report = report_fixture::report_with(report_fixture::outcomes(), &mail, &none);
    assert_eq!((report.verdict, report.exit_code()), (Verdict::Fail, 1));

    // Waive both: only an optional warn and a skip remain: exit 0.
    let waivers = Waivers::from_toml(
        "[[waiver]]\ncheck = \"imap.fixture.fail\"\nreason = \"r\"\n[[waiver]]\ncheck = \"smtp.fixture.error\"\nreason = \"r\"\n",
    )
    .unwrap();
    let report = report_fixture::report_with(report_fixture::outcomes(), &mail, &waivers);
    assert_eq!((report.verdict, report.exit_code()), (Verdict::Pass, 0));
    assert_eq!(report.summary.waived, 2);

    // The warn is required under a fail_on_warn profile: exit 1.
    let mut outcomes = report_fixture::outcomes();
    outcomes[2].required = true;
    let strict = Profile::builtin("strict").unwrap();
    let report = report_fixture::report_with(outcomes, &strict, &waivers);
    assert_eq!(report.exit_code(), 1);

    // A stale waiver fails the run.
    let stale =
        Waivers::from_toml("[[waiver]]\ncheck = \"imap.fixture.pass\"\nreason = \"r\"\n").unwrap();
    let mut outcomes = report_fixture::outcomes();
    outcomes.truncate(1);
    let report = report_fixture::report_with(outcomes, &mail, &stale);
    assert_eq!(report.exit_code(), 1);

    // Nothing reachable: exit 3.
    let unreachable: Vec<CheckOutcome> = [&report_fixture::PASS, &report_fixture::FAIL]
        .into_iter()
        .map(|check| {
            CheckOutcome::from_result(
                check,
                true,
                Err(Finding::Unreachable("cannot connect".into())),
                None,
                0,
            )
        })
        .collect();
    let report = report_fixture::report_with(unreachable, &mail, &none);
    assert_eq!(
        (report.verdict, report.exit_code()),
        (Verdict::Unreachable, 3)
    );
}

fn env(name: &str) -> Option<String> {
    match name {
        "GROUPWIRE_PASSWORD" | "ALICE_PW" => Some("pw-alice".into()),
        "GROUPWIRE_USER2" => Some("bob@example.org".into()),
        "GROUPWIRE_PASSWORD2" => Some("pw-bob".into()),
        _ => None,
    }
}

#[test]
fn targets_from_toml() {
    let dir = std::env::temp_dir().join(format!("gw-target-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bob.secret"), "pw-bob\n").unwrap();
    let toml = r#"
name = "prod"
domain = "example.org"
imap = "imaps://mail.example.org"
smtp = "smtp://mail.example.org"
caldav = "https://dav.example.org/dav/cal/"
[tls]
trust = "ca-file"
ca_file = "ca.pem"
[[account]]
user = "alice@example.org"
password_env = "ALICE_PW"
[[account]]
user = "bob@example.org"
password_file = "bob.secret"
"#;
    let target = Target::from_toml(toml, &dir, env).unwrap();
    assert_eq!(target.name, "prod");
    let imap = target.imap.as_ref().unwrap();
    assert_eq!((imap.port, imap.security), (993, Security::Implicit));
    let smtp = target.smtp.as_ref().unwrap();
    assert_eq!((smtp.port, smtp.security), (587, Security::StartTls));
    assert_eq!(target.caldav.as_ref().unwrap().path, "/dav/cal/");
    assert_eq!(
        target.tls,
        TlsTrust::CaFile {
            path: dir.join("ca.pem")
        }
    );
    assert_eq!(target.accounts[0].password.expose(), "pw-alice");
    assert_eq!(target.accounts[1].password.expose(), "pw-bob");
    assert!(
        !format!("{target:?}").contains("pw-"),
        "Debug never shows passwords"
    );
    assert!(!serde_json::to_string(&target).unwrap().contains("pw-"));

    let missing = toml.replace("ALICE_PW", "NOT_SET");
    assert!(
        Target::from_toml(&missing, &dir, env)
            .unwrap_err()
            .0
            .contains("NOT_SET")
    );
    let both = "[[account]]\nuser = \"a\"\npassword_env = \"ALICE_PW\"\npassword_file = \"f\"\n";
    assert!(
        Target::from_toml(both, &dir, env)
            .unwrap_err()
            .0
            .contains("exactly one")
    );
    assert!(Target::from_toml("password = \"inline\"\n", &dir, env).is_err());
    assert!(Target::from_toml("[tls]\ntrust = \"yolo\"\n", &dir, env).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn targets_from_urls() {
    let urls = [
        "imaps://alice@example.org@mail.example.org:10993".to_owned(),
        "smtps://alice@example.org@[::1]".to_owned(),
    ];
    let target = Target::from_urls(&urls, TlsTrust::Insecure, env).unwrap();
    let imap = target.imap.as_ref().unwrap();
    assert_eq!(
        (imap.host.as_str(), imap.port, imap.user.as_deref()),
        ("mail.example.org", 10993, Some("alice@example.org"))
    );
    let smtp = target.smtp.as_ref().unwrap();
    assert_eq!(
        (smtp.host.as_str(), smtp.port, smtp.security),
        ("::1", 465, Security::Implicit)
    );
    assert_eq!(target.domain.as_deref(), Some("example.org"));
    assert_eq!(target.accounts.len(), 2);
    assert_eq!(target.accounts[1].user, "bob@example.org");

    assert!(
        Endpoint::parse("imap://alice:pw@host")
            .unwrap_err()
            .0
            .contains("passwords do not belong")
    );
    assert!(Endpoint::parse("pop3://host").is_err());
    assert!(Endpoint::parse("imap://host:99999").is_err());
    assert_eq!(
        Endpoint::parse("imap://alice%40example.org@host")
            .unwrap()
            .user
            .as_deref(),
        Some("alice@example.org")
    );
    let no_password =
        Target::from_urls(&["imap://carol@host".to_owned()], TlsTrust::System, |_| {
            None
        });
    assert!(no_password.unwrap_err().0.contains("GROUPWIRE_PASSWORD"));
}
