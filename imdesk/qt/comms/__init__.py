"""Messages to people in the console: the Messages pane (outbox and call list), the send dialog,
provider settings, and the sender process."""
