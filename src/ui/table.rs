//! The resource table: only the rows in the viewport are built, so a 10,000-row table draws as fast as a
//! 40-row one.

use super::{placeholder, stale_banner, wrapped_height};
use crate::app::list::ListView;
use crate::app::metrics::FleetMetrics;
use crate::app::rows::{ESSENTIAL, Row};
use crate::app::state::State;
use crate::aws::Service;
use crate::model::Tone;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table, Wrap};
use unicode_width::UnicodeWidthStr;

const MAX_COLUMN: usize = 48;

/// The extra cells of one row, with their tones.
type Cells<'a, R> = Box<dyn Fn(&R) -> Vec<(String, Tone)> + 'a>;

/// Columns and emphasis a table gets from outside its rows (the services list's CloudWatch data).
pub struct Extra<'a, R> {
    /// Column titles with how much each matters when the terminal is narrow (see `Column::keep`).
    pub titles: Vec<(&'static str, u8)>,
    pub cells: Cells<'a, R>,
    /// Rows drawn in the error tone (a service in ALARM).
    pub alert: Box<dyn Fn(&R) -> bool + 'a>,
}

pub fn render<R: Row>(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    list: &ListView<R>,
    title: &str,
    theme: &Theme,
) {
    render_with(frame, area, state, list, title, None, theme)
}

/// The services list: services in ALARM stand out (and say which alarm), and the optional CPU / 5XX columns.
pub fn render_services(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    list: &ListView<Service>,
    fleet: &FleetMetrics,
    title: &str,
    theme: &Theme,
) {
    let mut titles = Vec::new();
    // Which alarm fires is what the list is for at 3 a.m.: it outlives every column but the name and revision.
    if !fleet.in_alarm.is_empty() {
        titles.push(("ALARM", 10));
    }
    if fleet.columns_on {
        titles.push(("CPU", 5));
        titles.push((
            match fleet.columns.as_ref().map(|c| c.window) {
                Some(w) => match w.label() {
                    "15m" => "5XX/15m",
                    "1h" => "5XX/1h",
                    "3h" => "5XX/3h",
                    "12h" => "5XX/12h",
                    _ => "5XX/24h",
                },
                None => "5XX",
            },
            5,
        ));
    }
    let extra = Extra {
        titles,
        cells: Box::new(|s: &Service| {
            let mut cells = Vec::new();
            if !fleet.in_alarm.is_empty() {
                cells.push(match fleet.in_alarm.get(&s.service_name) {
                    Some(names) => (format!("⚠ {}", names.join(",")), Tone::Error),
                    None => (String::new(), Tone::Normal),
                });
            }
            if fleet.columns_on {
                let columns = fleet.columns.as_ref();
                cells.push(match columns.and_then(|c| c.cpu.get(&s.service_name)) {
                    Some(v) => (
                        format!("{v:.0}%"),
                        if *v >= 85.0 {
                            Tone::Error
                        } else if *v >= 70.0 {
                            Tone::Warn
                        } else {
                            Tone::Normal
                        },
                    ),
                    None if columns.is_some() => ("-".into(), Tone::Muted),
                    None => ("…".into(), Tone::Muted),
                });
                cells.push(match columns.and_then(|c| c.errors.get(&s.service_name)) {
                    Some(v) => (
                        format!("{v:.0}"),
                        if *v > 0.0 { Tone::Warn } else { Tone::Normal },
                    ),
                    None if columns.is_some() => ("-".into(), Tone::Muted),
                    None => ("…".into(), Tone::Muted),
                });
            }
            cells
        }),
        alert: Box::new(|s: &Service| fleet.in_alarm.contains_key(&s.service_name)),
    };
    render_with(frame, area, state, list, title, Some(extra), theme)
}

