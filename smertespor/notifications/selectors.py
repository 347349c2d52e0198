"""Reads of a user's notifications. Every read is scoped to the recipient."""

from django.db.models import QuerySet
from django.http import Http404

from smertespor.accounts.models import Requester, User
from smertespor.notifications.models import Notification


def notifications_for(user: Requester, *, unread_only: bool = False) -> QuerySet[Notification]:
    if not isinstance(user, User):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(user: Requester) -> int:
    if not isinstance(user, User):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_of(user: Requester, notification_id: object) -> Notification:
    """One of `user`'s own notifications, or 404 (another user's is never shown)."""
    try:
        pk = int(str(notification_id))
    except ValueError:
        raise Http404 from None
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification
