"""Store the referral criteria shipped in domain/data as their first version (idempotent),
and point every referral already sent at the stored version it was judged on."""

from django.db import migrations


def install(apps, schema_editor):
    from smertespor.referrals.criteria import install_builtin_criteria

    version_model = apps.get_model("referrals", "CriteriaVersion")
    install_builtin_criteria(version_model)
    referral_model = apps.get_model("referrals", "Referral")
    for stored in version_model.objects.all():
        referral_model.objects.filter(
            criteria_version=stored.version, criteria_definition__isnull=True
        ).exclude(sent_at__isnull=True).update(criteria_definition=stored)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_criteria_versions")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
