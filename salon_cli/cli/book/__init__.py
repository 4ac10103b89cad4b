"""The book: appointments, check-in and no-show detection (`appointments`), penalties (`penalties`)."""
