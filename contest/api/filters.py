from django import forms
from django_filters import rest_framework as filters

from config.api import ID_INVALID, MAX_ID, parse_id
from contest.enums import ScenarioStatus


class IdField(forms.Field):
    """ASCII digits from 1 to MAX_ID, the one id rule of `config.api.parse_id`."""

    default_error_messages = {"invalid": ID_INVALID}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(str(value))
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"max": MAX_ID})
        return number


class IdFilter(filters.Filter):
    """A filter on a foreign key; anything but a plausible id is a 400, never a driver overflow."""

    field_class = IdField


class ContestScopedFilter(filters.FilterSet):
    contest = IdFilter(field_name="contest_id")


class ScenarioFilter(filters.FilterSet):
    contest = IdFilter(field_name="contest_id")
    track = IdFilter(field_name="track_id")
    publisher = IdFilter(field_name="publisher_id")
    status = filters.MultipleChoiceFilter(choices=ScenarioStatus.choices)
    reward_min = filters.NumberFilter(field_name="reward", lookup_expr="gte", min_value=0, max_value=10**12)
    reward_max = filters.NumberFilter(field_name="reward", lookup_expr="lte", min_value=0, max_value=10**12)
