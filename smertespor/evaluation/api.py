"""The evaluation API: measures, screening and forecast (docs/evaluation.md)."""

from ninja import Router

from smertespor.evaluation.forecast_api import router as forecast_router
from smertespor.evaluation.measures_api import add_measure_endpoints
from smertespor.evaluation.screening_api import router as screening_router

router = Router(tags=["evaluation"])
# Measures per practice and region (docs/evaluation.md).
add_measure_endpoints(router)
# The capacity forecast (docs/forecast.md).
router.add_router("", forecast_router)
# Screening of dispensing data (docs/screening.md).
router.add_router("/screening", screening_router)
