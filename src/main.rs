//! The `marginalia` binary: the desktop app, or a command of the CLI.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: loading a large project makes hundreds of thousands
/// of small strings on all cores, and glibc's malloc took a fifth of that time (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    marginalia::cli::main()
}
