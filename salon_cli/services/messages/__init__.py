"""Messages to clients: the outbox, templates, channels (SMTP, Twilio), sending, reminders, the log."""
