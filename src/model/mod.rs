//! Pure logic that the reducer, the workers and the views share: action plans and diffs, deploy verdict
//! inputs, metrics planning and merging, the log line model, time and age formatting, semantic tones.
//! No I/O, no clock, no tokio: everything here is a function of its arguments.

pub mod actions;
pub mod codedeploy;
pub mod deploy;
pub mod logs;
pub mod metrics;
pub mod time;
pub mod tone;
pub mod traffic;

pub use tone::Tone;
