"""Build the rollups from the metrics already stored (an upgrade keeps its history)."""

from django.db import migrations

from telemetry.rollups import rebuild


def build_rollups(apps, schema_editor):
    """Count every stored metric into the new rollup tables."""
    rebuild(
        apps.get_model("telemetry", "RequestMetric"),
        apps.get_model("telemetry", "RunRollup"),
        apps.get_model("telemetry", "UserRollup"),
    )


def drop_rollups(apps, schema_editor):
    """Nothing to undo: the tables go with the previous migration."""


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0006_rollups_and_console")]

    operations = [migrations.RunPython(build_rollups, drop_rollups)]
