"""Secrets (SMTP passwords, SMS tokens) in the OS keyring only, with explicit states."""
