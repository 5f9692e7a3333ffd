//! The `marginalia` binary: the desktop app, or a command of the CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    marginalia::cli::main()
}
