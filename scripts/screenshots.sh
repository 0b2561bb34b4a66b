#!/usr/bin/env bash
# Regenerates screenshots/*.png from the real program: the release binary on --demo in a tmux pane, captured
# with colours, turned into SVG (scripts/ansi2svg.py) and PNG (rsvg-convert).
# Needs: tmux, python3, rsvg-convert (Debian: librsvg2-bin), a monospace font (fonts-dejavu-core).
# Re-run whenever the UI changes: bash scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in tmux python3 rsvg-convert; do
  command -v "$tool" >/dev/null || { echo "screenshots.sh needs $tool (rsvg-convert: apt-get install librsvg2-bin)" >&2; exit 1; }
done
cargo build --release --quiet
COLS=140 ROWS=36
SOCKET="ecsdeck-shots-$$"
out=screenshots
tmp=$(mktemp -d)
trap 'tmux -L "$SOCKET" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT

# shot NAME THEME_FG THEME_BG "ecsdeck args" KEY...   (keys are sent one at a time, then the pane is captured)
shot() {
  local name=$1 fg=$2 bg=$3 args=$4; shift 4
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  sleep 0.3
  tmux -L "$SOCKET" new-session -d -x "$COLS" -y "$ROWS" \
    "./target/release/ecsdeck --demo --demo-latency-ms 5 --log-file $tmp/log $args"
  sleep 1.2
  for key in "$@"; do
    if [ "$key" = PAUSE ]; then sleep 2; continue; fi   # let log lines arrive
    tmux -L "$SOCKET" send-keys -t 0 "$key"
    sleep 0.25
  done
  sleep 0.8
  tmux -L "$SOCKET" capture-pane -e -p -t 0 > "$tmp/$name.ansi"
  python3 scripts/ansi2svg.py "$COLS" "$ROWS" "$fg" "$bg" < "$tmp/$name.ansi" > "$tmp/$name.svg"
  rsvg-convert "$tmp/$name.svg" -o "$out/$name.png"
  echo "wrote $out/$name.png"
}

DARK_FG="#c0caf5" DARK_BG="#1a1b26" LIGHT_FG="#343b58" LIGHT_BG="#f5f5f5"
shot clusters "$DARK_FG" "$DARK_BG" ""
shot services "$DARK_FG" "$DARK_BG" "--cluster production"
shot tasks "$DARK_FG" "$DARK_BG" "--cluster production --service payments"
shot task-detail "$DARK_FG" "$DARK_BG" "--cluster production --service checkout" Enter
shot service-detail "$DARK_FG" "$DARK_BG" "--cluster production" / p a y Enter d
shot filter-and-help "$DARK_FG" "$DARK_BG" "--cluster production" "?"
shot logs "$DARK_FG" "$DARK_BG" "--cluster production --demo-log-rate 3" / c h e c k Enter l PAUSE
shot logs-search "$DARK_FG" "$DARK_BG" "--cluster production --demo-log-rate 3" / c h e c k Enter l PAUSE / t i m e d Space o u t Enter
shot metrics "$DARK_FG" "$DARK_BG" "--cluster production" / p a y Enter m PAUSE
shot metrics-blue-green "$DARK_FG" "$DARK_BG" "--cluster production" / c h e c k Enter m PAUSE
shot loggroups "$DARK_FG" "$DARK_BG" "" : l o g g r o u p s Enter
shot scale-dialog "$DARK_FG" "$DARK_BG" "--cluster production" / w e b Enter S PAUSE BSpace BSpace BSpace 1 2 Enter
shot rollback-diff "$DARK_FG" "$DARK_BG" "--cluster production" / p a y Enter R PAUSE Enter PAUSE
# The demo deploys a bad revision of search 6 s after start: under way, then failed and rolled back.
shot deploy-watch "$DARK_FG" "$DARK_BG" "--cluster production" / s e a r c h Enter W PAUSE PAUSE PAUSE
shot deploy-failed "$DARK_FG" "$DARK_BG" "--cluster production" / s e a r c h Enter W PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE
# An ALB blue/green pair: T on storefront-blue, shift 10 % (the first choice), y — the watch screen shows it.
shot alb-pair-shift "$DARK_FG" "$DARK_BG" "--cluster production" / s t o r e f r o n t - b l u e Enter T PAUSE Enter y PAUSE PAUSE
shot alb-pair-details "$DARK_FG" "$DARK_BG" "--cluster production" / s t o r e f r o n t - g r e e n Enter d PAUSE
# gateway is CODE_DEPLOY: its task sets and group; ~20 s in the demo starts a canary of it (installing at ~40 s).
shot codedeploy-details "$DARK_FG" "$DARK_BG" "--cluster production" / g a t e w a y Enter d PAUSE
shot codedeploy-watch "$DARK_FG" "$DARK_BG" "--cluster production" / g a t e w a y Enter W PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE PAUSE
shot services-light "$LIGHT_FG" "$LIGHT_BG" "--cluster production --theme light --read-only" / c h Enter
