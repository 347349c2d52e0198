"""The API lists each coded field's allowed values: the lists are the models' choices."""

from typing import get_args

import pytest

from domain.referral_criteria import Answer, CriterionStatus
from smertespor.referrals import schemas
from smertespor.referrals.models import (
    Event,
    Priority,
    ReferralCommunication,
    RejectionReason,
    Side,
    Status,
    WorkStatus,
)


@pytest.mark.parametrize(
    ("codes", "values"),
    [
        pytest.param(schemas.StatusCode, Status.values, id="status"),
        pytest.param(schemas.EventCode, Event.values, id="event"),
        pytest.param(schemas.PriorityCode, Priority.values, id="priority"),
        pytest.param(schemas.WorkStatusCode, ["", *WorkStatus.values], id="work-status"),
        pytest.param(schemas.RejectionCode, RejectionReason.values, id="rejection"),
        pytest.param(schemas.AnswerCode, [a.value for a in Answer], id="answer"),
        pytest.param(
            schemas.CriterionStatusCode, [s.value for s in CriterionStatus], id="criterion"
        ),
        pytest.param(schemas.SideCode, Side.values, id="side"),
        pytest.param(
            schemas.CommunicationKindCode, ReferralCommunication.Kind.values, id="message-kind"
        ),
    ],
)
def test_each_coded_field_lists_exactly_its_models_choices(codes, values):
    assert set(get_args(codes)) == set(values)
