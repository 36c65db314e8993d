"""comms."""
