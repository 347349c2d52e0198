"""Where an advice request comes from: the kind of the asking organisation (the request's
`practice`), a general practice or a hospital department. The clinic's worklist filters on
it and the figures count each apart ("Fra: almen praksis / hospitalsafdeling")."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smertespor.accounts.models import Organisation

GENERAL_PRACTICE = "general_practice"
HOSPITAL_DEPARTMENT = "hospital_department"

# Source code -> the asking organisation's kind.
SOURCE_KINDS: dict[str, str] = {
    GENERAL_PRACTICE: Organisation.Kind.GP_PRACTICE,
    HOSPITAL_DEPARTMENT: Organisation.Kind.HOSPITAL_DEPARTMENT,
}
SOURCE_LABELS: dict[str, Promise] = {
    GENERAL_PRACTICE: _("General practice"),
    HOSPITAL_DEPARTMENT: _("Hospital department"),
}
SOURCES = tuple(SOURCE_KINDS)


def source_of_kind(kind: str) -> str:
    """The source code of an asking organisation's kind."""
    return (
        HOSPITAL_DEPARTMENT if kind == Organisation.Kind.HOSPITAL_DEPARTMENT else GENERAL_PRACTICE
    )


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))
