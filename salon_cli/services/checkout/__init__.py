"""Checkout: an appointment's sale built, paid and the visit completed, in one go (`salon checkout`) or step
by step (the dashboard), with a Stripe reader payment last. It composes the book, the till and Stripe."""
