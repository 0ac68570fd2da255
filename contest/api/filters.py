from django_filters import rest_framework as filters

from contest.enums import ScenarioStatus


class ContestScopedFilter(filters.FilterSet):
    contest = filters.NumberFilter(field_name="contest_id")


class ScenarioFilter(filters.FilterSet):
    contest = filters.NumberFilter(field_name="contest_id")
    track = filters.NumberFilter(field_name="track_id")
    publisher = filters.NumberFilter(field_name="publisher_id")
    status = filters.MultipleChoiceFilter(choices=ScenarioStatus.choices)
    reward_min = filters.NumberFilter(field_name="reward", lookup_expr="gte")
    reward_max = filters.NumberFilter(field_name="reward", lookup_expr="lte")
