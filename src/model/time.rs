//! Time as people read it: ISO stamps, clock times, ages, durations. One set of thresholds for the whole app.

use crate::aws::Millis;
/// "45s", "12m", "3h", "5d": the k9s style of age.
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

pub fn age(now: Millis, then: Option<Millis>) -> String {
    let Some(then) = then else {
        return "-".into();
    };
    let secs = ((now - then) / 1000).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7_200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3_600),
        s => format!("{}d", s / 86_400),
    }
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
