"""Outbound channels: SMTP email and SMS providers, each a thin client with typed outcomes."""
