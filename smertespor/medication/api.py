"""OMEQ, conversion-table and medication-list endpoints: the same calculation, actions and
rules as the web pages. The schemas, and how numbers are read and written, are in `schemas`.

Endpoints raise and the API answers with a problem (`config/api.py`): a refused line of a
calculation is a 422 whose ``errors[].field`` points at it (``lines.1.dose``).

No ``from __future__ import annotations`` here: ninja reads the endpoints' annotations
through `requires`' wrapper, whose module could not resolve them as strings.
"""

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from ninja.responses import Status

from domain.catalogue import Product
from domain.omeq import rule_to_row
from smertespor.accounts.permissions import can_see_patient_data
from smertespor.entry.doors import performs
from smertespor.entry.numbers import for_people
from smertespor.entry.rules import requires
from smertespor.entry.schemas import Id
from smertespor.medication import actions
from smertespor.medication.calculation import Evaluation, calculate
from smertespor.medication.models import ConversionTableVersion, MedicationLine
from smertespor.medication.permissions import (
    can_manage_catalogue,
    can_manage_conversion_tables,
    can_review_conversion_tables,
    can_sign_off_conversion_tables,
    can_use_omeq_calculator,
)
from smertespor.medication.regimens import pack_strength
from smertespor.medication.schemas import (
    EndLineIn,
    FactorSetCopyIn,
    FactorSetDraftIn,
    FactorSetImpactOut,
    FactorSetKey,
    FactorSetOut,
    FactorSetSignOffIn,
    FactorSetWithRulesOut,
    LineVersionOut,
    MedicationLineChangeIn,
    MedicationLineIn,
    MedicationLineOut,
    MedicationListOut,
    OmeqIn,
    OmeqOut,
    ProductOut,
    ProductsIn,
)
from smertespor.medication.selectors import (
    current_catalogue,
    current_lines,
    line_of,
    medication_history,
    patient_evaluation,
)
from smertespor.medication.table_impact import SignOffPreview, sign_off_preview
from smertespor.medication.table_rows import table_from_version
from smertespor.medication.table_selectors import (
    active_table_version,
    domain_table,
    draft_steps,
    table_version_named,
    usable_table_version,
    usable_table_versions,
)
from smertespor.patients.access import patient_for
from smertespor.patients.models import Patient
from smertespor.versions import VERSIONED_READ, if_match, send_etag, versioned_write

omeq_router = Router(tags=["omeq"])
medication_router = Router(tags=["medication"])


# --- payloads ------------------------------------------------------------------------------


def evaluation_payload(evaluation: Evaluation) -> dict[str, Any]:
    result = evaluation.result
    assert result is not None  # noqa: S101 - callers send problems instead
    lines = []
    for index, working in enumerate(evaluation.entries):
        entry, line_result = working.entry, working.result
        line = entry.regimen_line
        lines.append(
            {
                "index": index,
                "label": entry.label,
                "kind": "opioid" if line is not None else "co_medication",
                "substance": line.substance_key if line else None,
                "route": line.route.value if line else None,
                "prn": line.prn if line else False,
                "counted": bool(line_result and line_result.is_counted),
                "factor": line_result.factor if line_result else None,
                "factor_unit": line_result.factor_unit.value
                if line_result and line_result.factor_unit
                else None,
                "daily_dose": line_result.daily_dose if line_result else None,
                "omeq_mg_per_day": line_result.contribution_mg_per_day if line_result else None,
                "band_from_morphine_mg_per_day": line_result.band.from_morphine_mg_per_day
                if line_result and line_result.band
                else None,
                "not_counted_reason": line_result.not_counted_reason.value
                if line_result and line_result.not_counted_reason
                else None,
                "atc": entry.atc or (entry.product.atc if entry.product else None),
                "rule_note": line_result.rule_note if line_result else "",
            }
        )
    messages = dict(evaluation.warnings)
    warnings = [
        {
            "code": w.code.value,
            "message": messages[w.code.value],
            "params": w.params_dict(),
            "lines": [evaluation.entry_index(i) for i in w.line_indexes],
        }
        for w in result.warnings
    ]
    return {
        "omeq_mg_per_day": result.scheduled_mg_per_day,
        "omeq_max_mg_per_day": result.max_mg_per_day,
        "factor_set": {
            "id": evaluation.table.id,
            "version": evaluation.table.version,
            "title": evaluation.table.title,
        },
        "lines": lines,
        "warnings": warnings,
        "thresholds": {
            "reassess_mg_per_day": result.thresholds.reassess_mg_per_day,
            "high_mg_per_day": result.thresholds.high_mg_per_day,
        },
    }


