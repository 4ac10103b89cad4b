"""The close of the day: `salon close-day` and the Z-report (`close_day`), the drawer and expenses
(`money_out`), reports (`reports`, drawn with `charts` on a terminal)."""
