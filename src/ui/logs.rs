//! The log view: lines in timestamp order, coloured by level and by deployment, search matches highlighted,
//! and a status line that says how the tail is doing. Only the lines on screen are built.
//!
//! Over ~600 lines on purpose: one screen's layout, line building (levels, ANSI colours, search highlights across
//! spans, deployment colours) and status line share their width arithmetic; split, each part would re-derive it.

use crate::app::logs::LogView;
use crate::app::state::State;
use crate::keymap::{Action, Screen};
use crate::model::logs::{Level, LogLine};
use crate::model::time::clock;
use crate::protocol::Transport;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use unicode_width::UnicodeWidthChar;

pub fn render(frame: &mut Frame, area: Rect, state: &State, view: &LogView, theme: &Theme) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(title(view, theme)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [body, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(status_line(state, view, theme)), status);
    if view.is_empty() {
        frame.render_widget(
            Paragraph::new(waiting(state, view, body.width, theme)).wrap(Wrap { trim: false }),
            body,
        );
        return;
    }
    let mut rows = notes(view, theme);
    let height = (body.height as usize).saturating_sub(rows.len());
    rows.extend(visible_rows(
        state,
        view,
        theme,
        body.width as usize,
        height,
    ));
    frame.render_widget(Paragraph::new(rows), body);
}

fn title<'a>(view: &LogView, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = vec![Span::styled(
        format!(" logs: {} ", view.request.target.title()),
        theme.title,
    )];
    let mut tag = |label: String, style: Style| {
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    };
    tag(format!("since {}", view.since_label), theme.muted);
    if let Some(p) = &view.request.pattern {
        // As typed: Debug formatting would escape the quotes of a JSON pattern.
        tag(format!("pattern `{p}`"), theme.label);
    }
    if let Some(f) = &view.include {
        tag(format!("only /{}/", f.text), theme.label);
    }
    if let Some(f) = &view.exclude {
        tag(format!("hiding /{}/", f.text), theme.label);
    }
    if let Some(r) = &view.revision {
        tag(format!("deployment {r}"), theme.label);
    }
    spans
}

/// Containers that cannot be tailed, shown above the lines.
fn notes<'a>(view: &LogView, theme: &Theme) -> Vec<Line<'a>> {
    view.notes
        .iter()
        .map(|n| Line::from(Span::styled(format!("⚠ {n}"), theme.warn)))
        .collect()
}

/// `text` cut to `width` display columns, an ellipsis marking the cut (never cut inside a character).
fn ellipsized(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width {
        return text.to_owned();
    }
    let mut used = 0;
    let mut out = String::new();
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// The filters hiding every held line, each quoted filter shortened so "Esc clears" stays on screen.
fn hiding_filters(view: &LogView, width: u16) -> String {
    let mut filters: Vec<(&str, &str)> = Vec::new();
    if let Some(f) = &view.include {
        filters.push(("i", f.text.as_str()));
    }
    if let Some(f) = &view.exclude {
        filters.push(("v", f.text.as_str()));
    }
    // The sentence around the filters takes about 45 columns; each filter shares the rest.
    let share = (usize::from(width).saturating_sub(45) / filters.len().max(1)).max(8);
    let mut said: Vec<String> = filters
        .into_iter()
        .map(|(key, text)| format!("`{key} {}`", ellipsized(text, share)))
        .collect();
    if let Some(r) = &view.revision {
        said.push(format!("`D` deployment {r}"));
    }
    said.join(" and ")
}

fn waiting<'a>(state: &State, view: &LogView, width: u16, theme: &Theme) -> Vec<Line<'a>> {
    let mut lines = vec![Line::default()];
    lines.extend(notes(view, theme));
    if let Some(idle) = &view.status.idle {
        lines.push(Line::from(Span::styled(format!("  ✖ {idle}"), theme.error)));
        let back = state
            .keymap
            .first_key(Action::Back, Screen::Logs)
            .map(|key| format!("; {key} to go back"))
            .unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("  → the task definition's logConfiguration decides where logs go{back}"),
            theme.warn,
        )));
        return lines;
    }
    if !view.buffer.is_empty() {
        // Lines are held but the filters hide every one: say which, not "no log lines".
        lines.push(Line::from(Span::styled(
            format!(
                "  {} lines held, none match {} — Esc clears",
                thousands(view.buffer.len() as u64),
                hiding_filters(view, width)
            ),
            theme.warn,
        )));
        return lines;
    }
    let what = match (&view.status.error, view.status.backfilled) {
        (Some(e), _) => {
            lines.push(Line::from(Span::styled(format!("  ✖ {e}"), theme.error)));
            lines.push(Line::from(Span::styled(
                format!("  → {}", e.hint()),
                theme.warn,
            )));
            None
        }
        (None, false) => Some(format!(
            "  reading the last {} of logs ({})…",
            view.since_label,
            view.status.transport.label()
        )),
        (None, true) => Some(format!(
            "  no log lines in the last {}; new lines appear here as they are written",
            view.since_label
        )),
    };
    if let Some(w) = what {
        lines.push(Line::from(Span::styled(w, theme.muted)));
    }
    for s in &view.sources {
        lines.push(Line::from(Span::styled(format!("  ⋅ {s}"), theme.muted)));
    }
    lines
}

