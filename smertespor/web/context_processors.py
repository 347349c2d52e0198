from typing import Any

from django.http import HttpRequest

from smertespor.web.navigation import nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    path = request.path
    items = [
        {"label": item.label, "url": item.url, "active": _is_active(path, item.url)}
        for item in nav_items_for(getattr(request, "user", None))
    ]
    return {"nav_items": items}


def _is_active(path: str, url: str) -> bool:
    """The front page ("/") is active only on itself; any other item on its pages too."""
    return path == url if url == "/" else path.startswith(url)
