"""Two people changing the same medication line: the stale save is refused, never a revert.

The finding (issue 12): two forms opened at version N; the first saves; the second used to
save too and put the old dose back (history 2 → 3 → 2, no warning). The API PATCH had no
version either.
"""

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smertespor.medication import services
from smertespor.medication.models import MedicationLine, OmeqSnapshot
from smertespor.medication.tests.factories import MedicationLineFactory
from smertespor.versions import StaleVersion


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def line(patient):
    return MedicationLineFactory.create(patient=patient)


def _opened(client, url):
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def test_a_stale_change_form_is_refused_with_409_and_shows_the_other_users_change(
    client_for, gp, practice_nurse, patient, line, medication_url
):
    first, second = client_for(gp), client_for(practice_nurse)
    url = medication_url("change_line", patient.pk, line.pk)
    opened_by_first, opened_by_second = _opened(first, url), _opened(second, url)
    assert opened_by_first["version"] == opened_by_second["version"] == 1

    assert first.post(url, {**opened_by_first, "doses_per_day": "3"}).status_code == 302
    history = line.history.count()
    snapshots = OmeqSnapshot.objects.count()

    refused = second.post(url, {**opened_by_second, "note": "Tages med mad"})

    assert refused.status_code == 409
    line.refresh_from_db()
    assert (line.doses_per_day, line.note, line.version) == (Decimal(3), "", 2)
    assert line.history.count() == history
    assert OmeqSnapshot.objects.count() == snapshots
    form = refused.context["form"]
    rows = {change.label: (change.yours, change.current) for change in form.stale_changes}
    assert rows == {"Doser pr. døgn": ("2", "3"), "Bemærkning": ("Tages med mad", "—")}
    body = refused.content.decode()
    assert 'data-testid="stale-changes"' in body
    # Re-applying is one click: the user's values on the current version.
    assert form["note"].value() == "Tages med mad"
    assert 'type="hidden" name="version" value="2"' in body
    again = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    assert second.post(url, again).status_code == 302
    line.refresh_from_db()
    assert (line.doses_per_day, line.note, line.version) == (Decimal(2), "Tages med mad", 3)


def test_a_stale_end_form_is_refused_with_409(
    client_for, gp, practice_nurse, patient, line, medication_url
):
    change_url = medication_url("change_line", patient.pk, line.pk)
    end_url = medication_url("end_line", patient.pk, line.pk)
    opened = _opened(client_for(practice_nurse), end_url)
    client_for(gp).post(change_url, {**_opened(client_for(gp), change_url), "doses_per_day": "3"})

    refused = client_for(practice_nurse).post(end_url, {**opened, "reason": "Stoppet"})

    assert refused.status_code == 409
    line.refresh_from_db()
    assert (line.ended_on, line.version) == (None, 2)


def test_a_stale_patch_is_409_and_changes_nothing(client_for, gp, practice_nurse, patient, line):
    first, second = client_for(gp), client_for(practice_nurse)
    path = f"/api/patients/{patient.pk}/medication/{line.pk}"
    tag_first, tag_second = first.get(path)["ETag"], second.get(path)["ETag"]
    assert tag_first == tag_second == '"1"'

    saved = first.patch(
        path, json.dumps({"doses_per_day": 3}), "application/json", headers={"If-Match": tag_first}
    )
    assert saved.status_code == 200
    assert saved["ETag"] == '"2"'
    history = line.history.count()

    refused = second.patch(
        path, json.dumps({"doses_per_day": 2}), "application/json", headers={"If-Match": tag_second}
    )
    ended = second.post(f"{path}/end", "{}", "application/json", headers={"If-Match": tag_second})

    for response in (refused, ended):
        assert response.status_code == 409
        assert response["Content-Type"].startswith("application/problem+json")
    line.refresh_from_db()
    assert (line.doses_per_day, line.ended_on, line.version) == (Decimal(3), None, 2)
    assert line.history.count() == history


def test_a_change_or_end_without_if_match_is_428_and_changes_nothing(client_for, gp, patient, line):
    path = f"/api/patients/{patient.pk}/medication/{line.pk}"
    client = client_for(gp)
    responses = [
        client.patch(path, json.dumps({"doses_per_day": 3}), "application/json"),
        client.post(f"{path}/end", "{}", "application/json"),
    ]
    assert [r.status_code for r in responses] == [428, 428]
    line.refresh_from_db()
    assert (line.doses_per_day, line.ended_on, line.version) == (Decimal(2), None, 1)


def test_the_line_s_etag_round_trips_and_its_body_names_the_version(client_for, gp, patient, line):
    client = client_for(gp)
    path = f"/api/patients/{patient.pk}/medication/{line.pk}"
    got = client.get(path)
    assert (got["ETag"], got.json()["version"], got.json()["id"]) == ('"1"', 1, line.pk)
    changed = client.patch(
        path, json.dumps({"note": "a"}), "application/json", headers={"If-Match": got["ETag"]}
    )
    assert changed["ETag"] == '"2"'
    [listed] = changed.json()["lines"]
    assert listed["version"] == 2
    assert client.get(path)["ETag"] == changed["ETag"]
    ended = client.post(
        f"{path}/end", "{}", "application/json", headers={"If-Match": changed["ETag"]}
    )
    assert ended["ETag"] == '"3"'
    history = client.get(f"/api/patients/{patient.pk}/medication/history").json()
    assert [v["version"] for v in history] == [3, 2, 1]


def test_every_service_write_raises_the_version_by_one(gp, patient, line):
    writes: list[dict[str, Any]] = [
        {"doses_per_day": Decimal(3)},
        {"units_per_dose": Decimal(2)},
        {"note": "Tages om morgenen"},
        {"indication": MedicationLine.Indication.SUBSTITUTION},
        {"start_date": datetime.date(2025, 2, 1)},
        {"strength": Decimal(60)},
    ]
    seen = [line.version]
    for changes in writes:
        changed = services.change_medication_line(
            line=line, by=gp, expected_version=seen[-1], **changes
        )
        assert changed.version == MedicationLine.objects.get(pk=line.pk).version == seen[-1] + 1
        seen.append(changed.version)
    ended = services.end_medication_line(line=line, by=gp, expected_version=seen[-1])
    seen.append(ended.version)
    assert seen == list(range(1, len(writes) + 3))
    assert [h.version for h in line.history.order_by("history_date")] == seen
    with pytest.raises(StaleVersion):
        services.change_medication_line(line=line, by=gp, expected_version=1, note="late")
