//! ecsdeck: a terminal operations console for AWS ECS. See README.md for the architecture.

// The classes of bug that crash a terminal app at 3 a.m.: byte-slicing text, unchecked indexing, unwrap and
// panic. Denied in the program (not in tests); an `expect` on a real invariant says why in its message.
#![cfg_attr(
    not(test),
    deny(
        clippy::string_slice,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::panic
    )
)]

pub mod app;
pub mod aws;
pub mod cli;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod protocol;
pub mod runtime;
pub mod settings;
pub mod sim;
pub mod theme;
pub mod ui;
pub mod workers;
