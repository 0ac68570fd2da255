"""Input and output serializers of the results API (kept apart; no rules in save())."""

from rest_framework import serializers

from judging.results.enums import AwardLevel, ObjectorKind


class ResultRowOutputSerializer(serializers.Serializer):
    group = serializers.CharField()
    rank = serializers.IntegerField(allow_null=True)
    solution_id = serializers.IntegerField()
    team = serializers.CharField()
    scenario = serializers.CharField()
    score = serializers.CharField(allow_null=True)
    judge_count = serializers.IntegerField()
    total_sum = serializers.CharField(allow_null=True)
    tie_rule = serializers.CharField()
    tie_detail = serializers.CharField()
    method_note = serializers.CharField()
    incomplete = serializers.BooleanField()
    advanced = serializers.BooleanField()
    disqualified = serializers.BooleanField()
    objection_pending = serializers.BooleanField(help_text="An objection against the entry is being handled.")


class AggregationStatusOutputSerializer(serializers.Serializer):
    state = serializers.CharField()
    task_id = serializers.CharField(allow_null=True)
    computation_id = serializers.CharField(allow_null=True)
    updated_at = serializers.CharField(allow_null=True)
    error = serializers.CharField(allow_blank=True)


class AdvancementOverrideInputSerializer(serializers.Serializer):
    solution_id = serializers.IntegerField()
    advanced = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class TieDecisionInputSerializer(serializers.Serializer):
    solution_ids = serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=100)
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class PublishInputSerializer(serializers.Serializer):
    publicity_starts_at = serializers.DateTimeField(required=False)
    publicity_ends_at = serializers.DateTimeField(required=False)


class LeaderboardRowSerializer(serializers.Serializer):
    group = serializers.CharField()
    rank = serializers.IntegerField()
    solution_id = serializers.IntegerField()
    team = serializers.CharField()
    scenario = serializers.CharField()
    track = serializers.CharField()
    score = serializers.CharField()
    advanced = serializers.BooleanField()
    objection_pending = serializers.BooleanField(help_text="An objection against the entry is being handled.")


class LeaderboardOutputSerializer(serializers.Serializer):
    round_id = serializers.IntegerField()
    publication_number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    publicity_starts_at = serializers.DateTimeField()
    publicity_ends_at = serializers.DateTimeField()
    digest = serializers.CharField()
    rows = LeaderboardRowSerializer(many=True)


class PublicationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round_id = serializers.IntegerField()
    number = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    publicity_starts_at = serializers.DateTimeField()
    publicity_ends_at = serializers.DateTimeField()
    digest = serializers.CharField()
    supplementary = serializers.BooleanField()
    superseded = serializers.BooleanField()
    final_confirmed_at = serializers.DateTimeField(allow_null=True)


class PublicationVerifyOutputSerializer(serializers.Serializer):
    digest = serializers.CharField()
    stored_table_ok = serializers.BooleanField()
    current_results_ok = serializers.BooleanField(
        required=False, help_text="Organizers only: whether the results now stored still match the publication."
    )


class CriterionMeanSerializer(serializers.Serializer):
    criterion = serializers.CharField()
    max_score = serializers.CharField()
    mean = serializers.CharField()


class AnonymousCommentSerializer(serializers.Serializer):
    judge = serializers.CharField()
    comment = serializers.CharField()


class FeedbackOutputSerializer(serializers.Serializer):
    solution_id = serializers.IntegerField()
    solution_title = serializers.CharField()
    score = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    advanced = serializers.BooleanField()
    incomplete = serializers.BooleanField()
    disqualified = serializers.BooleanField()
    criterion_means = CriterionMeanSerializer(many=True)
    comments = AnonymousCommentSerializer(many=True, help_text="The judges' comments for the team, anonymised.")
    objection_pending = serializers.BooleanField(help_text="An objection against the entry is being handled.")


class ObjectionInputSerializer(serializers.Serializer):
    solution_id = serializers.IntegerField()
    objector_kind = serializers.ChoiceField(choices=ObjectorKind.choices)
    reason = serializers.CharField(max_length=5000)
    real_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    organization_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    sealed_letter = serializers.FileField(required=False)
    evidence = serializers.ListField(child=serializers.FileField(), required=False, max_length=5, default=list)


class ObjectionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    publication_id = serializers.IntegerField()
    round_id = serializers.IntegerField(source="publication.round_id")
    solution_id = serializers.IntegerField()
    objector_kind = serializers.CharField()
    real_name = serializers.CharField()
    organization_name = serializers.CharField()
    phone = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.CharField()
    response = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class ObjectionDecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("dismiss", "dismiss"), ("uphold", "uphold")])
    response = serializers.CharField(allow_blank=True, max_length=5000)
    publicity_ends_at = serializers.DateTimeField(required=False)


class AwardRangeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AwardLevel.choices)
    # "from" is a Python keyword: declared below through the fields mapping.
    to = serializers.IntegerField(min_value=1)


AwardRangeSerializer._declared_fields["from"] = serializers.IntegerField(min_value=1)


class AwardsConfirmInputSerializer(serializers.Serializer):
    ranges = AwardRangeSerializer(many=True, required=False)
    merit_round_id = serializers.IntegerField(required=False)


class AwardOutputSerializer(serializers.Serializer):
    """An award as confirmed: names as recorded then; `objection_pending` from the view's
    context (`pending`: the ids of entries with an objection being handled)."""

    id = serializers.IntegerField()
    solution_id = serializers.IntegerField()
    team = serializers.CharField(source="team_name")
    solution_title = serializers.CharField()
    scenario = serializers.CharField(source="scenario_title")
    level = serializers.CharField()
    level_display = serializers.CharField(source="get_level_display")
    final_rank = serializers.IntegerField(allow_null=True)
    matched = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField()
    replaces = serializers.IntegerField(
        source="replaces_id", allow_null=True, help_text="The revoked award this re-issues."
    )
    reissue_reason = serializers.CharField()
    objection_pending = serializers.SerializerMethodField(help_text="An objection against the entry is being handled.")
    status = serializers.SerializerMethodField(help_text="valid, or revoked (then see revoked_at)")
    revoked_at = serializers.DateTimeField(allow_null=True)

    def get_objection_pending(self, obj) -> bool:
        return obj.solution_id in self.context.get("pending", ())

    def get_status(self, obj) -> str:
        return "revoked" if obj.revoked_at else "valid"


class CertificateVerifyOutputSerializer(AwardOutputSerializer):
    contest = serializers.CharField(source="contest.name")
    verification_code = serializers.CharField()


class AwardRevokeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class AwardReissueInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=AwardLevel.choices)
    final_rank = serializers.IntegerField(min_value=1, max_value=100000, required=False, allow_null=True, default=None)
    matched = serializers.BooleanField(default=False)
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class AwardRevokedOutputSerializer(AwardOutputSerializer):
    """The organizer's answer to a revocation."""

    verification_code = serializers.CharField()
    revoked_at = serializers.DateTimeField()
    revoke_reason = serializers.CharField()
