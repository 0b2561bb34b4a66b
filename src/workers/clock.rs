//! The one place the wall clock is read. Workers stamp what they report with it; the reducer gets it as `Msg::Tick`.

use crate::aws::Millis;

pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}
