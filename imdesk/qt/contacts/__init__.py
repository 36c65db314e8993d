"""The Contacts pane and the contact book in the console: search, cards, teams, who to call, the editor
and the organisation editor, import and export, the verification drill, the emergency pack (PDF) and
its keeper."""
