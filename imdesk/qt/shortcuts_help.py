"""F1: the keyboard shortcuts, one per line (key, tab, what it does)."""

SHORTCUTS_HELP = """\
Ctrl+N\tNew incident
Ctrl+E\tEdit the selected incident
Enter\tOpen the selected incident (focus its actions)
Esc\tBack to the list
Ctrl+F or /\tFilter the list
Ctrl+K\tSearch every timeline (Enter jumps to the entry)
Ctrl+Shift+S\tStart / resume work, reopen
Ctrl+Shift+H\tPut on hold (asks for the reason)
Ctrl+Shift+R\tResolve (asks for the resolution note)
Ctrl+Shift+L\tClose
Ctrl+Shift+X\tCancel the incident
Ctrl+Shift+N\tWrite a note
F5\tRefresh
Ctrl+Shift+M\tDeclare a major incident (checklist)
Ctrl+Shift+W\tOpen the war room of a major incident
Ctrl+1 … Ctrl+4\tWar room: note, action, decision, communication
!text\tWar room: a decision
Ctrl+Shift+E\tWar room: edit the situation
Ctrl+Shift+I	Inform people (incident or war room): who gets what, preview, send
Ctrl+Shift+C	Who do I call for the incident's service (calls are logged into it)
Ctrl+Shift+O	Contacts: teams, ladders, rosters, lists, services
Ctrl+Shift+A	Alerts: maintenance windows, heartbeats, inbox
Import contacts (vCard, CSV)	File menu, with a preview
Alt+1 … Alt+5	Incidents / War rooms / Contacts / Messages / Alerts
Ctrl+Q\tQuit"""
