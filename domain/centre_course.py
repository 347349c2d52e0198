"""The interdisciplinary course at a pain centre: its states, its appointments' states, the
disciplines of the team and the modules a plan is made of (data: `data/centre_modules.toml`).

Course (forløb på smertecenter)::

    planned ── start ───────────────▶ active
    planned ── cancel (reason) ─────▶ cancelled
    active ─── discharge ───────────▶ discharged   (the service requires the discharge summary)
    active ─── cancel (reason) ─────▶ cancelled

`discharged` and `cancelled` are closed: nothing moves a closed course. Every refusal is a
`CentreTransitionError` with a stable `code`: `transition_not_allowed` (no such edge) or
`transition_reason_required`.

Appointment::

    booked ── attend ──▶ attended
    booked ── cancel ──▶ cancelled

    transition(CentreCourseStatus.PLANNED, CentreCourseEvent.START)  # -> ACTIVE
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from domain.errors import DomainError


class CentreCourseStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    DISCHARGED = "discharged"
    CANCELLED = "cancelled"


class CentreCourseEvent(StrEnum):
    START = "start"
    DISCHARGE = "discharge"
    CANCEL = "cancel"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    ATTENDED = "attended"
    CANCELLED = "cancelled"


class AppointmentEvent(StrEnum):
    ATTEND = "attend"
    CANCEL = "cancel"


class Discipline(StrEnum):
    """The interdisciplinary team (seed 000: doctors, nurses, psychologists, social workers,
    physiotherapists)."""

    DOCTOR = "doctor"
    PSYCHOLOGIST = "psychologist"
    PHYSIOTHERAPIST = "physiotherapist"
    NURSE = "nurse"
    SOCIAL_WORKER = "social_worker"


class CentreTransitionError(DomainError):
    code = "transition_not_allowed"


@dataclass(frozen=True)
class CourseTransition:
    source: CentreCourseStatus
    event: CentreCourseEvent
    target: CentreCourseStatus
    needs_reason: bool = False


S = CentreCourseStatus
E = CentreCourseEvent

_TABLE: tuple[CourseTransition, ...] = (
    CourseTransition(S.PLANNED, E.START, S.ACTIVE),
    CourseTransition(S.PLANNED, E.CANCEL, S.CANCELLED, needs_reason=True),
    CourseTransition(S.ACTIVE, E.DISCHARGE, S.DISCHARGED),
    CourseTransition(S.ACTIVE, E.CANCEL, S.CANCELLED, needs_reason=True),
)

COURSE_TRANSITIONS: Mapping[tuple[CentreCourseStatus, CentreCourseEvent], CourseTransition] = (
    MappingProxyType({(t.source, t.event): t for t in _TABLE})
)
OPEN_STATUSES = frozenset(t.source for t in _TABLE)
CLOSED_STATUSES = frozenset(CentreCourseStatus) - OPEN_STATUSES
INITIAL_STATUS = CentreCourseStatus.PLANNED


def is_open(status: CentreCourseStatus) -> bool:
    return status in OPEN_STATUSES


def find_transition(
    current: CentreCourseStatus, event: CentreCourseEvent, *, reason: str = ""
) -> CourseTransition:
    """The table row for `event` on a course that is `current`, or `CentreTransitionError`."""
    found = COURSE_TRANSITIONS.get((current, event))
    if found is None:
        raise CentreTransitionError(f"A course that is {current} cannot {event}.")
    if found.needs_reason and not reason.strip():
        raise CentreTransitionError(
            f"To {event} a course, give a reason.", code="transition_reason_required"
        )
    return found


def transition(
    current: CentreCourseStatus, event: CentreCourseEvent, *, reason: str = ""
) -> CentreCourseStatus:
    """The status after `event`, or a `CentreTransitionError` saying why the table refuses it."""
    return find_transition(current, event, reason=reason).target


def allowed_events(current: CentreCourseStatus) -> tuple[CentreCourseEvent, ...]:
    """The events the table allows on a course that is `current`, in table order."""
    return tuple(t.event for t in _TABLE if t.source is current)


_APPOINTMENT_TABLE: Mapping[tuple[AppointmentStatus, AppointmentEvent], AppointmentStatus] = (
    MappingProxyType(
        {
            (AppointmentStatus.BOOKED, AppointmentEvent.ATTEND): AppointmentStatus.ATTENDED,
            (AppointmentStatus.BOOKED, AppointmentEvent.CANCEL): AppointmentStatus.CANCELLED,
        }
    )
)


def appointment_transition(
    current: AppointmentStatus, event: AppointmentEvent
) -> AppointmentStatus:
    """A booked appointment is attended or cancelled, once; a recorded one stays as it is."""
    found = _APPOINTMENT_TABLE.get((current, event))
    if found is None:
        raise CentreTransitionError(
            f"An appointment that is {current} cannot be marked {event}.",
            code="appointment_already_recorded",
        )
    return found


# --- modules --------------------------------------------------------------------------------


class ModuleError(DomainError):
    code = "unknown_module"


@dataclass(frozen=True)
class Module:
    code: str
    name: str  # English source text; the app translates the shipped names
    disciplines: tuple[Discipline, ...]
    uses_taper_plan: bool
    note: str


@dataclass(frozen=True)
class ModuleCatalogue:
    version: str
    source: str
    modules: tuple[Module, ...]

    def get(self, code: str) -> Module:
        for module in self.modules:
            if module.code == code:
                return module
        raise ModuleError(f"No module {code!r} in the catalogue {self.version}.")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.modules)


def parse_modules(data: Mapping[str, Any]) -> ModuleCatalogue:
    """A module catalogue from its TOML data; refuses duplicates and unknown disciplines."""
    modules: list[Module] = []
    for entry in data["modules"]:
        code = str(entry["code"])
        if any(m.code == code for m in modules):
            raise ModuleError(f"Module {code!r} is listed twice.", code="duplicate_module")
        try:
            disciplines = tuple(Discipline(d) for d in entry["disciplines"])
        except ValueError as error:
            raise ModuleError(str(error), code="unknown_discipline") from None
        modules.append(
            Module(
                code=code,
                name=str(entry["name"]),
                disciplines=disciplines,
                uses_taper_plan=bool(entry.get("uses_taper_plan", False)),
                note=str(entry.get("note", "")),
            )
        )
    if not modules:
        raise ModuleError("The module catalogue is empty.", code="no_modules")
    return ModuleCatalogue(
        version=str(data["version"]), source=str(data["source"]), modules=tuple(modules)
    )


@cache
def default_modules() -> ModuleCatalogue:
    """The modules in `domain/data/centre_modules.toml`."""
    text = (resources.files("domain") / "data" / "centre_modules.toml").read_text(encoding="utf-8")
    return parse_modules(tomllib.loads(text))
