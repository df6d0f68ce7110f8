# Tool calls and metrics point at runs.Run (moved from chat): state only, same `runId` column.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('runs', '0001_initial'),
        ('telemetry', '0004_merge_run_models_usage'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='requestmetric',
                    name='run',
                    field=models.ForeignKey(blank=True, db_column='runId', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='metrics', to='runs.run', verbose_name='runId'),
                ),
                migrations.AlterField(
                    model_name='toolcall',
                    name='run',
                    field=models.ForeignKey(blank=True, db_column='runId', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='tool_calls', to='runs.run', verbose_name='runId'),
                ),
            ],
        ),
    ]
