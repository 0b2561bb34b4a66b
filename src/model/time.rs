//! Time as people read it: ISO stamps, clock times, ages, durations. One set of thresholds for the whole app.

use crate::aws::Millis;

/// `2026-11-21T09:30:00.123Z`
pub fn iso_utc(ms: Millis) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .unwrap_or_default()
}

/// `09:30:00.123` at a UTC offset (seconds east).
pub fn clock(ms: Millis, offset_secs: i32) -> String {
    let ms = ms + offset_secs as Millis * 1000;
    let day = ms.rem_euclid(86_400_000);
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        day / 3_600_000,
        day / 60_000 % 60,
        day / 1000 % 60,
        day % 1000
    )
}

/// "45s", "12m", "3h", "5d": whole units, the largest that is at least 1 (hours up to two days). The one
/// age formatter of the app: table ages, "refreshed … ago", "data … ago", "since …".
pub fn age(now: Millis, then: Option<Millis>) -> String {
    let Some(then) = then else {
        return "-".into();
    };
    let secs = ((now - then) / 1000).max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3_600),
        s => format!("{}d", s / 86_400),
    }
}

/// "45s ago", "12m ago": how long ago something was refreshed or fetched, with [`age`]'s thresholds.
pub fn ago(now: Millis, then: Millis) -> String {
    format!("{} ago", age(now, Some(then)))
}

/// Parses `5m`, `1h`, `90s`, `2d`, `1h30m` into milliseconds.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let bad = || {
        format!("invalid duration {text:?}: use a number and a unit, like 30s, 5m, 1h, 2d or 1h30m")
    };
    let mut total: Millis = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let n: Millis = digits.parse().map_err(|_| bad())?;
        digits.clear();
        let unit = match c {
            's' => 1_000,
            'm' => 60_000,
            'h' => 3_600_000,
            'd' => 86_400_000,
            _ => return Err(bad()),
        };
        total = total
            .checked_add(n.checked_mul(unit).ok_or_else(bad)?)
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() || total == 0 {
        return Err(bad());
    }
    if total > 30 * 86_400_000 {
        return Err(format!(
            "{text} is too far back: a tail starts at most 30 days ago (FilterLogEvents reads slowly over long ranges)"
        ));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_agos_share_one_set_of_thresholds() {
        let now = 1_000_000_000;
        let cases = [
            (0, "0s"),
            (59, "59s"),
            (60, "1m"),
            (3_599, "59m"),
            (3_600, "1h"),
            (172_799, "47h"),
            (172_800, "2d"),
        ];
        for (secs, want) in cases {
            let then = now - secs * 1000;
            assert_eq!(age(now, Some(then)), want, "{secs}s");
            assert_eq!(ago(now, then), format!("{want} ago"), "{secs}s");
        }
        assert_eq!(age(now, None), "-");
        // A clock that went backwards says 0s, never a negative age.
        assert_eq!(ago(now, now + 5_000), "0s ago");
    }
}
