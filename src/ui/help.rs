//! The `?` overlay: the rows of [`crate::keymap::help`] over the body of the screen, with a scrollbar and
//! "12–30 of 58" on its border so it is clear there is more.

use super::overlay_block;
use crate::app::state::State;
use crate::keymap::help::{self, RowKind};
use crate::keymap::{Action, Screen};
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Scrollbar, ScrollbarOrientation, ScrollbarState};
use unicode_width::UnicodeWidthStr;

pub fn render(frame: &mut Frame, area: Rect, state: &State, scroll: u16, theme: &Theme) {
    let screen = Screen::of(state.view());
    let inner_width = area.width.saturating_sub(2);
    let height = usize::from(area.height.saturating_sub(2));
    let rows = help::rows(&state.keymap, screen, inner_width);
    // The reducer stops scrolling at the end; this also holds after a resize made the help shorter.
    let top = usize::from(scroll).min(rows.len().saturating_sub(height));
    let lines: Vec<Line> = rows
        .iter()
        .skip(top)
        .take(height)
        .map(|row| match row.kind {
            RowKind::Section => Line::from(Span::styled(row.text.clone(), theme.section)),
            RowKind::Entry => Line::from(vec![
                Span::styled(row.key.clone(), theme.key),
                Span::styled(row.text.clone(), theme.base),
            ]),
            RowKind::Note => Line::from(Span::styled(row.text.clone(), theme.muted)),
            RowKind::Blank => Line::default(),
        })
        .collect();
    let shown_to = (top + height).min(rows.len());
    let mut block = overlay_block(format!("help: {}", screen.describe()), theme);
    // No room for a single row (a tiny window): no position to show.
    let scrolls = height > 0 && rows.len() > height;
    if scrolls {
        block = block.title_bottom(
            Line::from(Span::styled(
                format!(" {}–{shown_to} of {} ", top + 1, rows.len()),
                theme.title,
            ))
            .right_aligned(),
        );
    }
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block), area);
    if scrolls {
        let mut bar = ScrollbarState::new(rows.len().saturating_sub(height)).position(top);
        frame.render_stateful_widget(
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None),
            area.inner(Margin {
                vertical: 1,
                horizontal: 0,
            }),
            &mut bar,
        );
    }
}

/// The footer under an overlay: how to close and scroll it, in the user's keys; whole hints only, the most
/// needed first, so a narrow terminal still says how to get out.
pub fn overlay_footer(state: &State, width: u16, theme: &Theme) -> Line<'static> {
    let screen = Screen::of(state.view());
    let key = |action: Action| state.keymap.first_key(action, screen).unwrap_or_default();
    let mut spans = vec![Span::raw(" ")];
    let mut room = usize::from(width).saturating_sub(1);
    for (keys, desc) in [
        ("Esc".to_owned(), " close  "),
        (
            format!("{}/{}", key(Action::Down), key(Action::Up)),
            " scroll  ",
        ),
        (
            format!("{}/{}", key(Action::Top), key(Action::Bottom)),
            " top/end  ",
        ),
        (
            format!("{}/{}", key(Action::PageDown), key(Action::PageUp)),
            " page  ",
        ),
    ] {
        let needed = keys.width() + desc.trim_end().width();
        if needed > room {
            continue;
        }
        room = room.saturating_sub(needed + 2);
        spans.push(Span::styled(keys, theme.key));
        spans.push(Span::styled(desc, theme.key_desc));
    }
    Line::from(spans)
}
