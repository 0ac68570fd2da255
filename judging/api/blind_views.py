"""Blind-round checks for organizers: solution titles that name their team."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from judging import selectors
from judging.api.judging_views import _RoundApi
from judging.permissions import can_manage_judging


class _TitleMatchSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["title", "version_title"])
    kind = serializers.ChoiceField(choices=["team", "lead_unit", "co_unit"])
    name = serializers.CharField()


class BlindTitleFlagSerializer(serializers.Serializer):
    solution = serializers.IntegerField()
    title = serializers.CharField()
    team = serializers.CharField()
    matches = _TitleMatchSerializer(many=True)


class BlindTitleFlagListApi(_RoundApi):
    permission_map = {"get": can_manage_judging}

    @extend_schema(responses=BlindTitleFlagSerializer(many=True), operation_id="judging_round_blind_title_flags")
    def get(self, request, round_id: int):
        """Solutions whose title contains the team's, its lead unit's or a co-unit's name
        (full, short or English; case-insensitive): what a blind round's judges would read."""
        flags = selectors.blind_title_flags(round_=self.object)
        return Response(BlindTitleFlagSerializer(flags, many=True).data)