/// The rows of the lines on screen: the newest when following, else from the anchored top line, always
/// keeping the selected line in view.
fn visible_rows<'a>(
    state: &State,
    view: &'a LogView,
    theme: &Theme,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    if height == 0 || view.is_empty() {
        return vec![];
    }
    let cursor = (!view.follow)
        .then(|| view.cursor.map(|k| view.index_of(k)))
        .flatten();
    let rows_of = |i: usize| -> Vec<Line<'a>> {
        let line = view.line(i).expect("index below len");
        line_rows(state, view, line, theme, width, cursor == Some(i))
    };
    // The rows of the lines ending with line `last`, as many as fit.
    let ending_at = |last: usize| -> Vec<Line<'a>> {
        let mut out: Vec<Vec<Line>> = Vec::new();
        let mut used = 0;
        for i in (0..=last).rev() {
            let rows = rows_of(i);
            used += rows.len();
            out.push(rows);
            if used >= height {
                break;
            }
        }
        let mut flat: Vec<Line> = out.into_iter().rev().flatten().collect();
        let extra = flat.len().saturating_sub(height);
        flat.drain(..extra);
        flat
    };
    if view.follow {
        return ending_at(view.len() - 1);
    }
    let top = view.top.map_or(0, |k| view.index_of(k));
    let forward = |start: usize| -> (Vec<Line<'a>>, usize) {
        let mut out = Vec::new();
        let mut last = start;
        for i in start..view.len() {
            if out.len() >= height {
                break;
            }
            out.extend(rows_of(i));
            last = i;
        }
        out.truncate(height);
        (out, last)
    };
    let (rows, last) = forward(top);
    match cursor {
        // The selection moved off screen (a wrap or JSON toggle made lines taller): end on it.
        Some(c) if c < top || c > last => ending_at(c),
        // The terminal grew below a top line anchored on a smaller one: fill the screen from the end
        // rather than leave it blank.
        _ if rows.len() < height && top > 0 => ending_at(view.len().saturating_sub(1)),
        _ => rows,
    }
}

fn level_style(level: Level, theme: &Theme) -> Style {
    match level {
        Level::Error => theme.error,
        Level::Warn => theme.warn,
        Level::Info => theme.log_info,
        Level::Debug => theme.log_debug,
        Level::Other => theme.base,
    }
}

