#!/usr/bin/env bash
# A whole day at the desk of the demo salon, from the float to the Z-report, through the dashboard only, as a
# new receptionist would do it, at 80x24: `salon tui --demo` in tmux driven with send-keys, each step's screen
# saved with capture-pane into OUT (default /tmp/full-day). Two runs of the app on the same SALON_HOME (the
# clock is fixed per process), Saturday 2026-11-21 in Mexico City:
#  morning, 09:05: the welcome (the demo's codes and PINs); sign in as sofia (3333); the drawer (D): the
#  demo already put today's float in, so f is refused in words, and the expected cash stays hidden from sofia
#  (x asks a manager's PIN: hers is refused); check out Michael Johnson from the book (p: what he brings is
#  listed: points, a stamp, an open fee, a reward), 120 by card and the rest in cash out of 200 (the change
#  shown large), the receipt (p) saved as PDF (f); a desk sale (S) to no client of a gift card of 500 (G)
#  paid by card; in the drawer a cash out of 200 and an expense of 150; the day's sales (L): 100 of the
#  checkout's card payment refunded with a reason, marco's PIN (2222); q.
#  evening, 20:30: sign in as sofia; close the day (z): the unfinished list; sofia cannot close over it with
#  her own PIN; a no-show (x) and one left booked (l) with a reason; a (close anyway) with a note and marco's
#  code and PIN; the blind count by denominations, ctrl+s: expected, counted and the variance (a note, past
#  the policy's 50.00); ctrl+s closes; the Z-report, saved as PDF (f).
# The checkout and the close's unfinished list are also captured at 160x50 (the window resized, then back).
# Needs tmux. Run from the repository: scripts/try_a_full_day.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-/tmp/full-day}
SALON=${SALON:-$PWD/.venv/bin/salon}
HOME_DIR=$(mktemp -d)
SESSION=fullday-$$
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; rm -rf "$HOME_DIR"' EXIT

start() {  # one run of the app at a fixed time; "the app is closed" once it quits
  tmux new-session -d -s "$SESSION" -x 80 -y 24 \
    "SALON_HOME=$HOME_DIR SALON_NOW=$1 $SALON tui --demo; echo 'the app is closed'; sleep 60"
}
key() { tmux send-keys -t "$SESSION" "$@"; sleep 0.6; }
typed() { tmux send-keys -t "$SESSION" -l "$1"; sleep 0.8; }
shot() { sleep 0.5; tmux capture-pane -p -t "$SESSION" > "$OUT/$1.txt"; echo "saved $OUT/$1.txt"; }
wait_for() {  # up to 60 s for text on the screen
  for _ in $(seq 120); do tmux capture-pane -p -t "$SESSION" | grep -q -- "$1" && return 0; sleep 0.5; done
  echo "never saw: $1" >&2; tmux capture-pane -p -t "$SESSION" >&2; exit 1
}
gone() {  # up to 15 s for text to leave the screen (a notice fading)
  for _ in $(seq 30); do tmux capture-pane -p -t "$SESSION" | grep -q -- "$1" || return 0; sleep 0.5; done
}
big() { tmux resize-window -t "$SESSION" -x 160 -y 50; sleep 1.5; shot "$1"; tmux resize-window -t "$SESSION" -x 80 -y 24; sleep 1; }
sign_in_sofia() { key s; wait_for "Who is at the desk"; typed sofia; key Tab; typed 3333; key Enter; wait_for "is at the desk"; }

