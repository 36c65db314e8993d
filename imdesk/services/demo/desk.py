"""What the demo seeding needs of a front end's bundle of services (an AppContext has it all):
the demo code takes any object of this shape and never imports the composition root."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from imdesk.services.catalog import CatalogService
    from imdesk.services.contacts.service import ContactService
    from imdesk.services.incidents import IncidentService
    from imdesk.services.settings import SettingsService
    from imdesk.storage.database import Database


class ContactsDesk(Protocol):
    """The contact book, for the demo contacts."""

    @property
    def contacts(self) -> ContactService: ...


class DemoDesk(ContactsDesk, Protocol):
    """The services the demo story writes through."""

    @property
    def db(self) -> Database: ...

    @property
    def catalog(self) -> CatalogService: ...

    @property
    def settings(self) -> SettingsService: ...

    @property
    def incidents(self) -> IncidentService: ...
