"""The use cases: the one API that the CLI, the dashboard and the webhook call.

A service takes the unit of work, the acting staff member and the clock's "now", returns plain data,
and raises a `SalonError`. It never prints, prompts or exits.

The services live in packages by the salon's areas, layered top to bottom with no import upward
(ARCHITECTURE.md; import-linter contracts in pyproject.toml): demo > transfer > checkout > stripe >
closing | record > till > book | loyalty | memberships > messages > clients > salon.
"""
