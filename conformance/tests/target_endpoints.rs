//! A deployment's two ports of one protocol (STARTTLS and implicit TLS) in one target: the
//! STARTTLS one is the protocol's endpoint, the implicit-TLS one is where the implicit-TLS
//! checks run.

use std::path::Path;

use groupwire_conformance::engine::{Protocol, TlsTrust};
use groupwire_conformance::target::{Security, Target};

fn env(name: &str) -> Option<String> {
    (name == "GROUPWIRE_PASSWORD").then(|| "secret".to_owned())
}

#[test]
fn two_urls_of_one_protocol_give_the_starttls_endpoint_and_its_implicit_companion() {
    for urls in [
        [
            "imaps://alice@mail.example.org",
            "imap://alice@mail.example.org",
        ],
        [
            "imap://alice@mail.example.org",
            "imaps://alice@mail.example.org",
        ],
    ] {
        let urls: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
        let target = Target::from_urls(&urls, TlsTrust::System, env).unwrap();
        let main = target.endpoint(Protocol::Imap).unwrap();
        assert_eq!((main.security, main.port), (Security::StartTls, 143));
        let implicit = target.implicit_endpoint(Protocol::Imap).unwrap();
        assert_eq!(
            (implicit.security, implicit.port),
            (Security::Implicit, 993)
        );
    }
}

#[test]
fn two_urls_of_one_protocol_with_the_same_security_are_refused() {
    let urls = vec![
        "imap://alice@a.example.org".to_owned(),
        "imap://alice@b.example.org".to_owned(),
    ];
    let error = Target::from_urls(&urls, TlsTrust::System, env).unwrap_err();
    assert!(
        error.0.contains("two URLs for the same protocol"),
        "{error}"
    );
}

#[test]
fn an_implicit_endpoint_is_its_own_implicit_endpoint_and_starttls_alone_has_none() {
    let urls = vec![
        "smtps://alice@mail.example.org".to_owned(),
        "imap://alice@mail.example.org".to_owned(),
    ];
    let target = Target::from_urls(&urls, TlsTrust::System, env).unwrap();
    assert_eq!(
        target.implicit_endpoint(Protocol::Smtp).map(|e| e.port),
        Some(465)
    );
    assert!(target.implicit_endpoint(Protocol::Imap).is_none());
}

#[test]
fn a_target_file_names_the_implicit_ports_and_refuses_a_starttls_url_there() {
    let toml = r#"
        imap = "imap://mail.example.org"
        imaps = "imaps://mail.example.org:10993"
        smtp = "smtp://mail.example.org"
        smtps = "smtps://mail.example.org"
    "#;
    let target = Target::from_toml(toml, Path::new("."), env).unwrap();
    assert_eq!(
        target.implicit_endpoint(Protocol::Imap).map(|e| e.port),
        Some(10993)
    );
    assert_eq!(
        target.implicit_endpoint(Protocol::Smtp).map(|e| e.port),
        Some(465)
    );
    let wrong = "imap = \"imap://h\"\nimaps = \"imap://h:993\"\n";
    let error = Target::from_toml(wrong, Path::new("."), env).unwrap_err();
    assert!(error.0.contains("must be an implicit-TLS URL"), "{error}");
}

#[test]
fn a_target_file_names_an_mx_endpoint_and_oauth_tokens() {
    let dir = std::env::temp_dir().join(format!("gw-target-mx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("bob.token"), "bob-token\n").unwrap();
    let path = dir.join("target.toml");
    std::fs::write(
        &path,
        r#"
domain = "example.org"
smtp = "smtp://mail.example.org"
mx = "smtp://mx.example.org:25"

[[account]]
user = "alice@example.org"
password_env = "ALICE_PW"
oauth_token_env = "ALICE_TOKEN"

[[account]]
user = "bob@example.org"
password_env = "ALICE_PW"
oauth_token_file = "bob.token"

[[account]]
user = "carol@example.org"
password_env = "ALICE_PW"
"#,
    )
    .unwrap();
    let env = |name: &str| match name {
        "ALICE_PW" => Some("pw".to_string()),
        "ALICE_TOKEN" => Some("alice-token".to_string()),
        _ => None,
    };
    let target = groupwire_conformance::target::Target::from_file(&path, env).unwrap();
    let mx = target.mx.as_ref().expect("mx endpoint");
    assert_eq!((mx.host.as_str(), mx.port), ("mx.example.org", 25));
    let tokens: Vec<Option<&str>> = target
        .accounts
        .iter()
        .map(|a| a.oauth_token.as_ref().map(|t| t.expose()))
        .collect();
    assert_eq!(tokens, vec![Some("alice-token"), Some("bob-token"), None]);
    assert!(
        !format!("{target:?}").contains("alice-token"),
        "tokens never in Debug"
    );
    std::fs::write(
        &path,
        "[[account]]\nuser = \"a\"\npassword_env = \"ALICE_PW\"\noauth_token_env = \"NOPE\"\n",
    )
    .unwrap();
    let error = groupwire_conformance::target::Target::from_file(&path, env).unwrap_err();
    assert!(error.0.contains("NOPE"), "{error}");
    let _ = std::fs::remove_dir_all(&dir);
}
