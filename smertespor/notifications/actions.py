"""The notification operations, written once for the pages and the API: a user reads their
own notifications only (another user's is 404, as if it did not exist)."""

from __future__ import annotations

from smertespor.accounts.models import Requester
from smertespor.notifications import services
from smertespor.notifications.models import Notification
from smertespor.notifications.selectors import notification_of


def read_notification(*, user: Requester, notification_id: object) -> Notification:
    """Mark one of the user's notifications read (opening it does the same)."""
    return services.mark_read(notification_of(user, notification_id))


def read_all_notifications(*, user: Requester) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    return services.mark_all_read(user)
