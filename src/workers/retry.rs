//! Retries of transient AWS failures with exponential backoff and full jitter, reported as they happen.

use crate::aws::ApiError;
use rand::Rng;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// Attempts in all, including the first.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(200),
            cap: Duration::from_secs(10),
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// Full jitter: a uniform pause in [0, min(cap, base * 2^attempt)] (AWS architecture blog's advice).
    pub fn pause(&self, attempt: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap);
        let millis = ceiling.as_millis().max(1) as u64;
        Duration::from_millis(rand::rng().random_range(millis / 4..=millis))
    }
}

/// Runs `call` until it succeeds, fails permanently, or runs out of attempts. `on_retry` hears of every
/// transient failure before the pause, so the header can say "throttled".
pub async fn with_retry<T, F, Fut>(
    backoff: Backoff,
    mut call: F,
    mut on_retry: impl FnMut(&ApiError, u32),
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && attempt + 1 < backoff.max_attempts => {
                attempt += 1;
                on_retry(&e, attempt);
                tokio::time::sleep(backoff.pause(attempt)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn retries_throttling_then_succeeds_and_reports_each_retry() {
        let calls = AtomicU32::new(0);
        let mut reported = Vec::new();
        let fast = Backoff {
            base: Duration::from_millis(1),
            cap: Duration::from_millis(2),
            max_attempts: 5,
        };
        let out = with_retry(
            fast,
            || async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(ApiError::Throttled {
                        action: "ecs:ListServices".into(),
                        message: "Rate exceeded".into(),
                    })
                } else {
                    Ok(42)
                }
            },
            |_, attempt| reported.push(attempt),
        )
        .await;
        assert_eq!(out, Ok(42));
        assert_eq!(reported, vec![1, 2]);
    }

    #[tokio::test]
    async fn does_not_retry_access_denied() {
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = with_retry(
            Backoff::default(),
            || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(ApiError::AccessDenied {
                    action: "ecs:DescribeServices".into(),
                    message: "no".into(),
                })
            },
            |_, _| {},
        )
        .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn pauses_grow_but_stay_under_the_cap() {
        let b = Backoff::default();
        for attempt in 1..20 {
            assert!(b.pause(attempt) <= b.cap);
        }
    }
}
