//! Pacing: one token bucket shared by every FilterLogEvents call of the process, so several tails stay under the account's rate together.

use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// One token bucket for every FilterLogEvents call of the process: AWS allows 10 per second per account
/// (5 in some regions) and other tools share it, so ecsdeck takes a small share.
pub struct Pacer {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl Pacer {
    pub fn new(per_second: f64) -> Pacer {
        let burst = per_second.max(1.0);
        Pacer {
            rate: per_second.max(0.01),
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Waits for a token.
    pub async fn take(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                s.0 = (s.0 + now.duration_since(s.1).as_secs_f64() * self.rate).min(self.burst);
                s.1 = now;
                if s.0 >= 1.0 {
                    s.0 -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - s.0) / self.rate)
            };
            tokio::time::sleep(wait).await;
        }
    }
}
