"""The API lists each coded field's allowed values: the lists are the models' choices."""

from typing import get_args

import pytest

from smertespor.advice import schemas
from smertespor.advice.categories import CATEGORY_VALUES
from smertespor.advice.models import AdviceMessage, Article, Channel, Outcome, Status, Urgency
from smertespor.documents import ACCEPTED_KINDS


@pytest.mark.parametrize(
    ("codes", "values"),
    [
        pytest.param(schemas.CategoryCode, CATEGORY_VALUES, id="category"),
        pytest.param(schemas.UrgencyCode, Urgency.values, id="urgency"),
        pytest.param(schemas.StatusCode, Status.values, id="status"),
        pytest.param(schemas.ChannelCode, Channel.values, id="channel"),
        pytest.param(schemas.OutcomeCode, Outcome.values, id="outcome"),
        pytest.param(schemas.SideCode, AdviceMessage.Side.values, id="side"),
        pytest.param(schemas.KindCode, AdviceMessage.Kind.values, id="kind"),
        pytest.param(schemas.ArticleStatusCode, Article.Status.values, id="article-status"),
    ],
)
def test_each_coded_field_lists_exactly_its_models_choices(codes, values):
    assert set(get_args(codes)) == set(values)


def test_the_clinic_replies_with_advice_or_a_question_only():
    assert set(get_args(schemas.ReplyKindCode)) == set(get_args(schemas.KindCode)) - {"question"}


def test_attachments_are_the_accepted_document_kinds():
    content_type = schemas.AttachmentOut.model_fields["content_type"].annotation
    assert set(get_args(content_type)) == {kind.content_type for kind in ACCEPTED_KINDS}


@pytest.mark.django_db
def test_the_openapi_schema_lists_the_allowed_values():
    from config.api import api

    schema = api.get_openapi_schema()
    ask = schema["paths"]["/api/advice/requests"]["post"]["requestBody"]["content"]
    for content in ("application/json", "multipart/form-data"):
        category = ask[content]["schema"]["properties"]["category"]
        assert set(category["enum"]) == set(CATEGORY_VALUES)
    assert "attachments" in ask["multipart/form-data"]["schema"]["properties"]
