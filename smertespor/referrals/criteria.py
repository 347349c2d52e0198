"""Versions of the referral criteria: installing the shipped file, and an administrator's
publication of a new one (checked whole by `domain.referral_criteria`, nothing saved on any
problem, a repeated version number refused, audited). Referrals are judged on the newest
version (`selectors.current_criteria_version`); a sent referral keeps its own."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from domain.referral_criteria import CriteriaSet, parse_criteria, shipped_criteria_text
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.definition_files import COMMON_PROBLEMS, DefinitionKind
from smertespor.referrals.models import CriteriaVersion
from smertespor.referrals.selectors import current_criteria_version

PROBLEMS = {
    **COMMON_PROBLEMS,
    "unknown_kind": gettext_lazy(
        "is not a kind of criterion (duration, any_of, all_of, answer, referrer)"
    ),
    "options_needed": gettext_lazy("this kind needs options"),
    "no_options_allowed": gettext_lazy("this kind takes no options"),
    "bad_months": gettext_lazy("must be a whole number of months from 1 to 120"),
    "no_criteria": gettext_lazy("the file lists no criteria"),
}


CRITERIA_FILES: DefinitionKind[CriteriaSet, CriteriaVersion] = DefinitionKind(
    model=CriteriaVersion,
    parse=parse_criteria,
    problems=PROBLEMS,
    key=lambda criteria: {"version": criteria.version},
    fields=lambda criteria: {"source": criteria.source},
    empty_message=gettext_lazy("Paste or upload the criteria file."),
    duplicate_message=gettext_lazy(
        "Version %(version)s of the referral criteria is already published. Give the "
        "changed file a new version."
    ),
)


def install_builtin_criteria(version_model: Any = CriteriaVersion) -> CriteriaVersion | None:
    """Store the shipped criteria file if its version is not stored yet (idempotent).

    Takes the model so that a data migration can pass its historical model."""
    return CRITERIA_FILES.install_builtin(shipped_criteria_text(), version_model)


def judging_version() -> CriteriaVersion:
    """The version a referral sent now is judged on (the shipped one stored if none is)."""
    stored = current_criteria_version()
    if stored is None:
        install_builtin_criteria()
        stored = current_criteria_version()
    assert stored is not None  # noqa: S101 - installed above
    return stored


def publish_criteria_version(*, by: User, text: str, note: str = "") -> CriteriaVersion:
    """Check a criteria file and publish it as the version new referrals are judged on.

    A file with any problem is refused whole (every problem named); so is a version number
    already published. Sent referrals keep the version they were judged on."""

    def audit(stored: CriteriaVersion, criteria: CriteriaSet) -> None:
        record_event(
            user=by,
            action=AuditAction.CREATE,
            object_type="referral_criteria_version",
            object_id=str(stored.pk),
            detail={"version": criteria.version},
        )

    return CRITERIA_FILES.publish(by=by, text=text, note=note, audit=audit)
