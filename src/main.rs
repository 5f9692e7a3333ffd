//! The `marginalia` binary: the desktop app, or a command of the CLI.

use std::process::ExitCode;

fn main() -> ExitCode {
    // The start-up benchmark measures from here (MARGINALIA_STARTUP, see `ui::startup`).
    marginalia::mark_start();
    marginalia::cli::main()
}
