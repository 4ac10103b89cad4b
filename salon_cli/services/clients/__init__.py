"""Clients: profiles, finding them as the desk types, notes and preferences, duplicates, what the desk reads."""
