"""The contact book's use cases: contacts, verification and calls, the organisation (teams, ladders,
rosters, lists, service profiles), who to call, stakeholders, import/export, the emergency pack's
data."""