fn render_with<R: Row>(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    list: &ListView<R>,
    title: &str,
    extra: Option<Extra<'_, R>>,
    theme: &Theme,
) {
    let count = if list.filter.is_empty() {
        format!("{}", list.visible.len())
    } else {
        format!("{}/{}", list.visible.len(), list.rows.len())
    };
    let mut title_spans = vec![
        Span::styled(format!(" {title} "), theme.title),
        Span::styled(format!("[{count}] "), theme.muted),
    ];
    if !list.filter.is_empty() {
        title_spans.push(Span::styled(format!("/{} ", list.filter), theme.warn));
    }
    let p = list.load.progress;
    if list.load.loading
        && p.listed > 0
        && (list.filling || !p.listing_done || p.described < p.listed)
    {
        let total = if p.listing_done {
            p.listed.to_string()
        } else {
            format!("{}+", p.listed)
        };
        title_spans.push(Span::styled(
            format!("loading {}/{total} ", p.described),
            theme.muted,
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border)
        .title(Line::from(title_spans));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // Over rows it explains why they are old; with no rows the placeholder says it all.
    let banner = (!list.rows.is_empty())
        .then(|| stale_banner(&list.load, state.now, theme))
        .flatten();
    let stale = banner.is_some();
    let banner_height = banner.as_ref().map_or(0, |b| {
        // The reason is what the on-call engineer needs: it wraps, but never takes the table's place.
        wrapped_height(std::slice::from_ref(b), inner.width).min(inner.height.saturating_sub(2) / 2)
    });
    let [banner_area, table_area] =
        Layout::vertical([Constraint::Length(banner_height), Constraint::Min(1)]).areas(inner);
    if let Some(banner) = banner {
        frame.render_widget(
            Paragraph::new(banner).wrap(Wrap { trim: false }),
            banner_area,
        );
    }

    if list.visible.is_empty() {
        let empty = if list.rows.is_empty() {
            format!(
                "Nothing here: no {}.",
                title.split(' ').next().unwrap_or("rows")
            )
        } else if let Some(problem) = list.filter_problem() {
            format!("/{}: {problem}. Esc clears the filter.", list.filter)
        } else {
            format!("No rows match /{} — Esc clears the filter.", list.filter)
        };
        placeholder(frame, table_area, &list.load, &empty, theme);
        return;
    }

    let height = table_area.height.saturating_sub(1) as usize;
    let offset = list.offset.min(list.visible.len().saturating_sub(height));
    let window: Vec<&R> = list
        .visible
        .iter()
        .skip(offset)
        .take(height)
        .filter_map(|&i| list.rows.get(i))
        .collect();
    let now = state.now;

    // Every candidate column with its width from the header and the rows on screen only.
    let extra_titles = extra.as_ref().map(|e| e.titles.clone()).unwrap_or_default();
    let mut columns: Vec<Planned> = list
        .columns
        .iter()
        .enumerate()
        .filter_map(|(pos, &c)| {
            let column = R::COLUMNS.get(c)?;
            let arrow = if list.sort.column == c {
                if list.sort.descending { "▼" } else { "▲" }
            } else {
                ""
            };
            let title = format!("{}{arrow}", column.title);
            Some(Planned {
                width: title.width().max(column.width as usize),
                title,
                keep: column.keep,
                source: Source::Base { pos, column: c },
            })
        })
        .collect();
    columns.extend(
        extra_titles
            .iter()
            .enumerate()
            .map(|(i, (t, keep))| Planned {
                title: (*t).to_owned(),
                width: t.width(),
                keep: *keep,
                source: Source::Extra(i),
            }),
    );
    let base_cells: Vec<Vec<std::borrow::Cow<'_, str>>> = window
        .iter()
        .map(|row| list.columns.iter().map(|&c| row.cell(c, now)).collect())
        .collect();
    let extra_cells: Vec<Vec<(String, Tone)>> = window
        .iter()
        .map(|row| extra.as_ref().map(|e| (e.cells)(row)).unwrap_or_default())
        .collect();
    for (base, more) in base_cells.iter().zip(&extra_cells) {
        for column in columns.iter_mut() {
            let text_width = match column.source {
                Source::Base { pos, .. } => base.get(pos).map_or(0, |c| c.width()),
                Source::Extra(i) => more.get(i).map_or(0, |(t, _)| t.width()),
            };
            column.width = column.width.max(text_width.min(MAX_COLUMN));
        }
    }
    let shown = fit_columns(&columns, table_area.width as usize);

    let header = TableRow::new(
        shown
            .iter()
            .filter_map(|&k| columns.get(k))
            .map(|c| Cell::from(c.title.clone())),
    )
    .style(theme.table_header);

    let rows = window
        .iter()
        .zip(base_cells)
        .zip(extra_cells)
        .map(|((row, base), more)| {
            let alert = extra.as_ref().is_some_and(|e| (e.alert)(row));
            let row_tone = if alert { Tone::Error } else { row.row_tone() };
            let cells = shown.iter().filter_map(|&k| {
                let column = columns.get(k)?;
                let (text, tone) = match column.source {
                    Source::Base { pos, column } => {
                        let text = base.get(pos)?.clone().into_owned();
                        let tone = match row.tone(column) {
                            Tone::Normal if pos == 0 || row_tone == Tone::Muted => row_tone,
                            t => t,
                        };
                        (text, tone)
                    }
                    Source::Extra(i) => more.get(i)?.clone(),
                };
                // Stale rows must not look live: plain text goes muted, a warning keeps its colour.
                let tone = if stale && tone == Tone::Normal {
                    Tone::Muted
                } else {
                    tone
                };
                Some(Cell::from(Span::styled(text, theme.tone(tone))))
            });
            TableRow::new(cells.collect::<Vec<_>>())
        });

    let constraints: Vec<Constraint> = shown
        .iter()
        .enumerate()
        .map(|(pos, &k)| {
            let width = columns.get(k).map_or(1, |c| c.width);
            if pos + 1 == shown.len() {
                Constraint::Fill(1)
            } else {
                Constraint::Length(width as u16)
            }
        })
        .collect();
    let selected = list.selected.checked_sub(offset);
    let mut table_state = ratatui::widgets::TableState::default().with_selected(selected);
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(COLUMN_SPACING)
        .row_highlight_style(theme.selected)
        .style(Style::default());
    frame.render_stateful_widget(table, table_area, &mut table_state);
}

/// Where a planned column's cells come from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A column of the row type: its position among the list's columns and its index into `COLUMNS`.
    Base { pos: usize, column: usize },
    /// An index into [`Extra`]'s columns.
    Extra(usize),
}

/// A column as it will be drawn, if there is room for it.
#[derive(Debug, Clone)]
struct Planned {
    title: String,
    width: usize,
    keep: u8,
    source: Source,
}

const COLUMN_SPACING: u16 = 1;
/// The last column stretches; it may be cut down to this before a column is dropped.
const MIN_LAST_COLUMN: usize = 10;

/// The positions (into `columns`) that fit in `width`: the least important columns go first (the
/// rightmost of equals), essential ones never, and the order on screen stays the same.
fn fit_columns(columns: &[Planned], width: usize) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    let needed = |shown: &[usize]| -> usize {
        let last = shown.len().saturating_sub(1);
        let cells: usize = shown
            .iter()
            .enumerate()
            .filter_map(|(pos, &k)| {
                let c = columns.get(k)?;
                // An essential last column (a revision) must not be cut either.
                Some(if pos == last && c.keep != ESSENTIAL {
                    c.width.min(MIN_LAST_COLUMN)
                } else {
                    c.width
                })
            })
            .sum();
        cells + last * COLUMN_SPACING as usize
    };
    while needed(&shown) > width {
        let victim = shown
            .iter()
            .enumerate()
            .filter_map(|(pos, &k)| Some((pos, columns.get(k)?.keep)))
            .filter(|(_, keep)| *keep != ESSENTIAL)
            .min_by_key(|(pos, keep)| (*keep, std::cmp::Reverse(*pos)));
        match victim {
            Some((pos, _)) => {
                shown.remove(pos);
            }
            None => break,
        }
    }
    shown
}