def _factor_set(version: ConversionTableVersion) -> dict[str, Any]:
    return {
        "id": version.table_id,
        "version": version.version,
        "title": version.title,
        "source": version.source,
        "published": version.published,
        "note": version.note,
        "origin": version.origin,
        "is_active": version.is_active_for_region,
        "signed_off_at": version.signed_off_at,
        "signed_off_by": version.signed_off_by.username if version.signed_off_by else None,
        "copied_from": f"{version.copied_from.table_id}@{version.copied_from.version}"
        if version.copied_from
        else None,
        "revision": version.revision,
        "drafted_by": sorted({step.by.username for step in draft_steps(version)}),
    }


def _factor_set_with_rules(version: ConversionTableVersion) -> dict[str, Any]:
    _meta, rows = table_from_version(version).to_rows()
    return {**_factor_set(version), "rules": rows}


def _named_version(key: FactorSetKey, field: str) -> ConversionTableVersion:
    """The stored version a request body names in ``field``; an unknown one is invalid input."""
    try:
        return table_version_named(key.id, key.version)
    except ConversionTableVersion.DoesNotExist:
        message = _("There is no conversion table %(table)s.") % {
            "table": f"{key.id} {key.version}"
        }
        raise ValidationError(
            {field: ValidationError(message, code="unknown_factor_set")}
        ) from None


# --- OMEQ --------------------------------------------------------------------------------


@omeq_router.post("", response=OmeqOut, url_name="omeq_compute")
@requires(can_use_omeq_calculator)
def compute(request: HttpRequest, payload: OmeqIn) -> dict[str, Any]:
    """OMEQ of a regimen. `factor_set` (a table id) defaults to the region's active table;
    without `factor_set_version` an id means the region's version of that table. A line that
    cannot be converted answers 422 with every reason, each at its line's field
    (`errors[].field` such as `lines.1.dose`) with a stable `code`."""
    if payload.factor_set:
        try:
            version = usable_table_version(payload.factor_set, payload.factor_set_version)
        except ConversionTableVersion.DoesNotExist:
            message = _("There is no usable conversion table %(table)s.") % {
                "table": " ".join(filter(None, [payload.factor_set, payload.factor_set_version]))
            }
            raise ValidationError(
                {"factor_set": ValidationError(message, code="unknown_factor_set")}
            ) from None
    else:
        version = active_table_version()
    inputs = [line.line_input() for line in payload.lines]
    atc = [code.strip().upper() for code in payload.co_medication_atc]
    evaluation = calculate(
        inputs, version, domain_table(version), current_catalogue(), co_medication_atc=atc
    )
    return evaluation_payload(evaluation)


@omeq_router.get("/factor-sets", response=list[FactorSetOut], url_name="omeq_factor_sets")
def factor_sets(request: HttpRequest) -> list[dict[str, Any]]:
    """The conversion tables a calculation may use (shipped and signed-off versions)."""
    versions = usable_table_versions().select_related("signed_off_by", "copied_from")
    return [_factor_set(version) for version in versions]


