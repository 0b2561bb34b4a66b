//! KEYS.md, generated from [`BINDINGS`] so the list of action names cannot drift from the code
//! (`tests/keys.rs` fails when the file differs; `ECSDECK_WRITE_KEYS_MD=1 cargo test --test keys` rewrites it).

use super::{BINDINGS, Screen, Where};
use std::fmt::Write;

fn screens(place: Where) -> String {
    let mut names: Vec<&str> = Screen::ALL
        .iter()
        .filter(|s| place.allows_on(**s))
        .map(|s| s.name())
        .collect();
    names.dedup();
    if names.len() == Screen::ALL.len() - 1 {
        "every screen".into()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The whole of KEYS.md.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Keys\n\n\
         <!-- Generated from src/keymap by `ECSDECK_WRITE_KEYS_MD=1 cargo test --test keys`; edit the code, not this file. -->\n\n\
         Every action has a name that the `[keys]` section of the config file uses. `?` shows the keys of the \
         screen you are on, with your changes.\n\n\
         ```toml\n\
         [keys]                  # on every screen\n\
         refresh = \"F5\"\n\
         down = [\"j\", \"Down\", \"ctrl-n\"]\n\
         \n\
         [keys.services]         # on one kind of screen; wins over [keys]\n\
         scale = \"S\"\n\
         \n\
         [keys.logs]\n\
         pause = \"p\"\n\
         ```\n\n\
         - A key you give **replaces** the action's default keys (on every screen from `[keys]`, on that screen \
         from `[keys.<screen>]`). To keep a default as well, list it: `down = [\"j\", \"Down\", \"ctrl-n\"]`; \
         `[]` leaves the action without a key.\n\
         - Keys are written as a character (`\"S\"`, `\"?\"`, `\"G\"`), a name (`F1`…`F12`, `Enter`, `Esc`, `Tab`, \
         `Space`, `Backspace`, `Delete`, `Insert`, `Home`, `End`, `PgUp`, `PgDn`, `Up`, `Down`, `Left`, `Right`), \
         with `ctrl-` or `shift-` before it (`\"ctrl-r\"`, `\"Ctrl-Q\"`, `\"shift-tab\"`); case does not matter in \
         names. Alt/Meta keys are not supported; `Ctrl-c` always quits.\n\
         - Checked at start, before the terminal is taken over: an unknown action or screen, an action on a screen \
         where it does nothing, a key that cannot be read, or two actions on one key on one screen is an error \
         naming the file, the line and both actions. Giving a key that another action has by default on that \
         screen is such a conflict unless you move that action too.\n\
         - Keys inside dialogs, prompts and the filter and command lines are not remappable.\n\n\
         ## Screens\n\n\
         | `[keys.<name>]` | screen |\n|---|---|\n",
    );
    let mut seen = Vec::new();
    for screen in Screen::ALL {
        if seen.contains(&screen.name()) {
            continue;
        }
        seen.push(screen.name());
        let what = match screen {
            Screen::Tasks | Screen::ServiceTasks => "tasks list (a cluster's or a service's)",
            other => other.describe(),
        };
        let _ = writeln!(out, "| `{}` | {what} |", screen.name());
    }
    out.push_str(
        "\n## Actions\n\n| action | default keys | works on | what it does |\n|---|---|---|---|\n",
    );
    for b in BINDINGS {
        let keys = b
            .keys
            .iter()
            .map(|k| format!("`{}`", super::key_label(k)))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = writeln!(
            out,
            "| `{}` | {keys} | {} | {} |",
            b.action.name(),
            screens(b.place),
            b.desc.replace('|', "\\|")
        );
    }
    out
}
