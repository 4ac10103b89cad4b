"""Checkout: an appointment's sale built, paid and the visit completed, in one go (`salon checkout`:
`appointment`), or step by step in front of the client (the dashboard: `ticket`, with what the client
brings, `client_offers`, and what the desk sells with no appointment, `desk_sale`), with a Stripe reader
payment last. It composes the book, the till, loyalty, memberships and Stripe."""
