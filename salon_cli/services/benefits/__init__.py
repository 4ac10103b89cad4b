"""Benefits that act: what a membership plan or a loyalty tier promises, put to work across the areas
(priority booking: the longer horizon and the waitlist's first offer; birthday offers and gifts)."""
