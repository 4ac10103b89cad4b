"""The `salon` command tree (Typer). Thin: parse, call a service, render. Services are imported
inside the commands, so that `salon --help` loads no database or UI library."""
