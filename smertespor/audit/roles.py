"""PostgreSQL roles: the tables' owner runs migrations, the app's role may only INSERT and
SELECT on the audit tables.

The owner of a table can ``ALTER TABLE ... DISABLE TRIGGER`` and so get past the append-only
triggers; the app's role does not own the tables, so it cannot, and without UPDATE, DELETE and
TRUNCATE it cannot change the audit rows even with the triggers gone. docs/audit-log.md.
"""

from typing import Any

AUDIT_TABLES = ("audit_auditevent", "audit_auditseal")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def grant_app_privileges(cursor: Any, app_role: str) -> None:
    """What the app's role may do on every table now in the schema: DML, but on the audit
    tables only SELECT and INSERT. Run as the tables' owner (after each migrate) or a
    superuser."""
    app = _quote(app_role)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {app}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}")
    # nextval (USAGE) and currval (SELECT); not setval, which needs UPDATE.
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}")
    for table in AUDIT_TABLES:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            continue  # not migrated yet: the post-migrate hook narrows it
        cursor.execute(f"REVOKE ALL ON {table} FROM {app}")
        cursor.execute(f"GRANT SELECT, INSERT ON {table} TO {app}")


def _role_exists(cursor: Any, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def create_roles(cursor: Any, *, owner: str, app: str) -> list[str]:
    """Create the two login roles if missing and set up what each may do in this database.
    Needs a superuser (or CREATEROLE) connection. Returns what was done, for the log."""
    if owner == app:
        raise ValueError("The owner and the app must be two different roles.")
    done = []
    for role in (owner, app):
        if not _role_exists(cursor, role):
            cursor.execute(f"CREATE ROLE {_quote(role)} LOGIN NOSUPERUSER NOCREATEROLE NOINHERIT")
            done.append(f"created role {role}")
    cursor.execute(
        "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
        "JOIN pg_roles a ON a.oid = m.member WHERE r.rolname = %s AND a.rolname = %s",
        [owner, app],
    )
    if cursor.fetchone() is not None:
        raise ValueError(f"{app} is a member of {owner}: it would own the tables too.")
    cursor.execute("SELECT current_database()")
    database = _quote(cursor.fetchone()[0])
    cursor.execute(f"GRANT CONNECT ON DATABASE {database} TO {_quote(owner)}, {_quote(app)}")
    cursor.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {_quote(owner)}")
    cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {_quote(app)}")
    # Tables and sequences the owner creates from now on (each migrate) reach the app with
    # DML; the post-migrate hook narrows the audit tables again (apps.AuditConfig).
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_quote(owner)} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {_quote(app)}"
    )
    cursor.execute(
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {_quote(owner)} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {_quote(app)}"
    )
    grant_app_privileges(cursor, app)
    done.append(f"{owner} may create tables; {app} may use them, the audit tables append-only")
    return done
