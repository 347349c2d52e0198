import re

import pytest
from django.contrib.auth.models import Permission

from smertespor.web.navigation import nav_items_for


def _labels(user):
    return [item.url_name for item in nav_items_for(user)]


@pytest.mark.django_db
def test_a_clinician_who_may_sign_off_tables_finds_them_in_the_menu(clinic_doctor):
    assert "medication:tables" not in _labels(clinic_doctor)
    clinic_doctor.user_permissions.add(Permission.objects.get(codename="sign_off_conversion_table"))
    clinic_doctor = type(clinic_doctor).objects.get(pk=clinic_doctor.pk)  # fresh perm cache
    assert "medication:tables" in _labels(clinic_doctor)


@pytest.mark.django_db
def test_administrators_find_the_tables_and_planners_do_not(admin_user, planner):
    assert "medication:tables" in _labels(admin_user)
    assert "medication:tables" not in _labels(planner)


@pytest.mark.django_db
def test_administrators_find_role_changes_and_clinicians_do_not(admin_user, gp):
    assert "accounts:role_requests" in _labels(admin_user)
    assert "accounts:role_requests" not in _labels(gp)


def _sql_of(client, method: str, url: str, **kwargs) -> tuple[str, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode(), "\n".join(q["sql"] for q in captured.captured_queries)


@pytest.mark.django_db
def test_a_partial_page_asks_nothing_for_the_header_it_does_not_draw(gp, patient, client_for):
    """An htmx search's results draw no menu and no badge, so neither is read; the full page
    reads the badge's count once though it shows it in two places."""
    from django.utils.timezone import now

    from smertespor.notifications.models import Notification

    Notification.objects.create(recipient=gp, kind="advice_answered", text="Svar", created_at=now())
    client = client_for(gp)
    partial, partial_sql = _sql_of(
        client, "post", "/patients/search/", data={"query": patient.name}, HTTP_HX_REQUEST="true"
    )
    assert patient.name in partial and "<nav" not in partial
    assert "notifications_notification" not in partial_sql
    assert "auth_permission" not in partial_sql
    page, page_sql = _sql_of(client, "get", "/notifications/")
    assert 'data-testid="unread-notifications"' in page and 'href="/patients/"' in page
    unread_count = re.compile(
        r'COUNT\(\*\) AS "__count" FROM "notifications_notification" WHERE \(\S+ IS NULL AND'
    )
    assert len(unread_count.findall(page_sql)) == 1
