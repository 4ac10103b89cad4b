"""`salon demo`: a living demo salon."""
