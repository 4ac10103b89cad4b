"""Loyalty: the program, cards, the points ledger and its lots, rewards and codes, stamps, expiry."""
