"""`AdviceRequest.course_id` was a plain integer; it becomes a foreign key to `tracks.Course`.

The old column is renamed, the key added and every value copied. A value that names no
course stops the migration (courses are never deleted, so it would mean damaged data that
someone should look at) rather than being dropped silently. The old column goes in 0003, in
a transaction of its own (PostgreSQL will not alter a table with pending key checks).
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_course_ids(apps, schema_editor):
    AdviceRequest = apps.get_model("advice", "AdviceRequest")
    Course = apps.get_model("tracks", "Course")
    linked = AdviceRequest.objects.exclude(legacy_course_id=None)
    wanted = set(linked.values_list("legacy_course_id", flat=True))
    known = set(Course.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - known)
    if missing:
        requests = sorted(linked.filter(legacy_course_id__in=missing).values_list("pk", flat=True))
        raise RuntimeError(
            f"Advice requests {requests} name courses that do not exist ({missing}). "
            "Correct or clear their course before migrating."
        )
    for course_id in known:
        linked.filter(legacy_course_id=course_id).update(course_id=course_id)


def copy_course_ids_back(apps, schema_editor):
    AdviceRequest = apps.get_model("advice", "AdviceRequest")
    for request_id, course_id in AdviceRequest.objects.exclude(course=None).values_list(
        "pk", "course_id"
    ):
        AdviceRequest.objects.filter(pk=request_id).update(legacy_course_id=course_id)


class Migration(migrations.Migration):
    dependencies = [
        ("advice", "0001_initial"),
        ("tracks", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(
            model_name="advicerequest", old_name="course_id", new_name="legacy_course_id"
        ),
        migrations.AddField(
            model_name="advicerequest",
            name="course",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="advice_requests",
                to="tracks.course",
                verbose_name="course",
            ),
        ),
        migrations.RunPython(copy_course_ids, copy_course_ids_back),
    ]
