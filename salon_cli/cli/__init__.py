"""The `salon` command tree (Typer), a module or package per area of the salon beside the plumbing every
command shares (`app`, the root; `context`; `output`). Thin: parse, call a service, render. Services are
imported inside the commands, so that `salon --help` loads no database or UI library."""
