"""The appointment book: booking, the status flow, no-shows and their penalties, the desk's board."""
