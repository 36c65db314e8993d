"""How each figure is computed, in the words the definitions panel and the README show."""

from __future__ import annotations

DEFINITIONS: tuple[tuple[str, str], ...] = (
    ("Which incidents",
     "Incidents opened in the range (from, inclusive, to the end, exclusive), after the "
     "priority, service and origin filters. Exercises (drills) are left out; with "
     "'Exercises only' only they are counted. Cancelled incidents are counted but take no part "
     "in the durations or the SLA figures. A master and the incidents linked to it as callers are "
     "one outage, counted once — with the master's opening, priority, service, milestones and "
     "SLA targets; a caller is never counted on its own (in no range or filter), so the counts "
     "of two adjacent ranges add up. \"Incidents\" in the figures means these outages."),
    ("Opened",
     "The earliest time on the incident's timeline: its opening, or an entry the user backdated "
     "to before it (\"it started at 10:02\")."),
    ("Time to acknowledge (TTA)",
     "First move to 'in progress' minus opened. Incidents not yet acknowledged are left out "
     "of the figure and counted beside it."),
    ("Time to resolve (TTR)",
     "The resolution that stands (the last one, after any reopening) minus opened. Incidents "
     "not resolved (open, or reopened and not resolved again) are left out and counted beside it."),
    ("Without hold",
     "TTA minus the time on hold before the acknowledgement; TTR minus the time on hold before "
     "the resolution (on hold pauses the SLA clock)."),
    ("Median, p90, mean",
     "Median: the middle value (mean of the two middle ones for an even count). p90: nearest "
     "rank, the smallest value with at least 90 % of the values at or below it. Mean: the sum "
     "divided by the count."),
    ("SLA respond met",
     "Of the acknowledged incidents, the share whose TTA without hold is at most the respond "
     "target of the incident's priority (the targets in force when the priority was set)."),
    ("SLA resolve met",
     "Of the resolved incidents, the share whose TTR without hold is at most the resolve target."),
    ("Majors per month",
     "Incidents first declared major in each calendar month (local time)."),
    ("Declared major → first update",
     "From the first declaration as a major to the first stakeholder communication: a message "
     "that went out (sent, delivered, or phoned from the call list — queuing is not enough) or "
     "a communication line written by a person; a phone call to a contact is not one. An update "
     "sent before the declaration counts as 0."),
    ("Callers per outage",
     "Of the outages counted, how many had callers (incidents linked to the master as "
     "callers, wherever they were opened), the mean number of callers over those outages, and "
     "the most callers on one outage."),
    ("Trend",
     "Incidents by the week (Monday 00:00 local time) or calendar month of their opening; the "
     "medians and SLA shares as above, per period."),
)


def as_text() -> str:
    return "\n\n".join(f"{name}: {text}" for name, text in DEFINITIONS)
