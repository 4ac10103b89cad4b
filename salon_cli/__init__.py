"""salon: a terminal-first front desk for salons, barbershops and spas."""

__version__ = "0.1.0"
