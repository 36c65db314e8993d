"""Message templates: Jinja2 in its sandbox, shipped in imdesk/resources/templates/, with the user's
own editable copies in the config folder taking precedence (as the playbook does).

Each template (initial, update, resolved) has an email and an SMS text per audience
(business, technical). An email file starts with a "Subject: …" line and a blank line.
Jinja2 is imported only when a message is rendered (start-up speed).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imdesk.domain.errors import ValidationError
from imdesk.domain.mail_header import header_text
from imdesk.resources import resource

TEMPLATES = ("initial", "update", "resolved")
AUDIENCES = ("business", "technical")
PARTS = ("email", "sms")
SMS_MAX = 1600  # ten parts: anything longer is a template mistake


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    sms: str


def user_templates_dir() -> Path:
    import platformdirs

    base = os.environ.get("IMDESK_CONFIG_DIR") or platformdirs.user_config_dir("imdesk", "imdesk")
    return Path(base) / "templates"


def check_name(template: str, audience: str) -> None:
    if template not in TEMPLATES:
        raise ValidationError("template", f"template must be one of {', '.join(TEMPLATES)}, "
                                          f"not {template!r}")
    if audience not in AUDIENCES:
        raise ValidationError("audience", f"audience must be one of {', '.join(AUDIENCES)}, "
                                          f"not {audience!r}")


def template_path(template: str, audience: str, part: str) -> Path:
    """The user's copy if there is one, else the shipped file."""
    name = f"{audience}.{part}.j2"
    own = user_templates_dir() / template / name
    return own if own.exists() else resource("templates", template, name)


def user_copies() -> Path:
    """Copy every shipped template the user has no copy of yet; returns the folder."""
    target = user_templates_dir()
    for template in TEMPLATES:
        (target / template).mkdir(parents=True, exist_ok=True)
        for audience in AUDIENCES:
            for part in PARTS:
                own = target / template / f"{audience}.{part}.j2"
                if not own.exists():
                    shutil.copyfile(resource("templates", template, f"{audience}.{part}.j2"), own)
    return target


def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, trim_blocks=True,
                                lstrip_blocks=True, keep_trailing_newline=False)


def _render_file(env: Any, path: Path, fields: Mapping[str, Any]) -> str:
    from jinja2 import TemplateError, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError("template", f"the template {path} cannot be read ({exc})") from None
    try:
        return str(env.from_string(source).render(**fields))
    except TemplateSyntaxError as exc:
        raise ValidationError("template", f"{path}, line {exc.lineno}: {exc.message}") from None
    except SecurityError as exc:
        raise ValidationError("template", f"{path}: not allowed in a template ({exc})") from None
    except TemplateError as exc:
        raise ValidationError("template", f"{path}: {exc}") from None


def render(template: str, audience: str, fields: Mapping[str, Any]) -> Rendered:
    """Subject, body and SMS text; a broken template or an unsafe subject is a
    ValidationError naming the file."""
    check_name(template, audience)
    env = _environment()
    email_path = template_path(template, audience, "email")
    email = _render_file(env, email_path, fields).lstrip("\n")
    first, _, rest = email.partition("\n")
    if not first.lower().startswith("subject:"):
        raise ValidationError("template", f"{email_path}: the first line must be 'Subject: …'")
    subject = header_text(first[len("subject:"):], "subject")
    if not subject:
        raise ValidationError("subject", f"{email_path}: the subject is empty")
    ref = str(fields.get("ref") or "")
    if ref and f"[{ref}]" not in subject:  # a user's own template: the thread's key all the same
        subject = f"[{ref}] {subject}"
    body = rest.strip("\n") + "\n"
    sms = " ".join(_render_file(env, template_path(template, audience, "sms"), fields).split())
    if not sms:
        raise ValidationError("sms", "the SMS text is empty")
    if len(sms) > SMS_MAX:
        raise ValidationError("sms", f"the SMS text is {len(sms)} characters; the limit is {SMS_MAX}")
    return Rendered(subject, body, sms)
