"""Outlook's CSV export in other languages: its header row is written in the language of
Office, so a German, French or Spanish Outlook writes "Vorname", "Prénom", "Nombre" where an
English one writes "First Name". The known headers are translated to Outlook's English ones
before the layout is recognised; a header not in the table stays as written (and its cells go
to the notes under that name)."""

from __future__ import annotations

_TABLE: dict[str, str] = {}


def _add(english: str, *names: str) -> None:
    for name in names:
        _TABLE[name.casefold()] = english


# German (Outlook 2010–365)
_add("Title", "Anrede")
_add("Nickname", "Spitzname", "Surnom", "Sobrenombre")
_add("First Name", "Vorname", "Prénom", "Nombre")
_add("Middle Name", "Weitere Vornamen", "Deuxième prénom", "Segundo nombre")
_add("Last Name", "Nachname", "Nom", "Apellidos")
_add("Suffix", "Namenszusatz", "Suffixe", "Sufijo")
_add("Company", "Firma", "Société", "Organisation", "Compañía", "Organización")
_add("Department", "Abteilung", "Service", "Departamento")
_add("Job Title", "Position", "Fonction", "Titre", "Puesto", "Cargo")
_add("Business Phone", "Telefon geschäftlich", "Téléphone (bureau)", "Téléphone bureau",
     "Teléfono del trabajo", "Teléfono de la oficina")
_add("Business Phone 2", "Telefon geschäftlich 2", "Téléphone 2 (bureau)", "Teléfono del trabajo 2")
_add("Home Phone", "Telefon privat", "Téléphone (domicile)", "Téléphone domicile",
     "Teléfono particular", "Teléfono de casa")
_add("Home Phone 2", "Telefon privat 2", "Téléphone 2 (domicile)", "Teléfono particular 2")
_add("Mobile Phone", "Mobiltelefon", "Tél. mobile", "Téléphone mobile", "Teléfono móvil", "Móvil")
_add("Other Phone", "Weiteres Telefon", "Autre téléphone", "Otro teléfono")
_add("Primary Phone", "Haupttelefon", "Téléphone principal", "Teléfono principal")
_add("Company Main Phone", "Telefon Firma", "Téléphone société", "Número de centralita de la organización")
_add("Pager", "Pager", "Récepteur de radiomessagerie", "Radiomensajería", "Localizador")
_add("Business Fax", "Fax geschäftlich", "Télécopie (bureau)", "Fax del trabajo")
_add("Home Fax", "Fax privat", "Télécopie (domicile)", "Fax particular")
_add("E-mail Address", "E-Mail-Adresse", "Adresse de messagerie", "Adresse e-mail",
     "Dirección de correo electrónico")
_add("E-mail 2 Address", "E-Mail 2: Adresse", "E-Mail-Adresse 2", "Adresse de messagerie 2",
     "Dirección de correo electrónico 2")
_add("E-mail 3 Address", "E-Mail 3: Adresse", "E-Mail-Adresse 3", "Adresse de messagerie 3",
     "Dirección de correo electrónico 3")
_add("E-mail Type", "E-Mail-Typ", "Type de messagerie", "Tipo de correo electrónico")
_add("E-mail Display Name", "E-Mail: Angezeigter Name", "Nom complet de l'adresse de messagerie",
     "Nombre para mostrar del correo electrónico")
_add("Notes", "Notizen", "Notes", "Notas")
_add("Categories", "Kategorien", "Catégories", "Categorías")
_add("Business Street", "Straße geschäftlich", "Rue (bureau)", "Calle del trabajo")
_add("Business City", "Ort geschäftlich", "Ville (bureau)", "Ciudad de trabajo")
_add("Business Postal Code", "Postleitzahl geschäftlich", "Code postal (bureau)", "Código postal del trabajo")
_add("Business Country/Region", "Land/Region geschäftlich", "Pays/Région (bureau)",
     "País o región del trabajo")
_add("Home Street", "Straße privat", "Rue (domicile)", "Calle del domicilio")
_add("Home City", "Ort privat", "Ville (domicile)", "Ciudad de residencia")
_add("Home Postal Code", "Postleitzahl privat", "Code postal (domicile)", "Código postal de residencia")
_add("Home Country/Region", "Land/Region privat", "Pays/Région (domicile)", "País o región del domicilio")
_add("Birthday", "Geburtstag", "Anniversaire", "Cumpleaños")
_add("Web Page", "Webseite", "Page Web", "Página web")
# "Nom"/"Service"/"Titre"/"Position" are ordinary words too: they count only beside the others
_WEAK = {"nom", "service", "titre", "position", "organisation", "notes", "pager"}


def localised_outlook(headers: list[str]) -> list[str] | None:
    """The headers in Outlook's English when this is a localised Outlook export (a first name,
    a last name and an email column among them), else None."""
    keys = [h.strip().casefold() for h in headers]
    english = [_TABLE.get(k, "") for k in keys]
    strong = sum(1 for k, e in zip(keys, english, strict=True) if e and k not in _WEAK)
    if strong < 3 or not {"First Name", "Last Name", "E-mail Address"} <= set(english):
        return None
    if english.count("Job Title") > 1:   # French: "Titre" is the title (Mme) first, the job second
        english[english.index("Job Title")] = "Title"
    return [e or h for h, e in zip(headers, english, strict=True)]
