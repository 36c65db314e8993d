"""Alert intake's use cases: storing what the listener accepted, turning the inbox into alerts and
incidents, mapping rules, maintenance windows and heartbeats."""
