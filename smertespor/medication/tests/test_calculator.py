"""The stand-alone OMEQ calculator and its side-by-side view of every table."""

from urllib.parse import urlencode

import pytest

from smertespor.audit.models import AuditEvent


def query(table_pk, *lines, total=None):
    data = {
        "table": str(table_pk),
        "line-TOTAL_FORMS": str(total or max(len(lines), 1)),
        "line-INITIAL_FORMS": "0",
        "line-MIN_NUM_FORMS": "0",
        "line-MAX_NUM_FORMS": "12",
    }
    for index, fields in enumerate(lines):
        data.update({f"line-{index}-{name}": value for name, value in fields.items()})
        data.setdefault(f"line-{index}-indication", "pain")
        data.setdefault(f"line-{index}-dose_unit", "mg")
    return "?" + urlencode(data)


OXYCODONE = {"substance": "oxycodone", "route": "oral", "dose": "10", "doses_per_day": "2"}
KETOGAN = {"product_strength": "ketobemidone-tablet@5", "units_per_dose": "1", "doses_per_day": "3"}


@pytest.fixture
def gp_client(client_for, gp):
    return client_for(gp)


def test_the_empty_calculator_offers_the_active_table_first(gp_client, medication_url):
    response = gp_client.get(medication_url("calculator"))
    assert response.status_code == 200
    choices = response.context["form"].fields["table"].choices
    assert choices[0][1].startswith("nordic")


def test_the_calculator_shows_the_result_and_its_working(gp_client, medication_url, builtin_table):
    url = medication_url("calculator") + query(builtin_table("cdc-2022").pk, OXYCODONE)
    page = gp_client.get(url).content.decode()
    assert 'data-testid="omeq-scheduled">30 mg' in page
    assert "cdc-2022" in page and "× 1,5" in page  # the factor, in Danish number format


def test_a_product_line_and_a_substance_line_can_be_mixed(gp_client, medication_url, builtin_table):
    url = medication_url("calculator") + query(builtin_table("nordic").pk, OXYCODONE, KETOGAN)
    evaluation = gp_client.get(url).context["evaluation"]
    assert evaluation.result.scheduled_mg_per_day == 30 + 15


def test_an_unconvertible_line_is_shown_next_to_that_line(gp_client, medication_url, builtin_table):
    url = medication_url("calculator") + query(builtin_table("cdc-2022").pk, OXYCODONE, KETOGAN)
    response = gp_client.get(url)
    assert response.status_code == 422  # as POST /api/omeq answers the same regimen
    assert response.context["evaluation"] is None
    forms = response.context["formset"].forms
    assert forms[0].errors == {}
    assert "ketobemidon" in str(forms[1].errors["product_strength"])  # da: ketobemidon


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({**OXYCODONE, "dose": "-10"}, "dose"),
        ({**OXYCODONE, "dose_unit": "mcg/h"}, "dose_unit"),
        ({**OXYCODONE, "substance": "paracetamol"}, "substance"),
        ({**OXYCODONE, "route": "transdermal", "dose_unit": "mcg/h"}, "route"),
        ({**KETOGAN, "units_per_dose": "0.5"}, "units_per_dose"),
        ({"product_strength": "ketobemidone-tablet@7", "doses_per_day": "1"}, "product_strength"),
    ],
)
def test_bad_lines_get_a_reason_at_the_field(gp_client, medication_url, builtin_table, line, field):
    url = medication_url("calculator") + query(builtin_table("nordic").pk, line)
    response = gp_client.get(url)
    assert response.status_code == 422
    form = response.context["formset"].forms[0]
    assert form.errors.get(field), form.errors


def test_more_lines_adds_empty_lines_without_calculating(gp_client, medication_url, builtin_table):
    url = medication_url("calculator") + query(builtin_table("nordic").pk, OXYCODONE) + "&more=1"
    response = gp_client.get(url)
    assert len(response.context["formset"].forms) == 3
    assert response.context["evaluation"] is None


def test_the_side_by_side_view_shows_every_table_and_why_one_cannot_convert(
    gp_client, medication_url, builtin_table
):
    url = medication_url("calculator_compare") + query(
        builtin_table("nordic").pk, OXYCODONE, KETOGAN
    )
    response = gp_client.get(url)
    evaluations = {e.table.id: e for e in response.context["evaluations"]}
    assert evaluations["nordic"].result.scheduled_mg_per_day == 45
    assert evaluations["cdc-2022"].result is None
    page = response.content.decode()
    assert "does not list" in page or "ikke" in page


def test_the_calculator_writes_no_audit_row(gp_client, medication_url, builtin_table):
    before = AuditEvent.objects.count()
    gp_client.get(medication_url("calculator") + query(builtin_table("nordic").pk, OXYCODONE))
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("persona", ["planner", "admin_user"])
@pytest.mark.parametrize("page", ["calculator", "calculator_compare"])
def test_planners_and_administrators_are_refused(
    request, client_for, medication_url, persona, page
):
    response = client_for(request.getfixturevalue(persona)).get(medication_url(page))
    assert response.status_code == 403


def test_a_clinic_nurse_may_use_the_calculator(client_for, clinic_nurse, medication_url):
    assert client_for(clinic_nurse).get(medication_url("calculator")).status_code == 200


@pytest.mark.parametrize("view", ["calculator", "calculator_compare"])
def test_an_absurd_line_count_is_refused_without_building_the_forms(
    gp_client, medication_url, builtin_table, view
):
    # Issue 12: TOTAL_FORMS=100000 built 1,012 forms (13 s, 14.7 MB) before max_num applied.
    url = medication_url(view) + query(builtin_table("nordic").pk, OXYCODONE, total=100000)
    response = gp_client.get(url, headers={"accept-language": "da"})
    formset = response.context["formset"]
    assert response.status_code == 422
    assert len(formset.forms) <= 12
    assert formset.non_form_errors() == ["Indsend venligst højst 12 formularer."]


def test_an_absurd_line_count_with_more_still_shows_at_most_twelve_lines(
    gp_client, medication_url, builtin_table
):
    url = medication_url("calculator") + query(builtin_table("nordic").pk, total=100000)
    response = gp_client.get(url + "&more=1")
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 12
