#!/usr/bin/env bash
# Back up the PostgreSQL database, restore the dump into a scratch database and verify the
# restored audit log there. A backup that cannot be restored and verified is not a backup.
#
#   DATABASE_URL=postgres://owner@host/smertespor deploy/backup-restore-check.sh [DUMP_FILE]
#
# Needs pg_dump, pg_restore, createdb and dropdb on PATH, and the same audit keys in the
# environment as the app (verify_audit_log checks the rows' keyed hashes). Keeps the dump
# (default: smertespor-YYYYmmdd-HHMMSS.dump in the current directory); drops the scratch copy.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
dump="${1:-smertespor-$(date -u +%Y%m%d-%H%M%S).dump}"

base="${DATABASE_URL%/*}"
source_db="${DATABASE_URL##*/}"
source_db="${source_db%%\?*}"
scratch="${source_db}_restore_check_$$"

echo "== dump ${source_db} -> ${dump}"
pg_dump --format=custom --no-owner --file="$dump" "$DATABASE_URL"

cleanup() { dropdb --if-exists --maintenance-db="$base/postgres" "$scratch" >/dev/null 2>&1 || true; }
trap cleanup EXIT
echo "== restore into ${scratch}"
createdb --maintenance-db="$base/postgres" "$scratch"
pg_restore --no-owner --exit-on-error --dbname="$base/$scratch" "$dump"

echo "== verify the restored audit log"
# Rows, seals and the seal chain of the copy. Anchors are checked against the live database
# by the hourly anchor job: an anchor written after this dump would name seals it cannot hold.
(cd "$here" && DATABASE_URL="$base/$scratch" "$python" manage.py verify_audit_log --anchor-file "")
echo "== backup ${dump} restores and verifies"
