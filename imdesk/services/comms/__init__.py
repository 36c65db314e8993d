"""Messages to people: provider settings and secrets, templates, planning who gets what, the outbox,
and the sender that delivers it."""
