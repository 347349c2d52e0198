"""Notifications: one per recipient, the unread count in the header, e-mail after commit."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from smertespor.accounts.models import Role
from smertespor.notifications.models import Notification
from smertespor.notifications.selectors import unread_count
from smertespor.notifications.services import mark_all_read, notify, send_notification_emails
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_makes_one_notification_per_active_user(gp, practice_nurse, practice):
    retired = UserFactory.create(role=Role.GP, organisation=practice, is_active=False)

    made = notify([gp, gp, practice_nurse, retired], kind="test", text="Hello", url="/advice/")

    assert {n.recipient for n in made} == {gp, practice_nurse}
    assert unread_count(gp) == 1
    assert unread_count(retired) == 0


def test_a_single_user_can_be_notified(gp):
    notify(gp, kind="test", text="Hello")
    assert Notification.objects.get().recipient == gp


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "advice/"]
)
def test_it_refuses_a_link_outside_smertespor(gp, url):
    with pytest.raises(ValidationError):
        notify(gp, kind="test", text="Hello", url=url)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_it_refuses_an_empty_or_over_long_text(gp, text):
    with pytest.raises(ValidationError):
        notify(gp, kind="test", text=text)


def test_the_text_is_translated_for_each_reader_with_its_parameters(gp):
    notify(gp, kind="test", text="Page %(number)s of %(total)s", params={"number": 1, "total": 2})
    notification = Notification.objects.get()
    with translation.override("da"):
        assert notification.message == "Side 1 af 2"
    with translation.override("en"):
        assert notification.message == "Page 1 of 2"


def test_a_broken_placeholder_still_shows_the_text(gp):
    notify(gp, kind="test", text="Request %(number)s", params={"other": 1})
    assert Notification.objects.get().message == "Request %(number)s"


def test_the_header_shows_the_unread_count(client_for, gp):
    notify(gp, kind="test", text="One")
    notify(gp, kind="test", text="Two")
    body = client_for(gp).get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-notifications"' in body
    assert ">2</span>" in body


def test_the_header_shows_no_badge_without_unread_notifications(client_for, gp):
    body = client_for(gp).get(reverse("notifications:list")).content.decode()
    assert 'data-testid="unread-notifications"' not in body
    assert "Ingen notifikationer endnu" in body  # the UI is Danish by default


def test_the_list_shows_only_the_users_own_notifications(client_for, gp, other_gp):
    notify(gp, kind="test", text="For the GP")
    notify(other_gp, kind="test", text="For the other GP")
    body = client_for(gp).get(reverse("notifications:list")).content.decode()
    assert "For the GP" in body
    assert "For the other GP" not in body


def test_script_in_a_notification_is_shown_as_text(client_for, gp):
    notify(gp, kind="test", text="About %(subject)s", params={"subject": "<script>x()</script>"})
    body = client_for(gp).get(reverse("notifications:list")).content.decode()
    assert "<script>x()</script>" not in body
    assert "&lt;script&gt;x()&lt;/script&gt;" in body


def test_opening_marks_it_read_and_follows_its_link(client_for, gp):
    [notification] = notify(gp, kind="test", text="Hello", url="/advice/")
    response = client_for(gp).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/advice/"
    notification.refresh_from_db()
    assert notification.is_read


def test_opening_another_users_notification_is_not_found(client_for, gp, other_gp):
    [notification] = notify(gp, kind="test", text="Private")
    response = client_for(other_gp).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_the_unread_filter_and_mark_all_read(client_for, gp):
    notify(gp, kind="test", text="Unread one")
    client = client_for(gp)
    assert (
        "Unread one" in client.get(reverse("notifications:list") + "?show=unread").content.decode()
    )

    response = client.post(reverse("notifications:read_all"))

    assert response.status_code == 302
    assert unread_count(gp) == 0
    assert (
        "Ingen ulæste"
        in client.get(reverse("notifications:list") + "?show=unread").content.decode()
    )
    assert mark_all_read(gp) == 0


def test_the_list_needs_a_login(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_e_mail_goes_out_after_commit_to_users_with_an_address(
    gp, practice_nurse, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://smertespor.example"
    gp.email = "gp@example.dk"
    gp.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify([gp, practice_nurse], kind="test", text="Patients", url="/advice/7/")

    assert len(mailoutbox) == 1
    [mail] = mailoutbox
    assert mail.to == ["gp@example.dk"]
    assert mail.subject == "Smertespor: Patienter"  # the site's language (Danish)
    assert "https://smertespor.example/advice/7/" in mail.body
    assert Notification.objects.get(recipient=gp).emailed_at is not None
    assert Notification.objects.get(recipient=practice_nurse).emailed_at is None


def test_no_e_mail_when_the_change_is_rolled_back(
    gp, mailoutbox, django_capture_on_commit_callbacks
):
    gp.email = "gp@example.dk"
    gp.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(gp, kind="test", text="Hello")
    assert len(callbacks) == 1
    assert mailoutbox == []


def test_a_failing_mail_server_is_logged_and_the_notification_kept(gp, settings, caplog):
    settings.EMAIL_BACKEND = "smertespor.notifications.tests.broken_mail.BrokenBackend"
    gp.email = "gp@example.dk"
    gp.save()
    [notification] = notify(gp, kind="test", text="Hello", email=False)

    assert send_notification_emails([notification.pk]) == 0

    assert "Could not send" in caplog.text
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_e_mails_are_sent_once(gp, mailoutbox):
    gp.email = "gp@example.dk"
    gp.save()
    [notification] = notify(gp, kind="test", text="Hello", email=False)
    assert send_notification_emails([notification.pk]) == 1
    assert send_notification_emails([notification.pk]) == 0
    assert len(mailoutbox) == 1


# --- the API: the same actions as the page ---------------------------------------------------


def test_the_api_lists_the_users_own_notifications_in_their_language(client_for, gp, other_gp):
    notify(gp, kind="test", text="Page %(number)s of %(total)s", params={"number": 1, "total": 2})
    notify(other_gp, kind="test", text="For the other GP")
    response = client_for(gp).get("/api/notifications", headers={"accept-language": "da"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["unread"]) == (1, 1)
    assert [item["message"] for item in body["items"]] == ["Side 1 af 2"]


def test_reading_a_notification_through_the_api_marks_it_read(client_for, gp):
    [notification] = notify(gp, kind="test", text="Hello", url="/advice/")
    response = client_for(gp).post(f"/api/notifications/{notification.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert unread_count(gp) == 0


def test_another_users_notification_is_a_404_problem_through_the_api(client_for, gp, other_gp):
    [notification] = notify(gp, kind="test", text="Private")
    response = client_for(other_gp).post(f"/api/notifications/{notification.pk}/read")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert b"Private" not in response.content
    notification.refresh_from_db()
    assert not notification.is_read


def test_read_all_through_the_api_says_how_many_were_unread(client_for, gp, other_gp):
    notify(gp, kind="test", text="One")
    notify(gp, kind="test", text="Two")
    notify(other_gp, kind="test", text="Theirs")
    client = client_for(gp)
    assert client.post("/api/notifications/read-all").json() == {"marked_read": 2}
    assert client.post("/api/notifications/read-all").json() == {"marked_read": 0}
    assert unread_count(other_gp) == 1


def test_the_notifications_api_needs_a_login(client):
    assert client.post("/api/notifications/read-all").status_code == 401
