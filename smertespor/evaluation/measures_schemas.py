"""API shapes of the measures: figures as text (exact decimals), hidden ones as null."""

from ninja import Schema

from smertespor.entry.schemas import Id


class FigureOut(Schema):
    numerator: str  # people or events above the line, or "< 5" / "*" when hidden
    denominator: str | None
    value: str | None  # exact decimal as text; null when hidden
    hidden: str | None  # "small", "secondary", "denominator" or null


class MeasureFigureOut(Schema):
    code: str
    title: str
    unit: str
    higher_is_better: bool
    region: FigureOut
    practice: FigureOut | None = None


class PracticeOut(Schema):
    id: Id
    name: str


class RegionMeasuresOut(Schema):
    month: str | None  # YYYY-MM; null when nothing is computed yet
    measures: list[MeasureFigureOut]


class PracticeMeasuresOut(Schema):
    month: str | None
    practice: PracticeOut
    measures: list[MeasureFigureOut]
