"""Reads the patient page makes twice, made once.

The patient page shows each app's panel (an inclusion tag) and the patient's timeline, and
several panels read what the timeline is built from: the course events, the advice requests,
the referrals, the pain centre's discharge summaries, the product catalogue. The view passes
one `Patient` instance to the timeline and to every panel, and that instance lives for one
request, so `read_once` keeps a read's result on it: the second reader gets the first one's
instead of asking the database again (measured on a patient page: 38 queries before, 32 after).

`has_records` answers, in one query, which kinds of record the patient has at all, so the
panels and the timeline skip what the patient has none of.

Only for showing a page: a service that changes these rows never reads through here.
"""

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef

from smertespor.patients.models import Patient

T = TypeVar("T")

_ATTRIBUTE = "_read_once"


def read_once(patient: Patient, key: Hashable, read: Callable[[], T]) -> T:
    """``read()``'s result for ``key``, read at most once for this ``patient`` instance. The
    key names the read and everything it depends on besides the patient (the reader's
    organisation or id for a read scoped to them). Return lists, not querysets."""
    reads: dict[Hashable, T] = patient.__dict__.setdefault(_ATTRIBUTE, {})
    if key not in reads:
        reads[key] = read()
    return reads[key]


# --- what the patient has at all ---------------------------------------------------------------
#
# Most patients have no taper plan, advice request, referral, pain centre course or pathway
# enrolment, yet the page's panels and timeline asked the database for each: on a patient page
# at 32,000 patients, ten queries that found nothing (30 → 21 queries, a quarter of the page's
# time at one user). One query asks whether the patient has any row of
# each kind at all; a reader whose kind is absent skips its query. The answer only allows
# skipping: a reader whose kind is present still applies its own rules (who takes part, which
# organisation), and a subset of nothing is nothing, so what the page shows does not change.

RECORD_KINDS = (
    "taper_plans",
    "advice_requests",
    "referrals",
    "centre_courses",
    "pathways",
    "courses",
)


def _record_probes() -> dict[str, Any]:
    # Each app says how to find its rows of one patient (the timeline's rule: never another
    # app's models); imported here, when first asked, so the patients app stays below them.
    from smertespor.advice.selectors import advice_requests_of_any_patient
    from smertespor.centres.selectors import centre_courses_of_any_patient
    from smertespor.pathways.selectors import enrolments_of_any_patient
    from smertespor.referrals.selectors import referrals_of_any_patient
    from smertespor.tapering.selectors import taper_plans_of_any_patient
    from smertespor.tracks.selectors import courses_of_any_patient

    rows = {
        "taper_plans": taper_plans_of_any_patient(),
        "advice_requests": advice_requests_of_any_patient(),
        "referrals": referrals_of_any_patient(),
        "centre_courses": centre_courses_of_any_patient(),
        "pathways": enrolments_of_any_patient(),
        "courses": courses_of_any_patient(),
    }
    # Named apart from the patient's reverse relations (``taper_plans``), which Django refuses.
    return {
        f"has_{kind}": Exists(rows[kind].filter(patient_id=OuterRef("pk"))) for kind in RECORD_KINDS
    }


def has_records(patient: Patient, kind: str) -> bool:
    """Whether ``patient`` has any row of ``kind`` (one of `RECORD_KINDS`) whoever may see it:
    False means a reader of that kind would find nothing and need not ask. All kinds are
    asked in one query, once for this ``patient`` instance (one request, like `read_once`)."""
    if kind not in RECORD_KINDS:
        raise ValueError(f"Unknown kind of record: {kind}")
    found = read_once(patient, "patients.records", lambda: _probe(patient))
    return found[kind]


def _probe(patient: Patient) -> dict[str, bool]:
    probes = _record_probes()
    found = Patient.objects.filter(pk=patient.pk).annotate(**probes).values_list(*probes).get()
    return {kind: bool(has) for kind, has in zip(RECORD_KINDS, found, strict=True)}
