"""Alert intake in the console: the listener process, the Alerts pane, the alerts in an incident's
detail, notices, and the alert settings dialogs."""
