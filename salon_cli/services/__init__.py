"""The use cases: the one API that the CLI, the dashboard and the webhook call.

A service takes the unit of work, the acting staff member and the clock's "now", returns plain data,
and raises a `SalonError`. It never prints, prompts or exits.
"""
