"""Writes to conversion tables: install the shipped ones, copy, edit a draft, sign off.

Shipped and signed-off versions never change, so every stored OMEQ keeps meaning what it
meant; a region changes factors by copying a version, editing the draft and signing it off.
Every change is a draft, and two people make it: whoever copied or edited the draft (each
step is recorded) cannot sign it off. A sign-off names the revision its signer reviewed and
repeats the version's name; every factor is checked against its published range on each
save and again at sign-off; the clinicians are told when the new table takes effect.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from domain.omeq import (
    ConversionTable,
    ConversionTableError,
    TableIssue,
    load_builtin_tables,
    plausible_table_from_rows,
)
from smertespor.accounts.models import User
from smertespor.audit.services import AuditAction, record_event
from smertespor.entry.rules import require
from smertespor.medication.labels import table_issue_message
from smertespor.medication.models import (
    ConversionRule,
    ConversionTableDraftStep,
    ConversionTableVersion,
)
from smertespor.medication.permissions import (
    can_manage_conversion_tables,
    can_sign_off_conversion_tables,
    is_not_a_drafter_of,
)
from smertespor.medication.table_rows import (
    rule_fields,
    rule_row,
    table_from_version,
    table_meta,
)
from smertespor.medication.table_selectors import clinicians_notified_of_new_tables
from smertespor.notifications.services import notify
from smertespor.versions import StaleVersion

Origin = ConversionTableVersion.Origin
Step = ConversionTableDraftStep.Kind
META_FIELDS = ("title", "source", "published", "note")
NEW_TABLE_NOTICE = "conversion_table_signed_off"
NEW_TABLE_TEXT = gettext_noop(
    "The region's OMEQ conversion table is now %(table)s. OMEQs computed from now on use it; "
    "earlier ones keep the table that produced them."
)


class BuiltinTableChanged(Exception):
    """A shipped data file changed without a new version: stored OMEQs would change meaning."""


class TableEditError(ValidationError):
    """A refused table edit. `row_errors` maps a rule's position (None: the table) to its
    messages; as a ValidationError each rule's issues are under ``rules.<position>``."""

    def __init__(self, issues: Sequence[TableIssue]) -> None:
        self.row_errors: dict[int | None, list[str]] = {}
        by_field: dict[str, list[ValidationError]] = {}
        for issue in issues:
            message = table_issue_message(issue)
            self.row_errors.setdefault(issue.row, []).append(message)
            field = NON_FIELD_ERRORS if issue.row is None else f"rules.{issue.row}"
            by_field.setdefault(field, []).append(ValidationError(message, code=issue.code.value))
        super().__init__(by_field)


def table_key(version: ConversionTableVersion) -> str:
    """How the audit log and the API name a version: ``nordic@2022.1``."""
    return f"{version.table_id}@{version.version}"


def confirmation_text(version: ConversionTableVersion) -> str:
    """What a signer types to confirm: the version's name as people read it, ``nordic 2026.1``."""
    return f"{version.table_id} {version.version}"


