"""The words for teaching's coded values: the teaching-need measures (``domain.teaching_need``)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from domain.teaching_need import Measure

# In the order the need page shows them.
MEASURE_LABELS: dict[Measure, Promise] = {
    Measure.PATIENTS: _("Patients in Smertespor"),
    Measure.PRACTICE_TRACK_PATIENTS: _("In a practice-track course"),
    Measure.HOSPITAL_HANDOVERS: _("Handed over to the hospital track"),
    Measure.ADVICE_REQUESTS: _("Advice requests"),
    Measure.HIGH_DOSE_SHARE: _("Share at high dose"),
}
