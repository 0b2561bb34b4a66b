//! The resource table: only the rows in the viewport are built, so a 10,000-row table draws as fast as a
//! 40-row one.

use super::{placeholder, stale_banner};
use crate::app::metrics::FleetMetrics;
use crate::app::rows::{Row, Tone};
use crate::app::state::{ListView, State};
use crate::aws::Service;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row as TableRow, Table};

const MAX_COLUMN: usize = 48;

/// The extra cells of one row, with their tones.
type Cells<'a, R> = Box<dyn Fn(&R) -> Vec<(String, Tone)> + 'a>;

/// Columns and emphasis a table gets from outside its rows (the services list's CloudWatch data).
pub struct Extra<'a, R> {
    pub titles: Vec<&'static str>,
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
    if !fleet.in_alarm.is_empty() {
        titles.push("ALARM");
    }
    if fleet.columns_on {
        titles.push("CPU");
        titles.push(match fleet.columns.as_ref().map(|c| c.window) {
            Some(w) => match w.label() {
                "15m" => "5XX/15m",
                "1h" => "5XX/1h",
                "3h" => "5XX/3h",
                "12h" => "5XX/12h",
                _ => "5XX/24h",
            },
            None => "5XX",
        });
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
    let [banner_area, table_area] = Layout::vertical([
        Constraint::Length(banner.is_some() as u16),
        Constraint::Min(1),
    ])
    .areas(inner);
    if let Some(banner) = banner {
        frame.render_widget(Paragraph::new(banner), banner_area);
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
    let window = &list.visible[offset..(offset + height).min(list.visible.len())];
    let now = state.now;

    // Column widths from the header and the rows on screen only.
    let mut widths: Vec<usize> = list
        .columns
        .iter()
        .map(|&c| {
            let arrow = usize::from(list.sort.column == c);
            (R::COLUMNS[c].title.len() + arrow).max(R::COLUMNS[c].width as usize)
        })
        .collect();
    let cells: Vec<Vec<std::borrow::Cow<'_, str>>> = window
        .iter()
        .map(|&i| {
            list.columns
                .iter()
                .map(|&c| list.rows[i].cell(c, now))
                .collect()
        })
        .collect();
    let extra_titles = extra.as_ref().map(|e| e.titles.clone()).unwrap_or_default();
    let extra_cells: Vec<Vec<(String, Tone)>> = window
        .iter()
        .map(|&i| {
            extra
                .as_ref()
                .map(|e| (e.cells)(&list.rows[i]))
                .unwrap_or_default()
        })
        .collect();
    widths.extend(extra_titles.iter().map(|t| t.len()));
    for (row, more) in cells.iter().zip(&extra_cells) {
        let texts = row
            .iter()
            .map(|c| c.chars().count())
            .chain(more.iter().map(|(t, _)| t.chars().count()));
        for (w, n) in widths.iter_mut().zip(texts) {
            *w = (*w).max(n.min(MAX_COLUMN));
        }
    }

    let header = TableRow::new(
        list.columns
            .iter()
            .map(|&c| {
                let column = R::COLUMNS[c];
                let arrow = if list.sort.column == c {
                    if list.sort.descending { "▼" } else { "▲" }
                } else {
                    ""
                };
                Cell::from(format!("{}{arrow}", column.title))
            })
            .chain(extra_titles.iter().map(|t| Cell::from(*t))),
    )
    .style(theme.table_header);

    let rows = window
        .iter()
        .zip(cells)
        .zip(extra_cells)
        .map(|((&i, row_cells), more)| {
            let row = &list.rows[i];
            let alert = extra.as_ref().is_some_and(|e| (e.alert)(row));
            let row_tone = if alert { Tone::Error } else { row.row_tone() };
            TableRow::new(
                list.columns
                    .iter()
                    .zip(row_cells)
                    .enumerate()
                    .map(|(pos, (&c, text))| {
                        let tone = match row.tone(c) {
                            Tone::Normal if pos == 0 || row_tone == Tone::Muted => row_tone,
                            t => t,
                        };
                        Cell::from(Span::styled(text.into_owned(), theme.tone(tone)))
                    })
                    .chain(
                        more.into_iter()
                            .map(|(text, tone)| Cell::from(Span::styled(text, theme.tone(tone)))),
                    ),
            )
        });

    let constraints: Vec<Constraint> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i + 1 == widths.len() {
                Constraint::Fill(1)
            } else {
                Constraint::Length(*w as u16)
            }
        })
        .collect();
    let selected = list.selected.checked_sub(offset);
    let mut table_state = ratatui::widgets::TableState::default().with_selected(selected);
    let table = Table::new(rows, constraints)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.selected)
        .style(Style::default());
    frame.render_stateful_widget(table, table_area, &mut table_state);
}
