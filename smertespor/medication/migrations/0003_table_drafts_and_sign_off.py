"""Drafts name who drafted them; sign-off needs someone else (issue 11)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def record_copiers(apps, schema_editor):
    """A regional copy made before this migration was drafted by whoever copied it."""
    version_model = apps.get_model("medication", "ConversionTableVersion")
    step_model = apps.get_model("medication", "ConversionTableDraftStep")
    copies = version_model.objects.filter(origin="regional_copy", created_by__isnull=False)
    step_model.objects.bulk_create(
        step_model(table=copy, kind="copied", by_id=copy.created_by_id, at=copy.created_at, revision=0)
        for copy in copies
    )


class Migration(migrations.Migration):

    dependencies = [
        ('medication', '0002_install_builtin_tables'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='conversiontableversion',
            options={'ordering': ['table_id', '-published', 'created_at'], 'permissions': [('sign_off_conversion_table', 'Can sign off a conversion table someone else drafted')], 'verbose_name': 'conversion table version', 'verbose_name_plural': 'conversion table versions'},
        ),
        migrations.AddField(
            model_name='conversiontableversion',
            name='revision',
            field=models.PositiveIntegerField(default=0, verbose_name='revision'),
        ),
        migrations.CreateModel(
            name='ConversionTableDraftStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('copied', 'Copied'), ('edited', 'Edited')], max_length=8, verbose_name='kind')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='when')),
                ('revision', models.PositiveIntegerField(verbose_name='revision')),
                ('by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('table', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='draft_steps', to='medication.conversiontableversion')),
            ],
            options={
                'verbose_name': 'draft step',
                'verbose_name_plural': 'draft steps',
                'ordering': ['table', 'at', 'pk'],
            },
        ),
        migrations.RunPython(record_copiers, migrations.RunPython.noop),
    ]
