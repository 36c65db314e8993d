"""Drills in the console: the Drills pane (scenarios, the player's controls, past drills with
their scorecard and after-action report), the prompts side panel, the trainer's window and the
banner that stays while a drill runs."""
