"""Data in and out: another system's CSV exports in (`imports`), streamed exports out (`exports`)."""