/// One log line as screen rows: prefix columns, then the message (pretty JSON on several rows, or wrapped).
fn line_rows<'a>(
    state: &State,
    view: &LogView,
    line: &'a LogLine,
    theme: &Theme,
    width: usize,
    selected: bool,
) -> Vec<Line<'a>> {
    let mut prefix: Vec<Span<'a>> = Vec::with_capacity(4);
    if view.timestamps {
        let offset = if view.utc {
            0
        } else {
            state.context.utc_offset_secs
        };
        prefix.push(Span::styled(
            format!("{} ", clock(line.timestamp, offset)),
            theme.log_time,
        ));
    }
    let (container, task) = line.source();
    if let Some(task) = task {
        let style = match (view.revision_of(line), &view.primary) {
            (Some(r), Some(p)) if r == p => theme.log_new,
            (Some(_), _) => theme.log_old,
            _ => theme.muted,
        };
        prefix.push(Span::styled(format!("{} ", fit_width(task, 8)), style));
    }
    prefix.push(Span::styled(
        format!("{} ", fit_width(container, view.source_width)),
        theme.log_source,
    ));
    let style = level_style(line.level, theme);
    let pretty = (view.pretty && line.json)
        .then(|| serde_json::from_str::<serde_json::Value>(&line.message).ok())
        .flatten()
        .and_then(|v| serde_json::to_string_pretty(&v).ok());
    let mut rows: Vec<Line<'a>> = Vec::new();
    let indent: usize = prefix.iter().map(|s| s.width()).sum();
    match pretty {
        Some(text) => {
            for (n, part) in text.lines().enumerate() {
                let mut spans = if n == 0 {
                    std::mem::take(&mut prefix)
                } else {
                    vec![Span::raw(" ".repeat(indent))]
                };
                spans.extend(highlight(part.to_owned(), view, style, theme));
                rows.push(Line::from(spans));
            }
        }
        None => {
            let mut spans = prefix;
            match coloured(line, style) {
                Some(message) => spans.extend(highlight_spans(message, &line.message, view, theme)),
                None => spans.extend(highlight(line.message.clone(), view, style, theme)),
            }
            rows.push(Line::from(spans));
        }
    }
    if view.wrap {
        rows = rows
            .into_iter()
            .flat_map(|r| wrap(r, width, indent))
            .collect();
    }
    if selected {
        rows = rows
            .into_iter()
            .map(|r| r.patch_style(theme.log_cursor))
            .collect();
    }
    rows
}

/// The message split into spans, search matches highlighted.
fn highlight<'a>(text: String, view: &LogView, style: Style, theme: &Theme) -> Vec<Span<'a>> {
    let Some(search) = &view.search else {
        return vec![Span::styled(text, style)];
    };
    let mut spans = Vec::new();
    let mut at = 0;
    let part = |from: usize, to: usize| text.get(from..to).unwrap_or_default().to_owned();
    for m in search.regex.find_iter(&text) {
        if m.start() > at {
            spans.push(Span::styled(part(at, m.start()), style));
        }
        if m.end() > m.start() {
            spans.push(Span::styled(part(m.start(), m.end()), theme.log_match));
        }
        at = m.end();
    }
    if at < text.len() {
        spans.push(Span::styled(part(at, text.len()), style));
    }
    spans
}

/// The message in the colours its program wrote (ESC[31m…) over the level's style; None for a line without
/// escape codes, or when ansi-to-tui reads other text than the model's stripped message (which filters and
/// search matched), so that what is drawn is always what was searched.
fn coloured(line: &LogLine, base: Style) -> Option<Vec<Span<'static>>> {
    use ansi_to_tui::IntoText;
    // A reset (ESC[0m) goes back to the level's style, not to the terminal's default.
    fn own(mut style: Style) -> Style {
        use ratatui::style::{Color, Modifier};
        style.fg = style.fg.filter(|c| *c != Color::Reset);
        style.bg = style.bg.filter(|c| *c != Color::Reset);
        if style.sub_modifier == Modifier::all() {
            style.sub_modifier = Modifier::empty();
        }
        style
    }
    let text = line.ansi.as_deref()?.as_bytes().into_text().ok()?;
    let spans: Vec<Span<'static>> = text
        .lines
        .into_iter()
        .flat_map(|l| {
            let line_style = l.style;
            l.spans.into_iter().map(move |s| {
                let style = base.patch(own(line_style)).patch(own(s.style));
                Span::styled(s.content, style)
            })
        })
        .filter(|s| !s.content.is_empty())
        .collect();
    let same = spans.iter().map(|s| s.content.as_ref()).collect::<String>() == line.message;
    same.then_some(spans)
}

/// Search matches in `text` (the spans' content, joined) highlighted across coloured spans.
fn highlight_spans(
    spans: Vec<Span<'static>>,
    text: &str,
    view: &LogView,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let Some(search) = &view.search else {
        return spans;
    };
    let matches: Vec<(usize, usize)> = search
        .regex
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .filter(|(a, b)| b > a)
        .collect();
    if matches.is_empty() {
        return spans;
    }
    let mut out = Vec::with_capacity(spans.len() + 2 * matches.len());
    let mut at = 0;
    for span in spans {
        let content = span.content.as_ref();
        let end = at + content.len();
        // Cut points inside this span: its start, every match edge within it, its end.
        let mut cuts = vec![at];
        for &(a, b) in &matches {
            for edge in [a, b] {
                if edge > at && edge < end {
                    cuts.push(edge);
                }
            }
        }
        cuts.push(end);
        cuts.sort_unstable();
        cuts.dedup();
        for pair in cuts.windows(2) {
            let [from, to] = pair else { continue };
            let piece = content.get(from - at..to - at).unwrap_or_default();
            let inside = matches.iter().any(|&(a, b)| *from >= a && *to <= b);
            let style = if inside { theme.log_match } else { span.style };
            out.push(Span::styled(piece.to_owned(), style));
        }
        at = end;
    }
    out
}

