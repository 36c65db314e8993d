"""The shift handover: compile a shift's window, the draft, sign, take over, verify."""
