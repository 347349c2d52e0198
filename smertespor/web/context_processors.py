from typing import Any

from django.http import HttpRequest

from smertespor.web.navigation import nav_items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    path = request.path
    items = [
        {"label": item.label, "url": item.url, "active": path.startswith(item.url)}
        for item in nav_items_for(getattr(request, "user", None))
    ]
    return {"nav_items": items}
