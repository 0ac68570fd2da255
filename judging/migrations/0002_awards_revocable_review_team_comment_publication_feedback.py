"""Issued things stay as issued.

- Award: the team name, solution and scenario titles recorded at confirmation (filled from the
  current names for awards confirmed before), revocation (when, by whom, why) and re-issue (the
  award it replaces, why); one live award per solution.
- Review: the existing comment was labelled "for the organizers", so it stays the confidential
  one; the comment for the team is new (empty for old reviews).
- Publication: what each team was shown (feedback), filled for old publications from the
  results and scores now stored (old reviews have no comment for the team).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _money(value):
    return None if value is None else f"{value:.2f}"


def backfill(apps, schema_editor):
    Award = apps.get_model("judging", "Award")
    Publication = apps.get_model("judging", "Publication")
    RoundResult = apps.get_model("judging", "RoundResult")
    Score = apps.get_model("judging", "Score")
    Criterion = apps.get_model("judging", "Criterion")
    for award in Award.objects.select_related("solution__team", "solution__scenario").iterator():
        award.team_name = award.solution.team.name or "-"
        award.solution_title = award.solution.title
        award.scenario_title = award.solution.scenario.title
        award.save(update_fields=["team_name", "solution_title", "scenario_title"])
    for publication in Publication.objects.iterator():
        round_id = publication.round_id
        criteria = {c.pk: c for c in Criterion.objects.filter(rubric__round_id=round_id)}
        sums = {}
        for solution_id, criterion_id, value in Score.objects.filter(
            review__round_id=round_id, review__status="submitted"
        ).values_list("review__solution_id", "criterion_id", "value"):
            total, count = sums.setdefault(solution_id, {}).get(criterion_id, (0, 0))
            sums[solution_id][criterion_id] = (total + int(value * 100), count + 1)
        feedback = {}
        for result in RoundResult.objects.filter(round_id=round_id).select_related("solution"):
            means = [
                {
                    "criterion": criteria[cid].name,
                    "max_score": f"{criteria[cid].max_score:.2f}",
                    "mean": f"{total / (100 * count):.2f}",
                }
                for cid, (total, count) in sorted(
                    sums.get(result.solution_id, {}).items(), key=lambda kv: (criteria[kv[0]].order, kv[0])
                )
            ]
            feedback[str(result.solution_id)] = {
                "solution_id": result.solution_id,
                "solution_title": result.solution.title,
                "score": None if result.disqualified else _money(result.score),
                "rank": result.rank,
                "advanced": result.advanced,
                "incomplete": result.incomplete,
                "disqualified": result.disqualified,
                "criterion_means": means,
                "comments": [],
            }
        publication.feedback = feedback
        publication.save(update_fields=["feedback"])


class Migration(migrations.Migration):

    dependencies = [
        ('contest', '0002_audit_chained_after_commit'),
        ('judging', '0001_initial'),
        ('submissions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='award',
            name='one_award_per_solution',
        ),
        migrations.AddField(
            model_name='award',
            name='reissue_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='award',
            name='replaces',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced_by', to='judging.award'),
        ),
        migrations.AddField(
            model_name='award',
            name='revoke_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='award',
            name='revoked_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='award',
            name='revoked_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='award',
            name='scenario_title',
            field=models.CharField(default='', max_length=200, verbose_name='scenario title'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='award',
            name='solution_title',
            field=models.CharField(default='', max_length=200, verbose_name='solution title'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='award',
            name='team_name',
            field=models.CharField(default='', max_length=200, verbose_name='team name'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='publication',
            name='feedback',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='review',
            name='team_comment',
            field=models.TextField(blank=True, verbose_name='comment for the team'),
        ),
        migrations.AddField(
            model_name='reviewrevision',
            name='team_comment',
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name='review',
            name='comment',
            field=models.TextField(blank=True, verbose_name='confidential comment for the organizers'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('contest', 'solution'), name='one_live_award_per_solution'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.CheckConstraint(condition=models.Q(('team_name', ''), _negated=True), name='award_team_name_recorded'),
        ),
        migrations.AddConstraint(
            model_name='award',
            constraint=models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), models.Q(('revoke_reason', ''), _negated=True), _connector='OR'), name='award_revocation_has_reason'),
        ),
    ]
