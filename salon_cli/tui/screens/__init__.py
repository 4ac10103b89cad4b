"""The dashboard's screens: Today (the base), client search and card, checkout, close day, no-shows,
and the small modals they share (sign in, PIN, a short form)."""
