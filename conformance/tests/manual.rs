//! `groupwire completions` and `groupwire man` are generated from the CLI definition.

use std::process::Command;

fn groupwire(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_groupwire"))
        .args(args)
        .output()
        .expect("run groupwire")
}

#[test]
fn completions_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let output = groupwire(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = String::from_utf8(output.stdout).unwrap();
        for sub in [
            "check", "checks", "demo", "serve", "selftest", "matrix", "proxy", "parse",
        ] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(
            script.contains("profile"),
            "{shell} completion lacks check's options"
        );
    }
    let output = groupwire(&["completions", "tcsh"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn man_pages_cover_each_subcommand() {
    let dir = std::env::temp_dir().join(format!("groupwire-man-{}", std::process::id()));
    let output = groupwire(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let main = std::fs::read_to_string(dir.join("groupwire.1")).unwrap();
    assert!(
        main.starts_with(".ie") || main.contains(".TH groupwire"),
        "{main}"
    );
    let check = std::fs::read_to_string(dir.join("groupwire-check.1")).unwrap();
    assert!(check.contains(".TH groupwire-check"), "{check}");
    assert!(
        check.contains("profile"),
        "check's page documents its options"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let output = groupwire(&["man"]);
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains(".TH groupwire"));
}
