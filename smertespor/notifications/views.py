"""The notification list: read, open (marks read and follows the link), mark all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smertespor.entry.doors import performs
from smertespor.notifications import actions
from smertespor.notifications.selectors import notifications_for
from smertespor.notifications.services import is_local_url

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "all")
    if show not in {"all", "unread"}:
        show = "all"
    rows = notifications_for(request.user, unread_only=show == "unread")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "show": show})


@login_required
@require_POST
@performs(actions.read_notification)
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = actions.read_notification(user=request.user, notification_id=notification_id)
    if notification.url and is_local_url(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
@performs(actions.read_all_notifications)
def notification_read_all(request: HttpRequest) -> HttpResponse:
    if actions.read_all_notifications(user=request.user):
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")
