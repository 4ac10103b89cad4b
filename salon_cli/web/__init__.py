"""HTTP interfaces (thin, like `cli` and `tui`): the Stripe webhook endpoint."""
