"""Data in and out: every import (checked row by row, all or nothing) and every export."""