@omeq_router.post(
    "/factor-sets", response={201: FactorSetWithRulesOut}, url_name="omeq_factor_set_copy"
)
@performs(actions.copy_conversion_table)
@requires(can_manage_conversion_tables)
def copy_factor_set(request: HttpRequest, payload: FactorSetCopyIn) -> Status[dict[str, Any]]:
    """Copy a version (`source`) into a draft under a new `table_id`/`version`, to edit and
    sign off. Administrators only."""
    source = _named_version(payload.source, "source")
    copy = actions.copy_conversion_table(
        user=request.user, source=source, table_id=payload.table_id, version=payload.version
    )
    return Status(201, _factor_set_with_rules(copy))


@omeq_router.put(
    "/factor-sets/{table_id}/{version}",
    response=FactorSetWithRulesOut,
    url_name="omeq_factor_set_edit",
)
@performs(actions.edit_draft_table)
@requires(can_manage_conversion_tables)
def edit_factor_set(
    request: HttpRequest, table_id: str, version: str, payload: FactorSetDraftIn
) -> dict[str, Any]:
    """Replace a draft's title, source, published date, note and rules. Every rule is checked
    and every issue reported (`errors[].field` `rules.<index>`); nothing is saved unless all
    pass. Shipped and signed-off versions never change. Administrators only."""
    try:
        draft = table_version_named(table_id, version)
    except ConversionTableVersion.DoesNotExist:
        raise Http404 from None
    actions.edit_draft_table(
        user=request.user,
        table_version=draft,
        meta=payload.dict(include={"title", "source", "published", "note"}),
        rows=[rule.row() for rule in payload.rules],
    )
    draft.refresh_from_db()
    return _factor_set_with_rules(draft)


@omeq_router.put("/active-factor-set", response=FactorSetOut, url_name="omeq_factor_set_sign_off")
@performs(actions.sign_off_conversion_table)
@requires(can_sign_off_conversion_tables)
def sign_off_factor_set(request: HttpRequest, payload: FactorSetSignOffIn) -> dict[str, Any]:
    """Sign off a draft as the region's active table: every OMEQ stored from now on uses it;
    the table it replaces stays readable, and the clinicians are notified. Someone who did not
    draft it (an administrator, or a clinician with the sign-off permission) names the
    `revision` reviewed (409 if the draft changed since) and repeats the version's name in
    `confirm` (see the impact endpoint)."""
    version = _named_version(FactorSetKey(id=payload.id, version=payload.version), "id")
    signed = actions.sign_off_conversion_table(
        user=request.user,
        table_version=version,
        confirm=payload.confirm,
        revision=payload.revision,
    )
    return _factor_set(signed)


@omeq_router.get(
    "/factor-sets/{table_id}/{version}/impact",
    response=FactorSetImpactOut,
    url_name="omeq_factor_set_impact",
)
@requires(can_review_conversion_tables)
def factor_set_impact(request: HttpRequest, table_id: str, version: str) -> dict[str, Any]:
    """What signing off this version would change for the region's patients, against the
    active table: how many patients' OMEQ moves, the largest changes, threshold crossings and
    the rules that differ with their published ranges. Counts and sizes, never a patient."""
    try:
        stored = table_version_named(table_id, version)
    except ConversionTableVersion.DoesNotExist:
        raise Http404 from None
    return _impact_payload(sign_off_preview(stored))


