"""The categories of advice requests and articles: the teaching app's shared topics.

One list for both, so a practice's questions point to a teaching session. Advice offers the
issue's six (taper strategy, switching or conversion, withdrawal, addiction or psychiatric
comorbidity, alternatives to opioids, other); the low back pain pathway is teaching's own.
"""

from smertespor.teaching.topics import Topic

ADVICE_TOPICS = [topic for topic in Topic if topic != Topic.LOW_BACK_PAIN]
CATEGORY_CHOICES = [(topic.value, topic.label) for topic in ADVICE_TOPICS]
CATEGORY_VALUES = frozenset(topic.value for topic in ADVICE_TOPICS)


def category_label(value: str) -> str:
    return str(Topic(value).label) if value in CATEGORY_VALUES else value
