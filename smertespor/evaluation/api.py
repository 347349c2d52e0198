"""The evaluation API: measures, screening and forecast (docs/evaluation.md)."""

from ninja import Router

router = Router(tags=["evaluation"])

# Screening of dispensing data (docs/screening.md).
from smertespor.evaluation.screening_api import router as screening_router  # noqa: E402

router.add_router("/screening", screening_router)
