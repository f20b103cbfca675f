//! Command-line interface of `groupwire`.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::exit;
use crate::parse::{self, Protocol};

/// Conformance harness for open groupware protocols (IMAP, SMTP, CalDAV, CardDAV, WebDAV).
#[derive(Debug, Parser)]
#[command(name = "groupwire", version, about, after_help = exit::HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `groupwire`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode captured protocol bytes and print one JSON object per message.
    ///
    /// Each decoded message is printed as {"offset":N,"len":N,"kind":"...","value":{...}}.
    /// On failure it prints {"error":"...","offset":N} and exits 1; input that ends inside a
    /// message is an error ("incomplete at offset N").
    Parse(ParseArgs),
}

/// Arguments of `groupwire parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Which protocol and direction the bytes are.
    #[arg(value_enum)]
    pub protocol: Protocol,
    /// File to read; standard input when absent.
    pub file: Option<PathBuf>,
    /// Also serialise each decoded message, decode that again and require the same value.
    #[arg(long)]
    pub roundtrip: bool,
}

/// Parses the process arguments and runs the chosen subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse(args) => run_parse(&args),
    }
}

fn run_parse(args: &ParseArgs) -> ExitCode {
    let input = match read_input(args.file.as_deref()) {
        Ok(input) => input,
        Err(error) => {
            eprintln!("groupwire: cannot read input: {error}");
            return exit::code(exit::USAGE);
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match parse::run(args.protocol, &input, args.roundtrip, &mut out) {
        Ok(outcome) => exit::code(outcome.exit_code()),
        Err(error) => {
            eprintln!("groupwire: cannot write output: {error}");
            exit::code(exit::FAILURE)
        }
    }
}

fn read_input(file: Option<&std::path::Path>) -> std::io::Result<Vec<u8>> {
    match file {
        Some(path) => std::fs::read(path),
        None => {
            let mut input = Vec::new();
            std::io::stdin().lock().read_to_end(&mut input)?;
            Ok(input)
        }
    }
}
