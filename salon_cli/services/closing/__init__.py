"""Money out and the close: the cash drawer, expenses, the Z-report, closing a day, reports."""
