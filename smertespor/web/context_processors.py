"""The navigation and the header's notification badge, for every page that draws them.

Both are given to the template as a function it calls when it shows them (Django's
templates call a callable variable), each answer kept for the request: a partial page
(an htmx preview, a search's results) draws no header and so asks nothing.
"""

from functools import cache
from typing import Any

from django.http import HttpRequest

from smertespor.web.navigation import nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    @cache
    def nav_items() -> list[dict[str, Any]]:
        path = request.path
        items = []
        for item in nav_items_for(getattr(request, "user", None)):
            url = item.url  # a reverse() each time it is read: once an item
            items.append({"label": item.label, "url": url, "active": _is_active(path, url)})
        return items

    return {"nav_items": nav_items}


def _is_active(path: str, url: str) -> bool:
    """The front page ("/") is active only on itself; any other item on its pages too."""
    return path == url if url == "/" else path.startswith(url)
