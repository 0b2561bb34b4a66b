//! The traffic dialog's keys while choosing: j/k pick switch, a canary step or switch back; digits type any
//! share for green; Enter builds the exact request (`model::traffic`) or says why it is refused.

use super::dialogs::{edit_field, nothing_here};
use crate::app::actions::{
    Body, Dialog, Fetched, Stage, TRAFFIC_CHOICES, TYPED_CHOICE, traffic_move,
};
use crate::model::traffic::traffic_plan;
use crossterm::event::{KeyCode, KeyEvent};

/// Longest share typed: `100`.
const MAX_PERCENT_DIGITS: usize = 3;

pub(super) fn edit_key(d: &mut Dialog, key: KeyEvent) {
    let Body::Traffic {
        traffic,
        selected,
        percent,
    } = &mut d.body
    else {
        return;
    };
    let Fetched::Ready(t) = traffic else {
        d.note = nothing_here(d, &key);
        return;
    };
    let last = TRAFFIC_CHOICES.len() - 1;
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => *selected = (*selected + 1).min(last),
        KeyCode::Char('k') | KeyCode::Up => *selected = selected.saturating_sub(1),
        KeyCode::Char(c) if c.is_ascii_digit() => {
            *selected = TYPED_CHOICE;
            d.error = edit_field(percent, &key, MAX_PERCENT_DIGITS, || {
                "a share is 0 to 100 %: at most 3 digits".into()
            });
        }
        KeyCode::Backspace | KeyCode::Left | KeyCode::Right => {
            *selected = TYPED_CHOICE;
            d.error = edit_field(percent, &key, MAX_PERCENT_DIGITS, String::new);
        }
        KeyCode::Enter => {
            match traffic_move(*selected, percent.value())
                .and_then(|mv| traffic_plan(&d.cluster, &d.service.service_name, t, mv))
            {
                Ok(plan) => {
                    d.error = None;
                    d.stage = Stage::Confirm(plan);
                }
                Err(why) => d.error = Some(why),
            }
        }
        _ => d.note = nothing_here(d, &key),
    }
}
