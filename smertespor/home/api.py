"""The home page's twin: `GET /api/home`, the same sections as "I dag" for the same roles,
logged as the page is (`home.selectors.home_for`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ninja import Router

from smertespor.accounts.requests import SignedInRequest
from smertespor.entry.rules import requires
from smertespor.home.permissions import has_a_home
from smertespor.home.schemas import HomeOut
from smertespor.home.selectors import home_for

router = Router(tags=["home"])


@router.get("", response=HomeOut, url_name="home")
@requires(has_a_home)
def home(request: SignedInRequest) -> dict[str, Any]:
    """Your work of today, by section: each with its count, its first rows and a link to all."""
    found = home_for(request.user)
    return {"today": found.today, "sections": [asdict(section) for section in found.sections]}
