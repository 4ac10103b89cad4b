#!/usr/bin/env bash
# A receptionist's morning on the demo salon, as a new user would go through it, in a real terminal:
# `salon tui --demo` in a 120x40 tmux session driven with send-keys; each step's screen is saved with
# capture-pane into OUT (default /tmp/morning). Sign in as sofia (PIN 3333), check in two clients from
# the book and a third found by a misspelt name ("Davd Tailor"), give that client a stamp, check out
# the first client in the chair (tip 40, card 120, cash for the rest out of 200: change shown), then
# book a walk-in. Needs tmux. Run from the repository: scripts/try_a_morning.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/morning}
SALON=${SALON:-$PWD/.venv/bin/salon}
HOME_DIR=$(mktemp -d)
SESSION=morning-$$
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

tmux new-session -d -s "$SESSION" -x 120 -y 40 \
  "SALON_HOME=$HOME_DIR SALON_NOW=2026-11-21T09:20:00-06:00 $SALON tui --demo; sleep 30"
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT

key() { tmux send-keys -t "$SESSION" "$@"; sleep 0.7; }
typed() { tmux send-keys -t "$SESSION" -l "$1"; sleep 0.7; }
shot() { sleep 0.5; tmux capture-pane -p -t "$SESSION" > "$OUT/$1.txt"; echo "saved $OUT/$1.txt"; }
wait_for() {  # up to 30 s for text on the screen
  for _ in $(seq 60); do tmux capture-pane -p -t "$SESSION" | grep -q -- "$1" && return 0; sleep 0.5; done
  echo "never saw: $1" >&2; tmux capture-pane -p -t "$SESSION" >&2; exit 1
}

wait_for "The demo salon is ready"; tmux send-keys -t "$SESSION" Enter   # the demo's codes and PINs, once
wait_for "appointments:"
tmux send-keys -t "$SESSION" v; sleep 0.7   # the list by time (this morning goes down its rows)
shot 01-today
key s; typed sofia; key Tab; typed 3333; key Enter
wait_for "is at the desk"; shot 02-signed-in
# the cursor starts on the first row; the first booked appointment is the eighth
for _ in 1 2 3 4 5 6 7; do tmux send-keys -t "$SESSION" Down; sleep 0.15; done
key c; wait_for "is here"; shot 03-check-in-1
key Down; key c; shot 04-check-in-2
key /; typed "Davd Tailor"; sleep 1; shot 05-search-misspelt
key Enter; wait_for "client 195"; shot 06-card
key c; wait_for "checked in"; shot 07-check-in-3
key k; wait_for "stamped"; shot 08-stamp
key Escape; key Escape
for _ in $(seq 12); do tmux send-keys -t "$SESSION" Up; sleep 0.15; done
key p; wait_for "Checkout"; shot 09-checkout
key t; for _ in 1 2 3 4 5 6; do tmux send-keys -t "$SESSION" BSpace; done; typed 40; key Enter
key 2; for _ in 1 2 3 4 5 6 7; do tmux send-keys -t "$SESSION" BSpace; done; typed 120; key Enter
shot 10-card-paid
key 1; typed 200; shot 11-cash-handed; key Enter   # the form's focus is on "Handed over"
wait_for "change"; shot 12-paid-with-change
key Escape; shot 13-book-after-checkout
key w; key Enter; typed "Diseño de ceja"; key Enter; typed emma; key Enter
wait_for "walk-in booked"; shot 14-walk-in
