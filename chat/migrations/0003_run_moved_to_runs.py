# The Run model now belongs to the runs app (runs/migrations/0001_initial.py): state only,
# the `runs` table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0002_run'),
        ('runs', '0001_initial'),
        ('telemetry', '0005_run_moved_to_runs'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='Run')],
        ),
    ]
