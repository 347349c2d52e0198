"""The evaluation API: measures, screening and forecast (docs/evaluation.md)."""

from ninja import Router

from smertespor.evaluation.measures_api import add_measure_endpoints

router = Router(tags=["evaluation"])

add_measure_endpoints(router)
