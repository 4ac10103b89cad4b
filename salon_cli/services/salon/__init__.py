"""The house: locations, staff and PINs, roles, policy, the menu, business days, the audit log, cron jobs."""
