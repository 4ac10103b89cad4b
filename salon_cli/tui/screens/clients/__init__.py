"""Clients on screen: the look-up as the desk types, the client card and its loyalty pieces."""
