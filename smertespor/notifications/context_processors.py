from functools import cache
from typing import Any

from django.http import HttpRequest

from smertespor.notifications.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's badge: how many of the user's notifications are unread (one query, made
    when a template shows it: a partial page without the header asks nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_notification_count() -> int:
        return unread_count(user)

    return {"unread_notification_count": unread_notification_count}
