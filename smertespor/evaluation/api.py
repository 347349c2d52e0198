"""The evaluation API: measures, screening and forecast (docs/evaluation.md)."""

from ninja import Router

from smertespor.evaluation.forecast_api import router as forecast_router
from smertespor.evaluation.screening_api import router as screening_router

router = Router(tags=["evaluation"])
# The capacity forecast (docs/forecast.md).
router.add_router("", forecast_router)
# Screening of dispensing data (docs/screening.md).
router.add_router("/screening", screening_router)
