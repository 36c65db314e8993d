"""The War rooms pane: one room per open major incident (header with clocks and bridge, timeline,
roles, people, action items, composer), declaring a major incident, and its wiring into the window."""
