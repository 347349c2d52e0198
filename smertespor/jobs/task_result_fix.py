"""Work around django-tasks 0.9 on Python 3.11: ``TaskResult[T](...)`` fails with
"TypeError: super(type, obj)" when typing sets ``__orig_class__`` on the frozen, slotted
dataclass (RealOrangeOne/django-tasks#202, #223), so no task can be enqueued or run.

The generated ``__setattr__`` of a slotted frozen subclass calls ``super()`` on the class it
was built for, not the slotted copy. Replaced here by one that refuses every assignment with
`FrozenInstanceError` (an AttributeError, which typing ignores, as it meant to); the library
itself sets its fields with ``object.__setattr__``. Remove when django-tasks is fixed.
"""

from dataclasses import FrozenInstanceError
from typing import Any


def _frozen(self: object, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def apply() -> None:
    from django_tasks.backends.database.backend import TaskResult as DatabaseTaskResult
    from django_tasks.base import TaskResult

    for cls in (TaskResult, DatabaseTaskResult):
        cls.__setattr__ = _frozen  # type: ignore[method-assign]
