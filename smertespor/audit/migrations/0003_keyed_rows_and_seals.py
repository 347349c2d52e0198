"""Keyed rows, seals and a sequence instead of the plain SHA-256 chain under a global lock.

The existing rows carry the old chain (``previous_hash``/``row_hash``, SHA-256 anyone can
recompute). This migration first checks that chain; if it is intact it signs every existing
row with the current audit key (``AUDIT_HMAC_KEYS``), as a new row would be signed, and drops
the old columns. A broken chain stops the migration, with the rows it found wrong, for a
person to look at: signing altered rows would make them verify. The first seal the sealer
writes then covers these rows like any others.

The append-only triggers are dropped for the conversion and created again, for the rows and
the seals, at the end (SQLite rebuilds the table for the column changes, which drops them
anyway). Migrations run as the tables' owner, so this may disable what the app's role cannot.
Not reversible: the keyed log cannot be turned back into the public chain.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

REFUSE = "audit log is append-only: {} refused"
TABLES = ("audit_auditevent", "audit_auditseal")
SEQUENCE = "audit_auditevent_sequence_seq"


def _drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete")


def _create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    for table in TABLES:
        if connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION audit_auditevent_refuse_change()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change()"
            )
        else:
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{REFUSE.format(operation)}'); END;"
                )


def _legacy_hash(row, previous_hash):  # type: ignore[no-untyped-def]
    payload = {
        "sequence": row.sequence,
        "occurred_at": row.occurred_at.isoformat(),
        "user_id": row.user_id,
        "username": row.username,
        "role": row.role,
        "organisation_id": row.organisation_id,
        "patient_id": str(row.patient_id) if row.patient_id else None,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "request_id": row.request_id,
        "ip_address": row.ip_address,
        "detail": row.detail,
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _row_mac(row, key_id, secret):  # type: ignore[no-untyped-def]
    # The same payload as smertespor.audit.services.row_payload, frozen here.
    payload = {
        "sequence": row.sequence,
        "occurred_at": row.occurred_at.isoformat(),
        "user_id": row.user_id,
        "username": row.username,
        "role": row.role,
        "organisation_id": row.organisation_id,
        "patient_id": str(row.patient_id) if row.patient_id else None,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "request_id": row.request_id,
        "ip_address": row.ip_address,
        "detail": row.detail,
        "key_id": key_id,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(secret, canonical.encode(), hashlib.sha256).hexdigest()


def _sign_legacy_rows(apps, schema_editor):  # type: ignore[no-untyped-def]
    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = AuditEvent.objects.using(schema_editor.connection.alias).order_by("sequence")
    key_id, secret = next(iter(settings.AUDIT_HMAC_KEYS.items()))
    problems = []
    expected, previous_hash = 1, "0" * 64
    for row in rows.iterator(chunk_size=2000):
        if row.sequence != expected:
            problems.append(f"row #{row.sequence}: rows #{expected}-#{row.sequence - 1} missing")
        if row.previous_hash != previous_hash:
            problems.append(f"row #{row.sequence}: chain broken")
        if _legacy_hash(row, row.previous_hash) != row.row_hash:
            problems.append(f"row #{row.sequence}: content does not match its hash")
        expected, previous_hash = row.sequence + 1, row.row_hash
    if problems:
        raise RuntimeError(
            "The audit log's hash chain is broken, so its rows are not signed with the new "
            "key. Investigate before migrating:\n" + "\n".join(problems[:50])
        )
    for row in rows.iterator(chunk_size=2000):
        rows.filter(pk=row.pk).update(key_id=key_id, row_mac=_row_mac(row, key_id, secret))


def _create_sequence(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite takes the next number under its write lock (services.next_sequences)
    schema_editor.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint OWNED BY audit_auditevent.sequence")
    schema_editor.execute(
        f"SELECT setval('{SEQUENCE}', COALESCE((SELECT MAX(sequence) FROM audit_auditevent), 0) + 1, false)"
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(_drop_triggers, elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_mac",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(_sign_legacy_rows, elidable=False),
        migrations.RemoveField(model_name="auditevent", name="previous_hash"),
        migrations.RemoveField(model_name="auditevent", name="row_hash"),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed"),
                    ("search", "Searched"),
                    ("create", "Created"),
                    ("update", "Changed"),
                    ("export", "Exported"),
                    ("refused", "Refused"),
                    ("login_locked_out", "Login locked out"),
                    ("listed", "Saw you in a list"),
                ],
                editable=False,
                max_length=32,
            ),
        ),
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("first_sequence", models.PositiveBigIntegerField(editable=False, unique=True)),
                ("last_sequence", models.PositiveBigIntegerField(editable=False, unique=True)),
                ("row_count", models.PositiveIntegerField(editable=False)),
                ("skipped", models.JSONField(default=list, editable=False)),
                ("digest", models.CharField(editable=False, max_length=64)),
                ("previous_mac", models.CharField(editable=False, max_length=64, unique=True)),
                ("sealed_at", models.DateTimeField(editable=False)),
                ("key_id", models.CharField(editable=False, max_length=32)),
                ("seal_mac", models.CharField(editable=False, max_length=64)),
            ],
            options={
                "verbose_name": "audit seal",
                "verbose_name_plural": "audit seals",
                "ordering": ["first_sequence"],
            },
        ),
        migrations.RunPython(_create_sequence, elidable=False),
        migrations.RunPython(_create_triggers, elidable=False),
    ]
