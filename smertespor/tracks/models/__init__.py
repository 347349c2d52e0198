"""The tracks app's models: courses and their follow-up (`courses`), the handover to the
clinic (`handovers`), what the 3-month rule found and the GP decided (`reviews`), the
hospital track (`hospital`)."""

from smertespor.tracks.models.courses import (
    Actor,
    Alert,
    Course,
    FollowUp,
    GoalKind,
    OmeqSource,
    Status,
    TimelineEvent,
    Track,
)
from smertespor.tracks.models.handovers import Handover
from smertespor.tracks.models.hospital import (
    Appointment,
    DischargeSummary,
    Discipline,
    Intervention,
    NeedsAssessment,
    TeamMember,
)
from smertespor.tracks.models.reviews import RuleReview

__all__ = [
    "Actor",
    "Alert",
    "Appointment",
    "Course",
    "DischargeSummary",
    "Discipline",
    "FollowUp",
    "GoalKind",
    "Handover",
    "Intervention",
    "NeedsAssessment",
    "OmeqSource",
    "RuleReview",
    "Status",
    "TeamMember",
    "TimelineEvent",
    "Track",
]
