//! ecsdeck: a terminal operations console for AWS ECS. See README.md for the architecture.

pub mod app;
pub mod aws;
pub mod cli;
pub mod config;
pub mod keymap;
pub mod sim;
pub mod theme;
pub mod ui;
pub mod workers;
