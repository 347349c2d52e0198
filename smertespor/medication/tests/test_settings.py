"""The OMEQ warning thresholds are settings (defaults from the domain's data file)."""

import json

from domain.omeq import default_thresholds


def test_the_default_thresholds_come_from_the_domain_data(settings):
    defaults = default_thresholds()
    configured = (settings.OMEQ_REASSESS_MG_PER_DAY, settings.OMEQ_HIGH_MG_PER_DAY)
    assert configured == (defaults.reassess_mg_per_day, defaults.high_mg_per_day)


def test_a_region_may_set_its_own_thresholds(settings, client_for, gp):
    settings.OMEQ_REASSESS_MG_PER_DAY = 20
    settings.OMEQ_HIGH_MG_PER_DAY = 40
    body = {
        "lines": [
            {
                "substance": "morphine",
                "route": "oral",
                "dose": 15,
                "dose_unit": "mg",
                "doses_per_day": 2,
            }
        ]
    }
    answer = client_for(gp).post(
        "/api/omeq", data=json.dumps(body), content_type="application/json"
    )
    assert [w["code"] for w in answer.json()["warnings"]] == ["reassess_dose"]
    assert answer.json()["thresholds"]["high_mg_per_day"] == "40"
