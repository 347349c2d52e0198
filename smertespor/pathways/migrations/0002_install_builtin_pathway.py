"""Store the pathway shipped in domain/data as its first version (idempotent)."""

from django.db import migrations


def install(apps, schema_editor):
    from smertespor.pathways.services import install_builtin_pathway

    install_builtin_pathway(apps.get_model("pathways", "PathwayVersion"))


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