def _impact_payload(preview: SignOffPreview) -> dict[str, Any]:
    impact = preview.impact
    if impact is None:
        raise ValidationError(
            [ValidationError(p, code="invalid_conversion_table") for p in preview.problems]
        )
    return {
        "factor_set": _factor_set(preview.version),
        "replaces": {"id": preview.replaces.table_id, "version": preview.replaces.version},
        "confirmation": preview.confirmation,
        "patients": impact.regimens,
        "moved": impact.moved,
        "outcomes": [{"outcome": o.value, "patients": n} for o, n in impact.outcomes],
        "crossings": [
            {
                "threshold_mg_per_day": c.threshold_mg_per_day,
                "now_at_or_above": c.now_at_or_above,
                "now_below": c.now_below,
            }
            for c in impact.crossings
        ],
        "largest_changes": [
            {
                "outcome": c.outcome.value,
                "scheduled_before": c.scheduled_before,
                "max_before": c.max_before,
                "scheduled_after": c.scheduled_after,
                "max_after": c.max_after,
                "change_mg_per_day": c.change_mg_per_day,
                "change_percent": c.change_percent,
            }
            for c in impact.largest
        ],
        "rule_changes": [
            {
                "substance": row.change.substance,
                "route": row.change.route.value,
                "before": None if row.change.before is None else rule_to_row(row.change.before),
                "after": None if row.change.after is None else rule_to_row(row.change.after),
                "patients": row.change.regimens,
                "checks": [
                    {
                        "factor": check.factor,
                        "per_unit": check.per_unit.value,
                        "band_from_morphine_mg_per_day": check.band_from_morphine_mg_per_day,
                        "standing": check.standing.value,
                        "published_low": check.published.low if check.published else None,
                        "published_high": check.published.high if check.published else None,
                        "published_per_unit": check.published.per_unit.value
                        if check.published
                        else None,
                        "sources": list(check.published.sources) if check.published else [],
                    }
                    for check in row.checks
                ],
            }
            for row in preview.rule_changes
        ],
        "problems": list(preview.problems),
    }


@omeq_router.get("/products", response=list[ProductOut], url_name="omeq_products")
def products(request: HttpRequest) -> list[Product]:
    """The product catalogue: opioids and the co-medication that OMEQ warns about."""
    return list(current_catalogue())


@omeq_router.post("/products", response={201: list[ProductOut]}, url_name="omeq_products_add")
@performs(actions.import_catalogue_products)
@requires(can_manage_catalogue)
def add_products(request: HttpRequest, payload: ProductsIn) -> Status[list[Product]]:
    """Add the products of a products CSV to the catalogue, all or none: each bad row is
    named by its line. Administrators only."""
    added = actions.import_catalogue_products(user=request.user, csv_text=payload.csv_text)
    ids = {product.product_id for product in added}
    return Status(201, [p for p in current_catalogue() if p.id in ids])


# --- a patient's medication list ---------------------------------------------------------


def _line_payload(line: MedicationLine, products: dict[str, Product]) -> dict[str, Any]:
    product = products.get(line.product_id)
    return {
        "id": line.pk,
        "product_id": line.product_id,
        "product_name": product.name if product else None,
        "atc": product.atc if product else None,
        "strength": line.strength,
        "strength_label": pack_strength(product, line.strength)
        if product
        else for_people(line.strength),
        "units_per_dose": line.units_per_dose,
        "doses_per_day": line.doses_per_day,
        "prn": line.prn,
        "max_doses_per_day": line.max_doses_per_day,
        "indication": line.indication,
        "start_date": line.start_date,
        "ended_on": line.ended_on,
        "end_reason": line.end_reason,
        "note": line.note,
        "version": line.version,
    }


def _list_payload(patient: Patient) -> dict[str, Any]:
    catalogue = current_catalogue()
    evaluation = patient_evaluation(patient, catalogue=catalogue)
    products = {p.id: p for p in catalogue}
    return {
        "patient_id": patient.pk,
        "lines": [_line_payload(line, products) for line in current_lines(patient)],
        "factor_set": {
            "id": evaluation.table.id,
            "version": evaluation.table.version,
            "title": evaluation.table.title,
        },
        "omeq": evaluation_payload(evaluation) if evaluation.is_computable else None,
        "problems": [
            {"line": p.index, "field": p.field, "code": p.code, "message": p.message}
            for p in evaluation.problems
        ],
    }


@medication_router.get(
    "/{uuid:patient_id}/medication", response=MedicationListOut, url_name="medication_list"
)
@requires(can_see_patient_data)
def medication_list(request: HttpRequest, patient_id: uuid.UUID) -> dict[str, Any]:
    """The patient's current lines with OMEQ under the active table (or why it cannot be
    computed: `problems`)."""
    patient = patient_for(request.user, patient_id, object_type="medication_list")
    return _list_payload(patient)


