//! Every style of every shipped theme is readable: WCAG 2 contrast of its foreground against its background
//! is at least 4.5:1 (AA) for text and 3:1 for lines (borders, chart axes).
//!
//! How a pair is chosen, as the app draws it:
//! - a style without `bg` is drawn over `base`'s background (every view paints `base` first);
//! - a style without `fg` (a selection or cursor background) carries `base`'s text;
//! - `base` itself must set both: a theme that leaves them to the terminal cannot be checked, so it fails;
//! - named and indexed colours are taken at xterm's default palette values (a terminal may remap them, which
//!   is why the shipped themes use `#rrggbb` only).

use ecsdeck::theme::{BUILTIN, NON_TEXT, Theme};
use ratatui::style::Color;

const TEXT: f64 = 4.5;
const LINES: f64 = 3.0;

/// xterm's default 16 colours.
const ANSI: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
];

fn rgb(colour: Color) -> Option<(u8, u8, u8)> {
    let ansi = |i: usize| ANSI.get(i).copied();
    Some(match colour {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i < 16 => ansi(i as usize)?,
        Color::Indexed(i) if i < 232 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            let i = i - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        Color::Indexed(i) => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
        Color::Black => ansi(0)?,
        Color::Red => ansi(1)?,
        Color::Green => ansi(2)?,
        Color::Yellow => ansi(3)?,
        Color::Blue => ansi(4)?,
        Color::Magenta => ansi(5)?,
        Color::Cyan => ansi(6)?,
        Color::Gray => ansi(7)?,
        Color::DarkGray => ansi(8)?,
        Color::LightRed => ansi(9)?,
        Color::LightGreen => ansi(10)?,
        Color::LightYellow => ansi(11)?,
        Color::LightBlue => ansi(12)?,
        Color::LightMagenta => ansi(13)?,
        Color::LightCyan => ansi(14)?,
        Color::White => ansi(15)?,
        Color::Reset => return None,
    })
}

/// WCAG 2 relative luminance.
fn luminance((r, g, b): (u8, u8, u8)) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Every style's (key, ratio, required ratio) in one theme.
fn ratios(theme: &Theme) -> Vec<(&'static str, f64, f64)> {
    let base_fg = theme.base.fg.and_then(rgb).expect("base sets a fg colour");
    let base_bg = theme.base.bg.and_then(rgb).expect("base sets a bg colour");
    theme
        .styles()
        .into_iter()
        .map(|(key, style)| {
            let fg = style.fg.and_then(rgb).unwrap_or(base_fg);
            let bg = style.bg.and_then(rgb).unwrap_or(base_bg);
            let required = if NON_TEXT.contains(&key) { LINES } else { TEXT };
            (key, contrast(fg, bg), required)
        })
        .collect()
}

#[test]
fn the_formula_matches_known_wcag_values() {
    assert!((contrast((0, 0, 0), (255, 255, 255)) - 21.0).abs() < 1e-9);
    assert!((contrast((255, 255, 255), (255, 255, 255)) - 1.0).abs() < 1e-9);
    // #767676 on white is the classic lightest AA grey: 4.54:1.
    let grey = contrast((0x76, 0x76, 0x76), (255, 255, 255));
    assert!((grey - 4.54).abs() < 0.01, "{grey}");
    // The muted grey the issue measured on the old dark theme: 2.8:1.
    let old_muted = contrast((0x56, 0x5f, 0x89), (0x1a, 0x1b, 0x26));
    assert!((old_muted - 2.76).abs() < 0.01, "{old_muted}");
}

#[test]
fn every_style_of_every_shipped_theme_meets_wcag_aa() {
    let mut failures = Vec::new();
    for (name, _) in BUILTIN {
        let theme = Theme::builtin(name).expect("a shipped theme loads");
        for (key, ratio, required) in ratios(&theme) {
            if ratio < required {
                failures.push(format!("{name}.{key}: {ratio:.2}:1, needs {required}:1"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_theme_with_a_faint_text_style_fails_the_check() {
    // The check itself must be able to fail: the old muted grey of the dark theme does.
    let mut theme = Theme::builtin("dark").expect("dark loads");
    theme
        .overlay(
            "[styles]\nmuted = { fg = \"#565f89\" }\n",
            std::path::Path::new("old.toml"),
        )
        .expect("overlay parses");
    let muted = ratios(&theme)
        .into_iter()
        .find(|(key, _, _)| *key == "muted")
        .expect("muted is a style");
    assert!(muted.1 < muted.2, "{muted:?}");
}
