"""What a contact import shows before it writes, as the console receives it from
`transfer.preview_import`: the plan (records to add, duplicates to merge or skip, flagged
values) and the refusal of a file that is not an address book. Defined with the file readers
(contacts_io); named here so that front ends depend on the service, not on the readers."""

from __future__ import annotations

from imdesk.contacts_io.errors import ImportRefused as ImportRefused
from imdesk.contacts_io.plan import Duplicate as Duplicate
from imdesk.contacts_io.plan import ImportPlan as ImportPlan
from imdesk.contacts_io.result import Flag as Flag
from imdesk.contacts_io.result import ParsedRecord as ParsedRecord

__all__ = ["Duplicate", "Flag", "ImportPlan", "ImportRefused", "ParsedRecord"]
