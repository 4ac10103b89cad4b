"""The till: `salon checkout` and `salon sale ...` (`sales`), how a sale prints (`sale_output`), gift cards (`gift_cards`)."""
