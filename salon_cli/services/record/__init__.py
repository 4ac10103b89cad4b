"""A client's whole record across every area: their story (`timeline`), merging a duplicate, photos."""
