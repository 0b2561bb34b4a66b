//! The meaning of a colour; the theme decides the actual style.

/// The meaning of a cell's colour; the theme decides the actual style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Normal,
    Ok,
    Warn,
    Error,
    Muted,
}
