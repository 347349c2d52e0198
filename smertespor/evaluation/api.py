"""The evaluation API: measures, screening and forecast (docs/evaluation.md)."""

from ninja import Router

router = Router(tags=["evaluation"])
