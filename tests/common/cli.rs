//! Running the `marginalia` binary as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub const EXE: &str = env!("CARGO_BIN_EXE_marginalia");

/// Runs `marginalia ARGS` and waits for it.
pub fn marginalia(args: &[&str]) -> Output {
    marginalia_with(args, &[])
}

/// Runs `marginalia ARGS` with environment variables set.
pub fn marginalia_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(EXE);
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run marginalia")
}

/// A command's output (stdout or stderr) as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A path as a command-line argument.
pub fn s(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}
