"""RoundResult, TieDecision, Publication, Objection, ObjectionFile and Award move to the results
app (judging.results). Only Django's state changes here: the tables stay where they are, under
their old names, and results.0001_initial takes them over."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('judging', '0003_pool_organization_conflict_flags'),
        ('results', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='objection',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='objection',
                    name='publication',
                ),
                migrations.RemoveField(
                    model_name='objection',
                    name='raised_by',
                ),
                migrations.RemoveField(
                    model_name='objection',
                    name='solution',
                ),
                migrations.RemoveField(
                    model_name='objectionfile',
                    name='objection',
                ),
                migrations.RemoveField(
                    model_name='publication',
                    name='published_by',
                ),
                migrations.RemoveField(
                    model_name='publication',
                    name='round',
                ),
                migrations.RemoveField(
                    model_name='roundresult',
                    name='round',
                ),
                migrations.RemoveField(
                    model_name='roundresult',
                    name='solution',
                ),
                migrations.RemoveField(
                    model_name='tiedecision',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='tiedecision',
                    name='round',
                ),
                migrations.RemoveField(
                    model_name='tiedecision',
                    name='solution',
                ),
                migrations.DeleteModel(
                    name='Award',
                ),
                migrations.DeleteModel(
                    name='Objection',
                ),
                migrations.DeleteModel(
                    name='ObjectionFile',
                ),
                migrations.DeleteModel(
                    name='Publication',
                ),
                migrations.DeleteModel(
                    name='RoundResult',
                ),
                migrations.DeleteModel(
                    name='TieDecision',
                ),
            ],
            database_operations=[],
        ),
    ]