def _checked(meta: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> ConversionTable:
    """The table the rows make, every factor within reach of its published range."""
    try:
        return plausible_table_from_rows(meta, rows)
    except ConversionTableError as error:
        raise TableEditError(error.issues) from None


def _audit(by: User, action: str, version: ConversionTableVersion, **detail: Any) -> None:
    record_event(
        user=by,
        action=action,
        object_type="conversion_table",
        object_id=table_key(version),
        detail=detail or None,
    )


def install_builtin_tables(
    table_model: Any = ConversionTableVersion, rule_model: Any = ConversionRule
) -> list[str]:
    """Store the shipped tables that are not stored yet (idempotent); returns what was added.

    Takes the model classes so that a data migration can pass its historical models.
    """
    added = []
    for table in load_builtin_tables().values():
        stored = table_model.objects.filter(table_id=table.id, version=table.version).first()
        if stored is not None:
            if table_from_version(stored) != table:
                raise BuiltinTableChanged(
                    f"The shipped table {table.id} {table.version} differs from the stored "
                    "copy; give the changed data file a new version."
                )
            continue
        rows = table.to_rows()[1]
        version = table_model.objects.create(
            table_id=table.id,
            version=table.version,
            title=table.title,
            source=table.source,
            published=table.published,
            note=table.note,
            origin=Origin.BUILTIN,
        )
        rule_model.objects.bulk_create(rule_model(table=version, **f) for f in rule_fields(rows))
        added.append(f"{table.id} {table.version}")
    return added


def copy_conversion_table(
    *, source: ConversionTableVersion, by: User, table_id: str, version: str
) -> ConversionTableVersion:
    """A draft copy of `source` under a new id/version, for the region to edit and sign off."""
    require(
        by,
        can_manage_conversion_tables,
        object_type="conversion_table",
        object_id=table_key(source),
    )
    with transaction.atomic():
        copy = ConversionTableVersion(
            table_id=table_id.strip(),
            version=version.strip(),
            title=source.title,
            source=source.source,
            published=source.published,
            note=source.note,
            origin=Origin.REGIONAL_COPY,
            copied_from=source,
            created_by=by,
        )
        copy.full_clean()
        copy.save(force_insert=True)
        rules = [
            ConversionRule(table=copy, **fields)
            for fields in rule_fields(table_from_version(source).to_rows()[1])
        ]
        ConversionRule.objects.bulk_create(rules)
        ConversionTableDraftStep.objects.create(table=copy, kind=Step.COPIED, by=by, revision=0)
        _audit(by, AuditAction.CREATE, copy, copied_from=table_key(source), revision=0)
    return copy


def edit_draft_table(
    *,
    table_version: ConversionTableVersion,
    by: User,
    meta: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
) -> ConversionTable:
    """Replace a draft's title/source/published/note and rules, all checked by the domain
    (`plausible_table_from_rows`: the table's own rules, then every factor against its
    published range): every issue is reported and nothing is saved. Each save is a new
    revision, and its author a drafter."""
    require(
        by,
        can_manage_conversion_tables,
        object_type="conversion_table",
        object_id=table_key(table_version),
    )
    with transaction.atomic():
        locked = ConversionTableVersion.objects.select_for_update().get(pk=table_version.pk)
        if not locked.is_draft:
            raise ValidationError(
                _("Only a regional copy that is not signed off can be edited. Copy it first."),
                code="table_not_editable",
            )
        full_meta = {**table_meta(locked), **{k: meta[k] for k in META_FIELDS if k in meta}}
        table = _checked(full_meta, rows)
        for field in META_FIELDS:
            setattr(locked, field, full_meta[field])
        locked.revision += 1
        locked.full_clean()
        locked.save(update_fields=[*META_FIELDS, "revision"])
        locked.rules.all().delete()
        ConversionRule.objects.bulk_create(
            ConversionRule(table=locked, **fields) for fields in rule_fields(table.to_rows()[1])
        )
        ConversionTableDraftStep.objects.create(
            table=locked, kind=Step.EDITED, by=by, revision=locked.revision
        )
        _audit(by, AuditAction.UPDATE, locked, rules=len(table.rules), revision=locked.revision)
    table_version.revision = locked.revision
    return table


def sign_off_conversion_table(
    *, table_version: ConversionTableVersion, by: User, confirm: str, revision: int
) -> ConversionTableVersion:
    """Make a draft the region's active table, recording who signed it off and when, and tell
    the clinicians.

    Refused unless: `by` may sign off and did not draft it (403); it is a draft (422); nobody
    saved it since the signer reviewed `revision` (409); `confirm` repeats its name, e.g.
    ``nordic 2026.1`` (422 at ``confirm``); every factor is within reach of its published
    range (422). The previously active version stays stored and readable.
    """
    key = table_key(table_version)
    require(by, can_sign_off_conversion_tables, object_type="conversion_table", object_id=key)
    # Refused here, outside the transaction, so that the refusal's audit row is kept.
    require(by, is_not_a_drafter_of(table_version), object_type="conversion_table", object_id=key)
    with transaction.atomic():
        versions = ConversionTableVersion.objects.select_for_update(of=("self",))
        locked = versions.select_related("created_by").get(pk=table_version.pk)
        if not locked.is_draft:
            raise ValidationError(
                _("Only a draft can be signed off. Copy this version into a draft first."),
                code="table_not_a_draft",
            )
        if not is_not_a_drafter_of(locked)(by):
            raise PermissionDenied  # became a drafter since the check above
        if revision != locked.revision:
            raise StaleVersion(
                _(
                    "The draft was changed after you reviewed it, so it was not signed off. "
                    "Review what changes again."
                )
            )
        if " ".join(str(confirm).split()) != confirmation_text(locked):
            message = _("Type %(name)s exactly to confirm which version you sign off.") % {
                "name": confirmation_text(locked)
            }
            raise ValidationError({"confirm": ValidationError(message, code="not_confirmed")})
        _checked_for_sign_off(locked)
        previous = list(versions.filter(is_active_for_region=True).exclude(pk=locked.pk))
        # The old active row is switched off first: the one-active constraint is not deferred.
        versions.filter(pk__in=[p.pk for p in previous]).update(is_active_for_region=False)
        locked.signed_off_by = by
        locked.signed_off_at = timezone.now()
        locked.is_active_for_region = True
        locked.save(update_fields=["signed_off_by", "signed_off_at", "is_active_for_region"])
        drafted_by = sorted(
            set(locked.draft_steps.values_list("by__username", flat=True))
            | ({locked.created_by.username} if locked.created_by else set())
        )
        _audit(
            by,
            AuditAction.UPDATE,
            locked,
            signed_off=True,
            revision=locked.revision,
            drafted_by=drafted_by,
            replaced=[table_key(p) for p in previous],
        )
        notify(
            clinicians_notified_of_new_tables(),
            kind=NEW_TABLE_NOTICE,
            text=NEW_TABLE_TEXT,
            params={"table": confirmation_text(locked)},
            url=reverse("medication:calculator"),
        )
    return locked


def _checked_for_sign_off(version: ConversionTableVersion) -> None:
    rows = [rule_row(rule) for rule in version.rules.all()]
    try:
        plausible_table_from_rows(table_meta(version), rows)
    except ConversionTableError as error:
        raise ValidationError(
            [
                ValidationError(table_issue_message(issue), code="invalid_conversion_table")
                for issue in error.issues
            ]
        ) from None
