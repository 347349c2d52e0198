"""The evaluation API: measures, screening and forecast (docs/evaluation.md)."""

from ninja import Router

router = Router(tags=["evaluation"])

# The capacity forecast (docs/forecast.md).
from smertespor.evaluation.forecast_api import router as forecast_router  # noqa: E402

router.add_router("", forecast_router)
