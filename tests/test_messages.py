"""Messages built from exception texts read as one clean sentence (issue 11, item 7)."""

from __future__ import annotations

import pytest

from imdesk.credentials.webhook_token import SecretUnavailable
from imdesk.messages import sentence


@pytest.mark.parametrize(("lead", "detail", "tail", "expected"), [
    ("No keyring for the alert webhook token", "no secure keyring (Keyring).",
     "this session's token works only while the console runs",
     "No keyring for the alert webhook token: no secure keyring (Keyring). This session's token "
     "works only while the console runs."),
    ("Not saved", "the disk is full.", "", "Not saved: the disk is full."),
    ("Not saved:", "the disk is full: ", "everything you typed is still here.",
     "Not saved: the disk is full. Everything you typed is still here."),
    ("Alerts could not be loaded", "line one\nline two.", "",
     "Alerts could not be loaded: line one line two."),
    ("Token not rotated", "", "", "Token not rotated."),
    ("", "the keyring is locked.", "", "The keyring is locked."),
    ("Not ended", "is it? ", "", "Not ended: is it?"),
])
def test_a_lead_and_an_exception_text_make_one_clean_sentence(lead: str, detail: str, tail: str,
                                                              expected: str) -> None:
    assert sentence(lead, detail, tail) == expected


def test_no_message_doubles_its_punctuation() -> None:
    exc = SecretUnavailable("no secure keyring (Keyring)", hint="Install and start a Secret Service.")
    text = sentence("No keyring for the alert webhook token", exc, "the token works only now")
    for doubled in ("..", ".)", ".:", ":.", "):", ". .", "::"):
        assert doubled not in text, text


def test_the_console_builds_no_message_from_an_exception_by_hand() -> None:
    """Every Qt message that embeds an exception's text goes through messages.sentence (or clause):
    an f-string pasting {exc} or {exc.message} into a message is how "…(Keyring).):" came about."""
    import re
    from pathlib import Path

    import imdesk.qt

    pasted = re.compile(r"""f["'][^"']*\{(exc|exc\.message|err|error)\}""")
    found = [f"{path.name}:{n}: {line.strip()}"
             for path in Path(imdesk.qt.__file__).parent.rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pasted.search(line)]
    assert found == []
