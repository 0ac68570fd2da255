"""Values for output serializers that write their rows by hand (the busiest reads and writes).

Each function renders a value the way the matching DRF field does, so a hand-written
`to_representation` gives the same dict and JSON bytes as a generic ModelSerializer; the tests
of each such serializer compare both. Building a ModelSerializer's fields by model
introspection costs milliseconds a request, which the deadline rush and the public scenario
pages cannot spare.
"""

from rest_framework import serializers

# DRF's own field formats datetimes (time zone, "Z"). Stateless, so shared by all threads.
_DATETIME = serializers.DateTimeField()


def text(value):
    return None if value is None else str(value)


def integer(value):
    return None if value is None else int(value)


def boolean(value):
    return None if value is None else bool(value)


def choice(value):
    # ChoiceField: the stored value ("" and None as they are); a TextChoices member as its value.
    return value if value in ("", None) else str(value)


def datetime(value):
    return None if value is None else _DATETIME.to_representation(value)
