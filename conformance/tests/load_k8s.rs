//! The Kubernetes Indexed Job manifest (`deploy/k8s/load-job.yaml`) is valid YAML, is an
//! Indexed Job whose completions, parallelism and `--shard` agree, and its arguments (with
//! the index substituted as Kubernetes does) are a valid `groupwire` command line.

use clap::Parser;
use groupwire_conformance::cli::{Cli, Command};
use yaml_rust2::{Yaml, YamlLoader};

fn manifest() -> Vec<Yaml> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/k8s/load-job.yaml");
    let text = std::fs::read_to_string(path).expect("the manifest is in the repository");
    YamlLoader::load_from_str(&text).expect("the manifest is valid YAML")
}

#[test]
fn the_load_job_is_an_indexed_job_whose_shards_agree() {
    let documents = manifest();
    let job = documents
        .iter()
        .find(|d| d["kind"].as_str() == Some("Job"))
        .expect("a Job");
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let completions = spec["completions"].as_i64().expect("completions");
    assert_eq!(spec["parallelism"].as_i64(), Some(completions));
    let container = &spec["template"]["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_vec()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string args"))
        .collect();
    let shard = args
        .iter()
        .position(|a| *a == "--shard")
        .map(|at| args[at + 1])
        .expect("--shard");
    assert_eq!(shard, format!("$(JOB_COMPLETION_INDEX)/{completions}"));
    // Every mounted path the arguments use is a volume mount.
    let mounts: Vec<&str> = container["volumeMounts"]
        .as_vec()
        .expect("volumeMounts")
        .iter()
        .map(|m| m["mountPath"].as_str().expect("mountPath"))
        .collect();
    for arg in args.iter().filter(|a| a.starts_with('/')) {
        assert!(
            mounts.iter().any(|m| arg.starts_with(m)),
            "{arg} is not mounted"
        );
    }
    // The ConfigMap the target comes from is in the manifest.
    assert!(documents.iter().any(
        |d| d["kind"].as_str() == Some("ConfigMap") && !d["data"]["target.toml"].is_badvalue()
    ));
    // Each pod's command line parses as `groupwire load`, with a valid shard.
    for index in 0..completions {
        let argv: Vec<String> = std::iter::once("groupwire".to_string())
            .chain(
                args.iter()
                    .map(|a| a.replace("$(JOB_COMPLETION_INDEX)", &index.to_string())),
            )
            .collect();
        let cli = Cli::try_parse_from(&argv).expect("the arguments parse");
        let Command::Load(load) = cli.command else {
            panic!("not a load command")
        };
        let shard = groupwire_conformance::load::accounts::Shard::parse(
            load.run.shard.as_deref().expect("a shard"),
        )
        .expect("a valid shard");
        assert_eq!(shard.index as i64, index);
        assert_eq!(shard.count as i64, completions);
        for slo in &load.run.slo {
            groupwire_conformance::load::slo::Slo::parse(slo).expect("a valid SLO");
        }
    }
}