# ---- the morning, 09:05 ----------------------------------------------------------------------------------
start 2026-11-21T09:05:00-06:00
wait_for "The demo salon is ready"; shot 01-welcome
key Enter; wait_for "appointments:"
sign_in_sofia; shot 02-signed-in
key D; wait_for "1 entry today"; shot 03-drawer-morning        # the demo's float is in; the expected cash hidden
key f; wait_for "float is already"; shot 04-float-once-a-day
gone "float is already"
key x; wait_for "see the expected cash"; typed sofia; key Enter; typed 3333; key Enter
wait_for "may not"; shot 05-expected-cash-not-for-sofia
gone "may not"; key Escape; wait_for "appointments:"
key Right; key p; wait_for "Checkout — Michael Johnson"; wait_for "points"; shot 06-checkout-what-the-client-brings
big 06b-checkout-160x50
key 2; wait_for "Pay by card"; typed 120; key Enter; wait_for "card 120.00"; shot 07-card-120
key 1; wait_for "Pay by cash"; typed 200; shot 08-cash-handed-200   # the focus is on "Handed over"
key Enter; wait_for "Change due"; shot 09-paid-change-under-the-notice
gone "paid: cash"; shot 10-paid-change
key p; wait_for "Receipt — sale"; shot 11-receipt
key f; wait_for "Save the receipt as PDF"; key Enter; wait_for "saved to"; shot 12-receipt-pdf
ls "$HOME_DIR"/receipts/sale-*.pdf > "$OUT/12-receipt-pdf-file.txt"; cat "$OUT/12-receipt-pdf-file.txt"
key Escape; key Escape; wait_for "appointments:"
key S; wait_for "Who is the sale for"; shot 13-desk-sale-who
key Enter; wait_for "No client: nothing"                         # "No client" is the first choice
key G; wait_for "Sell a gift card"; typed 500; key Enter; key Enter; wait_for "Gift card GC-"
key 2; wait_for "Pay by card"; key Enter; wait_for "Paid · sale"; shot 14-gift-card-sold
key Escape; wait_for "appointments:"
key D; wait_for "Drawer —"
key o; wait_for "Cash taken out"; typed 200; key Enter; typed "bank deposit"; key Enter; wait_for "cash out of 200.00"
key e; wait_for "An expense paid"; typed 150; key Enter; typed supplies; key Enter; typed "shampoo and towels"
key Enter; wait_for "expense of 150.00"; gone "expense of 150.00"; shot 15-drawer
key Escape; wait_for "appointments:"
key L; wait_for "9 sales"; shot 16-sales-of-the-day
key Down; key Enter; wait_for "Michael Johnson · appointment"; shot 17-sale-detail
key r; wait_for "from which payment"; shot 18-refund-which-payment
key Enter; wait_for "Refund from payment"; typed 100; key Enter; typed "client unhappy with the cut"; shot 19-refund-form
key Enter; wait_for "A manager's PIN to refund 100.00"; typed marco; key Enter; typed 2222; shot 20-refund-pin
key Enter; wait_for "refunded 100.00"; shot 21-refunded
key Escape; sleep 5; shot 22-sale-after-refund   # the notice gone (the summary line says the same)
key q; wait_for "the app is closed"
tmux kill-session -t "$SESSION"

# ---- the evening, 20:30 ----------------------------------------------------------------------------------
start 2026-11-21T20:30:00-06:00
wait_for "appointments:"
sign_in_sofia
key z; wait_for "Before the count"; gone "is at the desk"; shot 23-unfinished
big 23b-unfinished-160x50
key a; wait_for "Note (why"; typed "end of day"; key Enter; wait_for "Close over what is unfinished"
typed sofia; key Enter; typed 3333; key Enter; wait_for "may not"; shot 24-sofia-cannot-close-over-it
gone "may not"
key Down; key Down; key Down; key Down; key x; wait_for "is a no-show"; shot 25-no-show
key l; wait_for "booked past the close?"; typed "client called: coming Monday instead"; shot 26-leave-booked
key Enter; wait_for "stays booked past"; shot 27-left-booked
gone "is a no-show"; gone "stays booked past"
key PageDown; key PageDown; key PageDown; key PageDown; wait_for "open sale"; shot 28-unfinished-the-end
key a; wait_for "Note (why"; typed "the rest is for the manager on Monday"; key Enter
wait_for "Close over what is unfinished"; typed marco; key Enter; typed 2222; key Enter
wait_for "Count the drawer"; gone "approved closing"; shot 29-blind-count
typed 3; key Tab; key Tab; key Tab; typed 1; key Tab; key Tab; typed 2           # 1000 x3, 100 x1, 20 x2
wait_for "Counted: 3,140.00"; shot 30-counted
key C-s; wait_for "The count against the books"; shot 31-variance
typed "110 short: change given twice by mistake, checking tomorrow"; key C-s
wait_for "is closed"; shot 32-z-report
key f; wait_for "Save the Z-report as PDF"; key Enter; wait_for "saved to"; shot 33-z-report-pdf
ls "$HOME_DIR"/reports/z-report-*.pdf > "$OUT/33-z-report-pdf-file.txt"; cat "$OUT/33-z-report-pdf-file.txt"
sleep 5; key PageDown; key PageDown; shot 34-z-report-drawer   # the notice gone
key q; wait_for "the app is closed"
echo "the whole day ran: $OUT"
