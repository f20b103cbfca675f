//! Shell completions and man pages, generated from the CLI definition (`clap_complete`,
//! `clap_mangen`) so they never drift from `--help`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit;

/// Arguments of `groupwire completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for (bash, zsh, fish, elvish, powershell).
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Arguments of `groupwire man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Directory to write `groupwire.1` and one `groupwire-<subcommand>.1` per subcommand
    /// into; without it, `groupwire.1` is printed to standard output.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// `groupwire completions SHELL`: the completion script on standard output.
pub fn cli_completions(args: &CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "groupwire",
        &mut std::io::stdout().lock(),
    );
    ExitCode::SUCCESS
}

/// `groupwire man [--out-dir DIR]`: roff man pages.
pub fn cli_man(args: &ManArgs) -> ExitCode {
    let result = match &args.out_dir {
        Some(dir) => write_man_pages(dir).map(|written| {
            for path in written {
                println!("{}", path.display());
            }
        }),
        None => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .and_then(|()| out.flush())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("groupwire man: {error}");
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Writes the man page of `groupwire` and of each subcommand into `dir`; returns the paths.
pub fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let command = Cli::command();
    let mut written = Vec::new();
    let main = dir.join("groupwire.1");
    let mut file = std::fs::File::create(&main)?;
    clap_mangen::Man::new(command.clone()).render(&mut file)?;
    written.push(main);
    for sub in command.get_subcommands() {
        let name = format!("groupwire-{}", sub.get_name());
        let path = dir.join(format!("{name}.1"));
        let mut file = std::fs::File::create(&path)?;
        let page = sub
            .clone()
            .name(name.clone())
            .bin_name(name.replace('-', " "));
        clap_mangen::Man::new(page).render(&mut file)?;
        written.push(path);
    }
    Ok(written)
}
