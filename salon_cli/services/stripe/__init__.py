"""Stripe: the gateway, card-present, payment links and off-session charges, webhook events."""
