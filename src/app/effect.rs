use super::state::Scope;

/// What `update()` wants done; the runtime hands these to the workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Keep `scope` refreshed from now on, replacing whatever was watched before. A new generation number
    /// marks the results of this watch, so late results of older watches are recognised and dropped.
    Watch {
        scope: Scope,
        generation: u64,
    },
    Quit,
}
