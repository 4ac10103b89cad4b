"""A client's whole record across every area: merging duplicates, photos."""
