"""Store the conversion tables shipped in domain/data/conversion (idempotent)."""

from django.db import migrations


def install(apps, schema_editor):
    from smertespor.medication.table_services import install_builtin_tables

    install_builtin_tables(
        apps.get_model("medication", "ConversionTableVersion"),
        apps.get_model("medication", "ConversionRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("medication", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