@medication_router.post(
    "/{uuid:patient_id}/medication",
    response={201: MedicationListOut},
    url_name="medication_add_line",
)
@performs(actions.add_medication_line)
def add_line(
    request: HttpRequest, patient_id: uuid.UUID, payload: MedicationLineIn
) -> Status[dict[str, Any]]:
    """Add a product the patient takes; the list comes back with its new OMEQ."""
    line = actions.add_medication_line(user=request.user, patient_id=patient_id, **payload.dict())
    return Status(201, _list_payload(line.patient))


@medication_router.get(
    "/{uuid:patient_id}/medication/{id:line_id}",
    response=MedicationLineOut,
    url_name="medication_line",
    openapi_extra=VERSIONED_READ,
)
@requires(can_see_patient_data)
def medication_line(
    request: HttpRequest, response: HttpResponse, patient_id: uuid.UUID, line_id: Id
) -> dict[str, Any]:
    """One line (current or ended); its `ETag` is the version to send in `If-Match`."""
    patient = patient_for(request.user, patient_id, object_type="medication_line")
    line = line_of(patient, line_id)
    send_etag(response, line)
    return _line_payload(line, {p.id: p for p in current_catalogue()})


@medication_router.patch(
    "/{uuid:patient_id}/medication/{id:line_id}",
    response=MedicationListOut,
    url_name="medication_change_line",
    openapi_extra=versioned_write(),
)
@performs(actions.change_medication_line)
def change_line(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    line_id: Id,
    payload: MedicationLineChangeIn,
) -> dict[str, Any]:
    """Change a current line's dose, strength, indication, start date or note (only the
    fields sent); the earlier version stays in the history. `If-Match` names the line's
    version read; the answer's `ETag` is the line's new version."""
    line = actions.change_medication_line(
        user=request.user,
        patient_id=patient_id,
        line_id=line_id,
        expected_version=if_match(request),
        **payload.dict(exclude_unset=True),
    )
    send_etag(response, line)
    return _list_payload(line.patient)


@medication_router.post(
    "/{uuid:patient_id}/medication/{id:line_id}/end",
    response=MedicationListOut,
    url_name="medication_end_line",
    openapi_extra=versioned_write(),
)
@performs(actions.end_medication_line)
def end_line(
    request: HttpRequest,
    response: HttpResponse,
    patient_id: uuid.UUID,
    line_id: Id,
    payload: EndLineIn,
) -> dict[str, Any]:
    """Stop a line (today unless `ended_on` says otherwise); it stays readable as ended.
    `If-Match` names the line's version read; the answer's `ETag` is its new version."""
    line = actions.end_medication_line(
        user=request.user,
        patient_id=patient_id,
        line_id=line_id,
        expected_version=if_match(request),
        ended_on=payload.ended_on,
        reason=payload.reason,
    )
    send_etag(response, line)
    return _list_payload(line.patient)


@medication_router.get(
    "/{uuid:patient_id}/medication/history",
    response=list[LineVersionOut],
    url_name="medication_history",
)
@requires(can_see_patient_data)
def history(request: HttpRequest, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every saved version of every line, newest first."""
    patient = patient_for(request.user, patient_id, object_type="medication_history")
    return [
        {
            "line_id": v.id,
            "history_date": v.history_date,
            "history_type": v.history_type,
            "changed_by": v.history_user.username if v.history_user else None,
            "product_id": v.product_id,
            "strength": v.strength,
            "units_per_dose": v.units_per_dose,
            "doses_per_day": v.doses_per_day,
            "prn": v.prn,
            "max_doses_per_day": v.max_doses_per_day,
            "indication": v.indication,
            "start_date": v.start_date,
            "ended_on": v.ended_on,
            "note": v.note,
            "version": v.version,
        }
        for v in medication_history(patient)[:500]
    ]
