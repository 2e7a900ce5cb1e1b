//! `jwt`: encode, decode and verify JSON Web Tokens, make keys and print public JWKs from the
//! command line. Its flags, output, exit codes and error kinds are a public contract (docs/cli.md).
//!
//! Install with `cargo install --path cli`, or build with `cargo build --release -p webtoken-cli`
//! and run `target/release/jwt --help`.
//!
//! Modules: `args` (the command line), `keys` (key files and the keys of each command),
//! `input` (arguments or standard input), `encode`, `inspect` (decode and verify), `keygen`
//! (keygen and jwk), `jwe` (encrypt, decrypt and encryption keys; feature `jwe`), `output` (JSON, colours, dates) and `failure` (error lines, exit codes and
//! the hints that name flags).

mod args;
mod encode;
mod failure;
mod input;
mod inspect;
#[cfg(feature = "jwe")]
mod jwe;
mod keygen;
mod keys;
mod output;

use std::io;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

use crate::args::{Cli, Command, Shell};
use crate::failure::Failure;
use crate::output::Output;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = Output::new(cli.json, cli.color, cli.out.clone());
    let result = match &cli.command {
        Command::Encode(args) => encode::encode(args),
        Command::Decode(args) => inspect::decode(args, output),
        Command::Verify(args) => inspect::verify(args, output),
        Command::Keygen(args) => keygen::keygen(args, output),
        Command::Jwk(args) => keygen::jwk(args, output),
        #[cfg(feature = "jwe")]
        Command::Encrypt(args) => jwe::encrypt(args),
        #[cfg(feature = "jwe")]
        Command::Decrypt(args) => jwe::decrypt(args, output),
        #[cfg(not(feature = "jwe"))]
        Command::Encrypt(_) => Err(failure::without_jwe("encrypt")),
        #[cfg(not(feature = "jwe"))]
        Command::Decrypt(_) => Err(failure::without_jwe("decrypt")),
        Command::Completions(args) => completions(args.shell),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(output),
    }
}

/// Prints the completion script of `shell` for every subcommand and flag.
fn completions(shell: Shell) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    match shell {
        Shell::Bash => generate(clap_complete::Shell::Bash, &mut command, &mut script),
        Shell::Zsh => generate(clap_complete::Shell::Zsh, &mut command, &mut script),
        Shell::Fish => generate(clap_complete::Shell::Fish, &mut command, &mut script),
        Shell::Powershell => {
            generate(clap_complete::Shell::PowerShell, &mut command, &mut script);
        }
        Shell::Elvish => generate(clap_complete::Shell::Elvish, &mut command, &mut script),
        Shell::Nushell => generate(clap_complete_nushell::Nushell, &mut command, &mut script),
    }
    let text = String::from_utf8_lossy(&script);
    output::print_line(text.trim_end())
}

fn generate(
    generator: impl clap_complete::Generator,
    command: &mut clap::Command,
    out: &mut dyn io::Write,
) {
    clap_complete::generate(generator, command, "jwt", out);
}
