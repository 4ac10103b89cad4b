#!/usr/bin/env bash
# A morning of phone bookings on the demo salon at 80x24, as a new receptionist would do it, in a real
# terminal: `salon tui --demo` in tmux driven with send-keys; each step's screen is saved with
# capture-pane into OUT (default /tmp/phone-bookings). Now is Monday 2026-12-07 09:20 in Mexico City.
# The welcome (the demo's codes and PINs), sign in as sofia (3333); book "Ximana Ibanes" (misspelt) for a
# Corte de dama with ana "tomorrow 16" (the form shows ana busy then and offers her next free slots: the
# first is taken); a new client (a wrong birthday first, kept and refused in words, then fixed); the
# rebooking of a returning client from her card (`b`, Enter); that visit moved on Thursday's grid to
# another stylist by keys (Emma is on holiday that day, shaded); a move onto a busy slot refused with
# the reason; a late cancel with the fee shown before it is confirmed.
# Needs tmux. Run from the repository: scripts/try_phone_bookings.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/phone-bookings}
SALON=${SALON:-$PWD/.venv/bin/salon}
HOME_DIR=$(mktemp -d)
SESSION=phone-$$
mkdir -p "$OUT"
rm -f "$OUT"/*.txt

tmux new-session -d -s "$SESSION" -x 80 -y 24 \
  "SALON_HOME=$HOME_DIR SALON_NOW=2026-12-07T09:20:00-06:00 $SALON tui --demo; sleep 30"
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT

key() { tmux send-keys -t "$SESSION" "$@"; sleep 0.6; }
typed() { tmux send-keys -t "$SESSION" -l "$1"; sleep 0.8; }
shot() { sleep 0.5; tmux capture-pane -p -t "$SESSION" > "$OUT/$1.txt"; echo "saved $OUT/$1.txt"; }
wait_for() {  # up to 60 s for text on the screen
  for _ in $(seq 120); do tmux capture-pane -p -t "$SESSION" | grep -q -- "$1" && return 0; sleep 0.5; done
  echo "never saw: $1" >&2; tmux capture-pane -p -t "$SESSION" >&2; exit 1
}

wait_for "The demo salon is ready"; shot 01-welcome
key Enter; wait_for "appointments:"; shot 02-the-book
key s; typed sofia; key Tab; typed 3333; key Enter; wait_for "is at the desk"
key b; typed "ximana ibanes"; wait_for "match"; shot 03-client-found-misspelt
key Enter; typed "corte dama"; key Enter; typed ana; key Enter; typed "tomorrow 16"
wait_for "Tue 8 Dec 16:00"; shot 04-busy-then-free-slots
key Tab; key Enter; key C-s; wait_for "booked: Jimena"; shot 05-booked
key n; typed Lorena; key Tab; typed "Quintero Salas"; key Tab; typed "55 8765 4321"; key Tab
typed "lorena.q@example.com"; key Tab; typed "1990-13-02"; key C-s
wait_for "is not a date"; shot 06-new-client-refused-kept
key S-Tab; key C-u; typed "1990-12-02"; key C-s; wait_for "new client added"; shot 07-new-client-card
key Escape; key /; typed "regina ramires"; sleep 1; key Enter; wait_for "Regina Ramírez"
key b; wait_for "Usual visit"; shot 08-rebook-proposal
key Enter; wait_for "booked: Regina"; shot 09-rebooked
key Escape; key Escape; key g; typed 2026-12-10; key Enter; wait_for "Thursday 10 December"; shot 10-thursday
key Right; key Down; key Down; key Down; key m; key Left; key Up; key Up; shot 11-moving
key Enter; wait_for "moved:"; shot 12-moved
key m; key Down; key Down; key Down; key Enter; wait_for "already booked"; shot 13-move-refused
key t; sleep 1; for _ in 1 2 3 4 5 6; do tmux send-keys -t "$SESSION" Down; sleep 0.15; done
key x; wait_for "Late cancellation"; shot 14-cancel-fee-first
typed "cambió de planes"; key Enter; wait_for "cancelled: fee"; shot 15-cancelled
