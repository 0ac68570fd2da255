"""The results models, taken over from judging with their tables (judging_roundresult, ...):
state only, no table is created or changed. The content types follow (app label judging ->
results), so permissions and anything that names a content type keep pointing at the same rows.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ["roundresult", "tiedecision", "publication", "objection", "objectionfile", "award"]


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(ContentType.objects.filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    ContentType.objects.filter(app_label=old, model__in=[m for m in MOVED if m not in taken]).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, "judging", "results")


def content_types_backward(apps, schema_editor):
    _relabel(apps, "results", "judging")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('judging', '0003_pool_organization_conflict_flags'),
        ('contest', '0005_security_events'),
        ('submissions', '0002_team_fact_changes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Objection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('objector_kind', models.CharField(choices=[('individual', 'Individual'), ('organization', 'Organization (sealed letter)')], max_length=20)),
                        ('real_name', models.CharField(max_length=100, verbose_name='real name')),
                        ('organization_name', models.CharField(max_length=200, verbose_name='organization')),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='phone')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('dismissed', 'Dismissed'), ('upheld', 'Upheld')], default='open', max_length=20)),
                        ('response', models.TextField(blank=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('raised_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to=settings.AUTH_USER_MODEL)),
                        ('solution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='submissions.solution')),
                    ],
                    options={
                        'db_table': 'judging_objection',
                    },
                ),
                migrations.CreateModel(
                    name='ObjectionFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(default='evidence', max_length=20)),
                        ('file', models.FileField(max_length=255, upload_to='')),
                        ('original_name', models.CharField(max_length=200)),
                        ('size', models.PositiveBigIntegerField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('objection', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='results.objection')),
                    ],
                    options={
                        'db_table': 'judging_objectionfile',
                    },
                ),
                migrations.CreateModel(
                    name='Publication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('number', models.PositiveSmallIntegerField(default=1)),
                        ('published_at', models.DateTimeField()),
                        ('publicity_starts_at', models.DateTimeField()),
                        ('publicity_ends_at', models.DateTimeField()),
                        ('table', models.JSONField()),
                        ('digest', models.CharField(max_length=64)),
                        ('feedback', models.JSONField(blank=True, default=dict)),
                        ('supplementary', models.BooleanField(default=False)),
                        ('superseded', models.BooleanField(default=False)),
                        ('final_confirmed_at', models.DateTimeField(blank=True, null=True)),
                        ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='publications', to='contest.round')),
                    ],
                    options={
                        'db_table': 'judging_publication',
                        'ordering': ['round_id', 'number'],
                    },
                ),
                migrations.AddField(
                    model_name='objection',
                    name='publication',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='results.publication'),
                ),
                migrations.CreateModel(
                    name='RoundResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('group_key', models.CharField(help_text='track:<id>, scenario:<id> or contest', max_length=40)),
                        ('score', models.DecimalField(blank=True, decimal_places=2, max_digits=7, null=True)),
                        ('total_sum', models.DecimalField(blank=True, decimal_places=4, max_digits=12, null=True)),
                        ('judge_count', models.PositiveSmallIntegerField(default=0)),
                        ('criterion_means', models.JSONField(blank=True, default=dict)),
                        ('method_note', models.CharField(blank=True, max_length=200)),
                        ('incomplete', models.BooleanField(default=False)),
                        ('rank', models.PositiveIntegerField(blank=True, null=True)),
                        ('tie_rule', models.CharField(choices=[('none', 'No tie'), ('total_sum', 'Higher sum of valid judge totals'), ('criterion', 'Higher mean on a criterion'), ('submission_time', 'Earlier final submission'), ('shared', 'Shared rank (awaiting committee)'), ('committee', 'Committee decision')], default='none', max_length=20)),
                        ('tie_detail', models.CharField(blank=True, max_length=200)),
                        ('advanced', models.BooleanField(default=False)),
                        ('override_reason', models.TextField(blank=True)),
                        ('disqualified', models.BooleanField(default=False)),
                        ('computation_id', models.CharField(blank=True, max_length=64)),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='contest.round')),
                        ('solution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='results', to='submissions.solution')),
                    ],
                    options={
                        'db_table': 'judging_roundresult',
                        'ordering': ['round_id', 'group_key', 'rank', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='TieDecision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('position', models.PositiveSmallIntegerField(help_text='1 = placed first among the tied solutions')),
                        ('reason', models.TextField()),
                        ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tie_decisions', to='contest.round')),
                        ('solution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='submissions.solution')),
                    ],
                    options={
                        'db_table': 'judging_tiedecision',
                    },
                ),
                migrations.CreateModel(
                    name='Award',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('level', models.CharField(choices=[('grand', 'Grand prize (特等奖)'), ('first', 'First prize (一等奖)'), ('second', 'Second prize (二等奖)'), ('third', 'Third prize (三等奖)'), ('merit', 'Merit award (优胜奖)')], max_length=20)),
                        ('final_rank', models.PositiveIntegerField(blank=True, null=True)),
                        ('matched', models.BooleanField(default=False, verbose_name='matched (揭榜成功)')),
                        ('verification_code', models.CharField(max_length=32, unique=True)),
                        ('team_name', models.CharField(max_length=200, verbose_name='team name')),
                        ('solution_title', models.CharField(max_length=200, verbose_name='solution title')),
                        ('scenario_title', models.CharField(max_length=200, verbose_name='scenario title')),
                        ('confirmed_at', models.DateTimeField()),
                        ('reissue_reason', models.TextField(blank=True)),
                        ('revoked_at', models.DateTimeField(blank=True, null=True)),
                        ('revoke_reason', models.TextField(blank=True)),
                        ('confirmed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('contest', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='awards', to='contest.contest')),
                        ('replaces', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaced_by', to='results.award')),
                        ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('solution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='awards', to='submissions.solution')),
                    ],
                    options={
                        'db_table': 'judging_award',
                        'ordering': ['contest_id', 'final_rank', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('contest', 'solution'), name='one_live_award_per_solution'), models.CheckConstraint(condition=models.Q(('team_name', ''), _negated=True), name='award_team_name_recorded'), models.CheckConstraint(condition=models.Q(('revoked_at__isnull', True), models.Q(('revoke_reason', ''), _negated=True), _connector='OR'), name='award_revocation_has_reason')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='publication',
                    constraint=models.UniqueConstraint(fields=('round', 'number'), name='publication_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='roundresult',
                    constraint=models.UniqueConstraint(fields=('round', 'solution'), name='one_result_per_round_solution'),
                ),
                migrations.AddConstraint(
                    model_name='tiedecision',
                    constraint=models.UniqueConstraint(fields=('round', 'solution'), name='one_tie_decision_per_solution'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
