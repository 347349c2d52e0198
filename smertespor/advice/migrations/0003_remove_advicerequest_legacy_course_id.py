"""The plain-integer course column, now copied into the `course` foreign key (see 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0002_advicerequest_course"),
    ]

    operations = [
        migrations.RemoveField(model_name="advicerequest", name="legacy_course_id"),
    ]
