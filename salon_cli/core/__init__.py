"""Pure rules: no I/O, no database, no user interface."""
