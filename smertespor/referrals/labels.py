"""The criteria checklist as people read it: each criterion's wording (from the criteria
version, in the reader's language), its status and evidence, and each option's answer. A
draft shows the checklist as it stands today on the newest version; a sent referral the one
it was sent with, worded from the version it was judged on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from domain.referral_criteria import CriteriaError, CriteriaSet
from smertespor.referrals.models import CriteriaVersion, Referral
from smertespor.referrals.selectors import criteria_of, current_criteria
from smertespor.referrals.services import checklist_json, checklist_of

STATUS_LABELS = {
    "met": _("Met"),
    "not_met": _("Not met"),
    "unknown": _("Unknown"),
}
ANSWER_LABELS = {"yes": _("Yes"), "no": _("No"), "unknown": _("Unknown")}


def _language() -> str:
    return get_language() or "da"


def criteria_rows(referral: Referral) -> list[dict[str, Any]]:
    language = _language()
    criteria = criteria_of(referral)
    if referral.is_draft:
        try:
            results = checklist_json(checklist_of(referral))
        except CriteriaError:
            results = []
    else:
        results = list(referral.criteria_result or [])
    rows = []
    for result in results:
        try:
            criterion = criteria.criterion(result["code"])
        except CriteriaError:
            text, options_text = result["code"], {}
            kind = ""
        else:
            text = criterion.text(language)
            options_text = {option.code: option.text(language) for option in criterion.options}
            kind = criterion.kind.value
        rows.append(
            {
                "code": result["code"],
                "kind": kind,
                "text": text,
                "status": result["status"],
                "status_label": str(STATUS_LABELS.get(result["status"], result["status"])),
                "evidence": result.get("evidence", ""),
                "months_of_pain": result.get("months_of_pain"),
                "options": [
                    {
                        "code": code,
                        "text": options_text.get(code, code),
                        "answer": answer,
                        "answer_label": str(ANSWER_LABELS.get(answer, answer)),
                    }
                    for code, answer in (result.get("options") or {}).items()
                ],
            }
        )
    return rows


def missing_criteria(referral: Referral) -> list[str]:
    return [row["code"] for row in criteria_rows(referral) if row["status"] != "met"]


def criteria_definitions(criteria: CriteriaSet | None = None) -> dict[str, Any]:
    """The criteria as the API gives them (by default the version referrals are judged on)."""
    language = _language()
    criteria = criteria or current_criteria()
    return {
        "version": criteria.version,
        "source": criteria.source,
        "minimum_pain_months": criteria.minimum_pain_months,
        "criteria": [
            {
                "code": c.code,
                "kind": c.kind.value,
                "text": c.text(language),
                "options": [{"code": o.code, "text": o.text(language)} for o in c.options],
            }
            for c in criteria.criteria
        ],
    }


def criteria_version_payload(
    stored: CriteriaVersion, current: CriteriaVersion | None
) -> dict[str, Any]:
    """A stored version of the criteria as the API gives it, with its criteria."""
    return {
        **criteria_definitions(stored.definition),
        "id": stored.pk,
        "origin": stored.origin,
        "published_at": stored.published_at,
        "published_by": str(stored.published_by) if stored.published_by else None,
        "note": stored.note,
        "is_current": current is not None and current.pk == stored.pk,
    }
