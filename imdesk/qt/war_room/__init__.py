"""war_room."""
