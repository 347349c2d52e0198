"""Conversion tables in the database: the shipped ones, copies, edits, sign-off."""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from domain.omeq import load_builtin_tables
from smertespor.audit.models import AuditEvent
from smertespor.medication.forms import rule_initial
from smertespor.medication.models import ConversionRule, ConversionTableVersion, OmeqSnapshot
from smertespor.medication.services import record_omeq_snapshot
from smertespor.medication.table_rows import table_from_version
from smertespor.medication.table_selectors import active_table_version
from smertespor.medication.table_services import (
    BuiltinTableChanged,
    TableEditError,
    copy_conversion_table,
    edit_draft_table,
    install_builtin_tables,
)
from smertespor.medication.tests.factories import MedicationLineFactory, sign_off


@pytest.fixture
def draft(admin_user, builtin_table):
    return copy_conversion_table(
        source=builtin_table("cdc-2022"), by=admin_user, table_id="cdc-2022", version="2022.1-r1"
    )


def rows_of(version):
    return table_from_version(version).to_rows()


@pytest.mark.parametrize("table_id", sorted(load_builtin_tables()))
def test_every_shipped_table_is_stored_exactly_as_its_data_file(builtin_table, table_id):
    assert table_from_version(builtin_table(table_id)) == load_builtin_tables()[table_id]


def test_installing_the_shipped_tables_again_changes_nothing(db):
    before = ConversionRule.objects.count()
    assert install_builtin_tables() == []
    assert ConversionRule.objects.count() == before


def test_a_shipped_table_changed_without_a_new_version_is_refused(builtin_table):
    rule = builtin_table("cdc-2022").rules.get(substance="oxycodone")
    rule.factor = 2
    rule.save()
    with pytest.raises(BuiltinTableChanged):
        install_builtin_tables()


def test_without_a_signed_off_table_the_default_is_nordic(db):
    version = active_table_version()
    assert (version.table_id, version.origin) == ("nordic", "builtin")
    assert "ketobemidone" in table_from_version(version).substances


def test_an_administrator_copies_a_table_into_a_draft(draft, admin_user, builtin_table):
    assert draft.is_draft and draft.copied_from == builtin_table("cdc-2022")
    assert draft.created_by == admin_user
    assert rows_of(draft)[1] == rows_of(builtin_table("cdc-2022"))[1]
    row = AuditEvent.objects.latest("sequence")
    assert (row.action, row.object_type, row.object_id) == (
        "create",
        "conversion_table",
        "cdc-2022@2022.1-r1",
    )


def test_a_copy_needs_a_new_version(admin_user, builtin_table):
    with pytest.raises(ValidationError):
        copy_conversion_table(
            source=builtin_table("cdc-2022"), by=admin_user, table_id="cdc-2022", version="2022.1"
        )


def _edited_rows(version, **changes):
    meta, rows = rows_of(version)
    for row in rows:
        if row["substance"] == "tramadol":
            row.update(changes)
    return meta, rows


def test_an_administrator_edits_a_drafts_factor(draft, admin_user):
    meta, rows = _edited_rows(draft, factor="0.15")
    edit_draft_table(table_version=draft, by=admin_user, meta=meta, rows=rows)
    assert draft.rules.get(substance="tramadol").factor == Decimal("0.15")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"factor": "-1"}, id="negative"),
        pytest.param({"factor": "0"}, id="zero"),
        pytest.param({"factor": "abc"}, id="not-a-number"),
        pytest.param({"factor": 0.2}, id="a-float"),
        pytest.param({"per_unit": "mcg/h"}, id="patch-unit-on-a-tablet"),
        pytest.param({"route": "oral", "substance": "oxycodone"}, id="duplicate"),
    ],
)
def test_an_invalid_factor_edit_is_refused_and_nothing_is_saved(draft, admin_user, changes):
    before = rows_of(draft)
    meta, rows = _edited_rows(draft, **changes)
    with pytest.raises(TableEditError) as refused:
        edit_draft_table(table_version=draft, by=admin_user, meta=meta, rows=rows)
    assert refused.value.row_errors
    assert rows_of(draft) == before


def test_a_shipped_or_signed_off_version_cannot_be_edited(admin_user, builtin_table):
    version = builtin_table("nordic")
    with pytest.raises(ValidationError):
        edit_draft_table(table_version=version, by=admin_user, meta={}, rows=rows_of(version)[1])


