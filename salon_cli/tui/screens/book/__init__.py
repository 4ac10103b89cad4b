"""The book on screen: Today (the base screen) and the no-shows."""
