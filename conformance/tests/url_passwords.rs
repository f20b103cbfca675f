//! A password written into a URL is refused, and never echoed: not by the URL parser, not in
//! a target file's errors, not by `groupwire check` or `groupwire proxy` on stderr or stdout,
//! whatever the password contains (`:`, `/`, `@`, `%`).

use std::process::Command;

use groupwire_conformance::engine::TlsTrust;
use groupwire_conformance::target::{Endpoint, Target, redact_urls};

const SECRETS: [&str; 5] = [
    "hunter2-secret",
    "pa/ss-secret",
    "p@ss-secret",
    "pa%3Ass-secret",
    "a:b-secret",
];

fn urls() -> Vec<(String, &'static str)> {
    let mut urls = Vec::new();
    for secret in SECRETS {
        for scheme in ["imap", "imaps", "smtp", "smtps", "https"] {
            urls.push((format!("{scheme}://bob:{secret}@127.0.0.1:1"), secret));
            urls.push((
                format!("{scheme}://bob%40example.org:{secret}@[::1]/dav/"),
                secret,
            ));
        }
    }
    urls
}

fn hides(text: &str, secret: &str) {
    // The distinctive part of every secret above.
    assert!(!text.contains(secret), "{secret:?} echoed in {text:?}");
    assert!(
        !text.contains("-secret"),
        "part of {secret:?} echoed in {text:?}"
    );
}

#[test]
fn the_parser_refuses_passwords_without_echoing_them() {
    for (url, secret) in urls() {
        match Endpoint::parse(&url) {
            Ok(endpoint) => panic!("{url} accepted as {endpoint:?}"),
            Err(error) => {
                let message = error.to_string();
                hides(&message, secret);
                assert!(
                    message.contains("passwords do not belong in URLs"),
                    "{message}"
                );
            }
        }
        let error =
            Target::from_urls(std::slice::from_ref(&url), TlsTrust::System, |_| None).unwrap_err();
        hides(&error.to_string(), secret);
    }
}

#[test]
fn redaction_hides_every_form_of_userinfo() {
    for (url, secret) in urls() {
        hides(&redact_urls(&format!("cannot use \"{url}\" today")), secret);
        hides(&redact_urls(&url), secret);
    }
    // URLs without a password are left alone.
    let plain = "imaps://bob@mail.example.org:993 and https://dav.example.org/u@x/";
    assert_eq!(
        redact_urls("imaps://bob@mail.example.org:993"),
        "imaps://bob@mail.example.org:993"
    );
    assert!(redact_urls(plain).starts_with("imaps://bob@mail.example.org:993 and "));
}

#[test]
fn a_target_file_error_never_quotes_the_line() {
    let dir = std::env::temp_dir().join(format!("gw-url-passwords-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        // An unknown key: toml's own message would quote the line.
        "[[account]]\nuser = \"bob\"\npassword = \"toml-secret\"\n",
        // A password in a URL of the file.
        "imap = \"imaps://bob:toml-secret@127.0.0.1:993\"\n",
        // A syntax error on the password's line.
        "[[account]]\nuser = \"bob\"\npassword_env = toml-secret\"\n",
    ];
    for (index, text) in cases.iter().enumerate() {
        let path = dir.join(format!("target{index}.toml"));
        std::fs::write(&path, text).unwrap();
        let error = Target::from_file(&path, |_| None).unwrap_err().to_string();
        assert!(!error.contains("toml-secret"), "case {index}: {error}");
        let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.contains("toml-secret"), "case {index}: {all}");
        assert_eq!(output.status.code(), Some(2), "case {index}: {all}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_and_proxy_never_print_a_url_password() {
    for secret in SECRETS {
        for args in [
            vec![
                "check".to_owned(),
                format!("imaps://bob:{secret}@127.0.0.1:1"),
            ],
            vec![
                "check".to_owned(),
                "smtp://bob@127.0.0.1:1".to_owned(),
                format!("imap://bob:{secret}@127.0.0.1:1"),
                "--format".to_owned(),
                "json".to_owned(),
            ],
            vec![
                "proxy".to_owned(),
                format!("imaps://bob:{secret}@127.0.0.1:1"),
            ],
        ] {
            let output = Command::new(env!("CARGO_BIN_EXE_groupwire"))
                .args(&args)
                .env("GROUPWIRE_PASSWORD", "env-password")
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            hides(&all, secret);
            assert!(
                all.contains("passwords do not belong in URLs"),
                "{args:?}: {all}"
            );
            assert_eq!(output.status.code(), Some(2), "{args:?}: {all}");
        }
    }
}