def test_signing_off_makes_one_active_table_and_keeps_the_old_one_readable(
    draft, admin_user, other_admin, builtin_table
):
    nordic_copy = copy_conversion_table(
        source=builtin_table("nordic"), by=admin_user, table_id="nordic", version="2022.1-r1"
    )
    first = sign_off(nordic_copy, other_admin)
    assert active_table_version() == first
    signed = sign_off(draft, other_admin)
    assert (signed.signed_off_by, signed.is_active_for_region) == (other_admin, True)
    assert signed.signed_off_at is not None
    assert active_table_version() == signed
    assert ConversionTableVersion.objects.filter(is_active_for_region=True).count() == 1
    first.refresh_from_db()
    assert first.signed_off_at is not None and not first.is_active_for_region
    assert table_from_version(first).rules == load_builtin_tables()["nordic"].rules


def test_the_database_allows_only_one_active_table(admin_user, builtin_table):
    now = timezone.now()
    for table_id in ("nordic", "cdc-2022"):
        ConversionTableVersion.objects.filter(table_id=table_id).update(
            signed_off_at=now, signed_off_by=admin_user
        )
    builtin_table("nordic").__class__.objects.filter(table_id="nordic").update(
        is_active_for_region=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversionTableVersion.objects.filter(table_id="cdc-2022").update(is_active_for_region=True)


def test_the_database_refuses_an_active_table_nobody_signed_off(builtin_table):
    with pytest.raises(IntegrityError), transaction.atomic():
        ConversionTableVersion.objects.filter(table_id="nordic").update(is_active_for_region=True)


def test_a_stored_omeq_names_the_table_version_that_produced_it(draft, other_admin, gp, patient):
    MedicationLineFactory.create(patient=patient, product_id="tramadol-depot-tablet", strength=100)
    before = record_omeq_snapshot(patient=patient, by=gp)
    sign_off(draft, other_admin)
    after = record_omeq_snapshot(patient=patient, by=gp)
    assert (before.table_id, before.table_version, before.max_mg_per_day) == (
        "nordic",
        "2022.1",
        Decimal(30),
    )
    assert (after.table_id, after.table_version, after.max_mg_per_day) == (
        "cdc-2022",
        "2022.1-r1",
        Decimal(40),
    )
    assert OmeqSnapshot.objects.get(pk=before.pk).conversion_table.table_id == "nordic"


def test_only_an_administrator_manages_tables(gp, draft):
    with pytest.raises(PermissionDenied):
        copy_conversion_table(source=draft, by=gp, table_id="x", version="1")
    with pytest.raises(PermissionDenied):
        sign_off(draft, gp)


# --- the administrators' pages ----------------------------------------------------------


def _formset_data(version, changes=None):
    data = {
        "title": version.title,
        "source": version.source,
        "published": version.published.isoformat(),
        "note": version.note,
        "rule-TOTAL_FORMS": str(version.rules.count()),
        "rule-INITIAL_FORMS": str(version.rules.count()),
        "rule-MIN_NUM_FORMS": "0",
        "rule-MAX_NUM_FORMS": "1000",
    }
    for index, rule in enumerate(version.rules.all()):
        for name, value in rule_initial(rule).items():
            data[f"rule-{index}-{name}"] = "" if value is None else str(value)
    data.update(changes or {})
    return data


def _row_of(version, substance):
    return [r.substance for r in version.rules.all()].index(substance)


def test_the_table_pages_copy_edit_and_sign_off(
    client_for, admin_user, other_admin, builtin_table, medication_url
):
    client = client_for(admin_user)
    nordic = builtin_table("nordic")
    assert "ketobemidone" in client.get(medication_url("table_detail", nordic.pk)).content.decode()
    response = client.post(
        medication_url("table_copy", nordic.pk), {"table_id": "nordic", "version": "2026.1"}
    )
    copy = ConversionTableVersion.objects.get(version="2026.1")
    assert response["Location"] == medication_url("table_edit", copy.pk)
    row = _row_of(copy, "tramadol")
    response = client.post(
        medication_url("table_edit", copy.pk), _formset_data(copy, {f"rule-{row}-factor": "0,2"})
    )
    assert response.status_code == 302
    assert str(copy.rules.get(substance="tramadol").factor) == "0.200000"
    signer = client_for(other_admin)
    confirm = {"confirm": "nordic 2026.1", "revision": "1"}
    assert signer.post(medication_url("table_sign_off", copy.pk), confirm).status_code == 302
    assert active_table_version() == copy
    listing = client.get(medication_url("tables")).content.decode()
    assert "2026.1" in listing and "2022.1" in listing


def test_an_invalid_edit_on_the_page_is_shown_at_its_row_and_nothing_saved(
    client_for, admin_user, draft, medication_url
):
    row = _row_of(draft, "tramadol")
    data = _formset_data(draft, {f"rule-{row}-per_unit": "mcg/h"})
    response = client_for(admin_user).post(medication_url("table_edit", draft.pk), data)
    assert response.status_code == 422
    form = response.context["rules"].forms[row]
    assert form.non_field_errors()
    assert draft.rules.get(substance="tramadol").per_unit == "mg"


def test_a_copy_under_a_taken_version_is_refused_on_the_page_with_422(
    client_for, admin_user, builtin_table, medication_url
):
    nordic = builtin_table("nordic")
    response = client_for(admin_user).post(
        medication_url("table_copy", nordic.pk), {"table_id": "nordic", "version": "2022.1"}
    )
    assert response.status_code == 422
    assert response.context["copy_form"].errors
    assert ConversionTableVersion.objects.filter(table_id="nordic").count() == 1


def test_a_table_that_no_longer_checks_out_is_not_signed_off_on_the_page(
    client_for, other_admin, draft, medication_url
):
    draft.rules.filter(substance="tramadol").update(factor=-1)
    confirm = {"confirm": "cdc-2022 2022.1-r1", "revision": "0"}
    response = client_for(other_admin).post(medication_url("table_sign_off", draft.pk), confirm)
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


def test_editing_a_shipped_table_page_redirects_to_copy_it(
    client_for, admin_user, builtin_table, medication_url
):
    nordic = builtin_table("nordic")
    response = client_for(admin_user).get(medication_url("table_edit", nordic.pk))
    assert response["Location"] == medication_url("table_detail", nordic.pk)


@pytest.mark.parametrize("persona", ["gp", "planner", "clinic_nurse"])
def test_the_table_pages_refuse_everyone_but_administrators(
    request, client_for, builtin_table, medication_url, persona
):
    client = client_for(request.getfixturevalue(persona))
    nordic = builtin_table("nordic")
    assert client.get(medication_url("tables")).status_code == 403
    assert client.post(medication_url("table_sign_off", nordic.pk)).status_code == 403
    assert not ConversionTableVersion.objects.filter(is_active_for_region=True).exists()


def test_old_versions_stay_readable_after_a_new_sign_off(
    client_for, admin_user, other_admin, draft, builtin_table, medication_url
):
    sign_off(draft, other_admin)
    page = client_for(admin_user).get(medication_url("table_detail", builtin_table("cdc-2022").pk))
    assert page.status_code == 200
    assert "1,5" in page.content.decode() or "1.5" in page.content.decode()


def test_the_published_date_is_kept(draft):
    assert draft.published == datetime.date(2022, 11, 4)


# --- the editor as a browser submits it (issue 11: it could not be saved at all) ----------


class _BrowserForm(HTMLParser):
    """What a browser submits for the page's form: every input, textarea and select as
    rendered (a select without a selected option sends its first option)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button"}:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            else:
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if self._first is None:
                self._first = value
                self.data.setdefault(self._select, value)
            if "selected" in a:
                self.data[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data.removeprefix("\n")


def browser_form(html: str) -> dict[str, str]:
    form = _BrowserForm()
    form.feed(html)
    form.data.pop("csrfmiddlewaretoken", None)
    return form.data


def row_prefix(data: dict[str, str], substance: str) -> str:
    return next(k.removesuffix("-substance") for k, v in data.items() if v == substance)


def test_the_editor_saves_with_its_blank_extra_row(client_for, admin_user, draft, medication_url):
    client = client_for(admin_user)
    page = client.get(medication_url("table_edit", draft.pk))
    data = browser_form(page.content.decode())
    extra = int(data["rule-TOTAL_FORMS"]) - 1
    assert data[f"rule-{extra}-substance"] == ""
    assert (data[f"rule-{extra}-route"], data[f"rule-{extra}-kind"]) == ("", "")
    data[f"{row_prefix(data, 'tramadol')}-factor"] = "0,2"
    response = client.post(medication_url("table_edit", draft.pk), data)
    assert response.status_code == 302, response.context and response.context["rules"].errors
    assert draft.rules.get(substance="tramadol").factor == Decimal("0.2")
    assert draft.rules.count() == len(table_from_version(draft).rules)


def test_the_editors_blank_row_adds_a_rule_when_filled_in(
    client_for, admin_user, draft, medication_url
):
    # cdc-2022 has no rectal codeine; the Norwegian source row 'Kodein, oral/rektal' has one.
    cdc = draft
    client = client_for(admin_user)
    data = browser_form(client.get(medication_url("table_edit", cdc.pk)).content.decode())
    extra = f"rule-{int(data['rule-TOTAL_FORMS']) - 1}"
    data.update(
        {
            f"{extra}-substance": "codeine",
            f"{extra}-route": "rectal",
            f"{extra}-kind": "linear",
            f"{extra}-factor": "0,1",
            f"{extra}-per_unit": "mg",
        }
    )
    assert client.post(medication_url("table_edit", cdc.pk), data).status_code == 302
    assert cdc.rules.get(substance="codeine", route="rectal").factor == Decimal("0.1")
