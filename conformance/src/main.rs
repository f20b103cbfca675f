//! The `groupwire` command: see `groupwire --help`.

fn main() -> std::process::ExitCode {
    groupwire_conformance::cli::main()
}
