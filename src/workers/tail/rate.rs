//! The events-per-second figure of a tail's status line: new lines of the last [`SPAN`], counting only lines
//! stamped after the tail opened — the backfill of the minutes before is history, not rate (it made the figure
//! read ~1,700 ev/s at open, then 2).

use crate::aws::Millis;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How far back the figure looks: long enough that Live Tail's one push a second reads steadily.
pub const SPAN: Duration = Duration::from_secs(10);

/// Lines older than the tail by more than this are backfill (a little slack for clocks and late writers).
const SLACK_MS: Millis = 2_000;

pub struct Rate {
    opened: Instant,
    opened_ms: Millis,
    arrivals: VecDeque<(Instant, u64)>,
}

impl Rate {
    pub fn new(opened: Instant, opened_ms: Millis) -> Rate {
        Rate {
            opened,
            opened_ms,
            arrivals: VecDeque::new(),
        }
    }

    /// Lines shown at `at`, by their timestamps.
    pub fn add(&mut self, at: Instant, timestamps: impl IntoIterator<Item = Millis>) {
        let fresh = timestamps
            .into_iter()
            .filter(|&t| t >= self.opened_ms - SLACK_MS)
            .count() as u64;
        if fresh > 0 {
            self.arrivals.push_back((at, fresh));
        }
    }

    /// Lines a second over the last [`SPAN`] (or since the tail opened, if that is shorter; at least 1 s).
    pub fn per_second(&mut self, now: Instant) -> f64 {
        while self
            .arrivals
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= SPAN)
        {
            self.arrivals.pop_front();
        }
        let span = now
            .saturating_duration_since(self.opened)
            .clamp(Duration::from_secs(1), SPAN);
        let count: u64 = self.arrivals.iter().map(|(_, n)| n).sum();
        // One decimal is shown: round here so the status (compared to publish changes) does not flicker.
        (count as f64 / span.as_secs_f64() * 10.0).round() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backfill_is_not_rate_and_pushes_once_a_second_read_steadily() {
        let t0 = Instant::now();
        let mut rate = Rate::new(t0, 1_000_000);
        // The backfill: 1,700 lines of the five minutes before the tail opened.
        rate.add(t0, (0..1_700).map(|i| 700_000 + i * 100));
        assert_eq!(rate.per_second(t0 + Duration::from_millis(500)), 0.0);
        // Then 3 lines pushed once a second for 20 s.
        for s in 1..=20u64 {
            let at = t0 + Duration::from_secs(s);
            rate.add(at, [1_000_000 + s as Millis * 1000; 3]);
            if s >= 10 {
                // Each 250 ms tick between pushes reads the same.
                for q in 0..4 {
                    let f = rate.per_second(at + Duration::from_millis(q * 250));
                    assert!((2.7..=3.1).contains(&f), "{f} at {s} s + {q}/4");
                }
            }
        }
        // Quiet for longer than the span: 0.
        assert_eq!(rate.per_second(t0 + Duration::from_secs(40)), 0.0);
    }

    #[test]
    fn the_first_seconds_divide_by_the_time_open_not_the_whole_span() {
        let t0 = Instant::now();
        let mut rate = Rate::new(t0, 1_000_000);
        rate.add(t0 + Duration::from_secs(2), [1_001_000; 10]);
        assert_eq!(rate.per_second(t0 + Duration::from_secs(2)), 5.0);
    }
}
