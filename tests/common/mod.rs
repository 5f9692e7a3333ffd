//! What the test files share: running the command line as a user does, and (GUI) the headless
//! window the app runs in and a user's drag. Each test binary uses a part of it.

#![allow(dead_code, unused_imports)]

pub mod cli;
#[cfg(feature = "gui")]
mod gui;

#[cfg(feature = "gui")]
pub use gui::{drag, harness_for};
