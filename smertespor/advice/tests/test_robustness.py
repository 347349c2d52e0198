"""Odd ids and methods get a 4xx, never a 500."""

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 23


@pytest.mark.parametrize(
    "url",
    [
        f"/advice/{HUGE}/",
        f"/advice/articles/{HUGE}/",
        f"/advice/attachments/{HUGE}/",
        f"/api/advice/requests/{HUGE}",
        f"/api/advice/articles/{HUGE}",
    ],
)
def test_an_id_beyond_any_database_integer_is_not_found(client_for, gp, url):
    assert client_for(gp).get(url).status_code in (404, 422)


def test_opening_a_notification_that_does_not_exist_is_not_found(client_for, gp):
    assert client_for(gp).post(f"/notifications/{HUGE}/open/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/advice/1/reply/", "/advice/1/assign/", "/advice/articles/1/approve/"]
)
def test_a_get_to_a_post_only_page_is_refused(client_for, gp, url):
    assert client_for(gp).get(url).status_code in (403, 405)