/// `text` cut to at most `width` terminal cells and padded to exactly `width`: by display width, so CJK,
/// emoji and combining marks neither overflow the column nor split a character.
pub fn fit_width(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(width);
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// Splits a row into rows of at most `width` cells; continuation rows are indented like the message.
fn wrap(line: Line<'_>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(indent + 10);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut buf = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width {
                if !buf.is_empty() {
                    current.push(Span::styled(std::mem::take(&mut buf), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut current)));
                current.push(Span::raw(" ".repeat(indent)));
                used = indent;
            }
            buf.push(c);
            used += w;
        }
        if !buf.is_empty() {
            current.push(Span::styled(buf, span.style));
        }
    }
    rows.push(Line::from(current));
    rows
}

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn status_line<'a>(state: &State, view: &LogView, theme: &Theme) -> Line<'a> {
    let st = &view.status;
    let mut spans = vec![];
    if !view.follow {
        // The user's key for "bottom" ([keys] may have moved G).
        let jump = state
            .keymap
            .first_key(Action::Bottom, Screen::Logs)
            .map(|key| format!(" — {key} to jump to live"))
            .unwrap_or_default();
        spans.push(Span::styled(
            format!("PAUSED · {} new lines{jump}", thousands(view.unseen)),
            theme.badge_read_only,
        ));
        spans.push(Span::raw(" "));
    }
    let (mark, style) = match st.transport {
        Transport::LiveTail => ("● Live Tail", theme.ok),
        Transport::Polling => ("◌ polling", theme.warn),
        Transport::Connecting => ("○ connecting", theme.muted),
    };
    spans.push(Span::styled(mark, style));
    let sep = || Span::styled(" · ", theme.muted);
    spans.push(sep());
    spans.push(Span::styled(
        format!("{:.1} ev/s", st.events_per_second),
        theme.base,
    ));
    spans.push(sep());
    spans.push(Span::styled(
        format!("{} held", thousands(view.buffer.len() as u64)),
        theme.base,
    ));
    spans.push(sep());
    spans.push(Span::styled(
        format!("{} dropped", thousands(view.buffer.dropped)),
        if view.buffer.dropped > 0 {
            theme.warn
        } else {
            theme.base
        },
    ));
    spans.push(sep());
    spans.push(Span::styled(
        format!("{} throttled", thousands(st.throttles)),
        if st.throttles > 0 {
            theme.warn
        } else {
            theme.base
        },
    ));
    if st.sampled_updates > 0 {
        spans.push(sep());
        spans.push(Span::styled(
            format!(
                "SAMPLED by AWS ×{} (over 500 ev/s; refilled by polling)",
                thousands(st.sampled_updates)
            ),
            theme.warn,
        ));
    }
    if let Some(why) = &st.fallback
        && st.transport == Transport::Polling
    {
        spans.push(sep());
        spans.push(Span::styled(why.clone(), theme.muted));
    }
    if let Some(e) = &st.error {
        spans.push(sep());
        spans.push(Span::styled(format!("{}: {e}", e.label()), theme.error));
    }
    if let Some(s) = &view.search {
        spans.push(sep());
        spans.push(Span::styled(format!("/{} (n/N)", s.text), theme.log_match));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ansi_line() -> LogLine {
        LogLine::new(
            0,
            "ecs/web/0123".into(),
            "\x1b[31mERROR\x1b[0m db \x1b]8;;https://x\x07down\x1b]8;;\x07 \x1b[1;32mretrying\x1b[m".into(),
        )
    }

    #[test]
    fn escape_codes_leave_the_text_filters_and_search_see() {
        let line = ansi_line();
        assert_eq!(line.message, "ERROR db down retrying");
        assert_eq!(
            line.level,
            Level::Error,
            "the level is read past the colour code"
        );
        assert!(line.ansi.is_some());
        let plain = LogLine::new(0, "s".into(), "no codes [31m here".into());
        assert_eq!(plain.message, "no codes [31m here");
        assert!(plain.ansi.is_none());
    }

    #[test]
    fn colours_in_a_line_are_drawn_not_shown_as_text() {
        use ratatui::style::{Color, Modifier};
        let base = Style::default().fg(Color::Gray);
        let spans = coloured(&ansi_line(), base).expect("codes ansi-to-tui reads");
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "ERROR db down retrying");
        let style_of = |word: &str| {
            spans
                .iter()
                .find(|s| s.content.contains(word))
                .map(|s| s.style)
                .expect("word drawn")
        };
        assert_eq!(style_of("ERROR").fg, Some(Color::Red));
        assert_eq!(
            style_of("db").fg,
            Some(Color::Gray),
            "after a reset: the level's colour"
        );
        assert_eq!(style_of("retrying").fg, Some(Color::Green));
        assert!(style_of("retrying").add_modifier.contains(Modifier::BOLD));
    }

    /// A log view of one group, holding up to 10 lines.
    fn group_view() -> LogView {
        use crate::protocol::{LogRequest, LogTarget};
        LogView::new(
            LogRequest {
                target: LogTarget::Group { name: "/g".into() },
                since: 0,
                pattern: None,
            },
            "5m".into(),
            10,
        )
    }

    #[test]
    fn filters_and_search_match_the_text_between_the_codes() {
        use crate::app::logs::TextFilter;
        let mut view = group_view();
        view.include = Some(TextFilter::new("ERROR db down").expect("regex"));
        view.refilter();
        view.add(vec![ansi_line()]);
        assert_eq!(
            view.len(),
            1,
            "the include filter sees the words, not the codes"
        );
        view.search = Some(TextFilter::new("^ERROR db").expect("regex"));
        assert_eq!(view.find(false), Some(0));
    }

    #[test]
    fn a_search_match_is_highlighted_across_colours() {
        use crate::app::logs::TextFilter;
        use ratatui::style::Color;
        let theme = Theme::builtin("dark").expect("built-in theme");
        let mut view = group_view();
        view.search = Some(TextFilter::new("OR d").expect("regex"));
        let line = ansi_line();
        let spans = coloured(&line, Style::default()).expect("coloured");
        let spans = highlight_spans(spans, &line.message, &view, &theme);
        let parts: Vec<(&str, Style)> = spans
            .iter()
            .map(|s| (s.content.as_ref(), s.style))
            .collect();
        assert_eq!(parts.first().map(|p| p.0), Some("ERR"));
        assert_eq!(parts.first().and_then(|p| p.1.fg), Some(Color::Red));
        let matched: String = parts
            .iter()
            .filter(|p| p.1 == theme.log_match)
            .map(|p| p.0)
            .collect();
        assert_eq!(matched, "OR d");
        let text: String = parts.iter().map(|p| p.0).collect();
        assert_eq!(text, line.message);
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn columns_are_cut_and_padded_by_display_width() {
        use unicode_width::UnicodeWidthStr;
        for (text, width, expected) in [
            ("0a1b2c3d4e5f", 8, "0a1b2c3d"),
            ("abc", 8, "abc     "),
            ("日本語のタスク", 8, "日本語の"),
            ("日本語のタスク", 7, "日本語 "),
            ("🦀🦀🦀🦀🦀", 5, "🦀🦀 "),
            ("e\u{301}e\u{301}xyz", 3, "e\u{301}e\u{301}x"),
            ("שלום-עולם", 4, "שלום"),
            ("", 2, "  "),
            ("abc", 0, ""),
        ] {
            let got = fit_width(text, width);
            assert_eq!(got, expected, "{text:?} in {width}");
            assert_eq!(got.width(), width, "{text:?} in {width}");
        }
    }

    #[test]
    fn wrapping_keeps_every_character_and_indents_continuations() {
        let line = Line::from(vec![Span::raw("abc "), Span::raw("x".repeat(30))]);
        let rows = wrap(line, 14, 4);
        let text: String = rows
            .iter()
            .map(|r| {
                r.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("|");
        assert_eq!(text.replace("|    ", ""), format!("abc {}", "x".repeat(30)));
        assert!(rows.iter().all(|r| r.width() <= 14));
    }
}
