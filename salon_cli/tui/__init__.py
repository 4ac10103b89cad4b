"""`salon tui`: the full-screen dashboard (Textual). Imported only when the dashboard opens."""
