#!/bin/sh
# Runs once, when the PostgreSQL volume is first created (/docker-entrypoint-initdb.d).
#
# Creates the role the application connects as. It owns nothing: `flask db upgrade`, run as the
# owner of the tables (MIGRATION_DATABASE_URL), grants it read/write on the working tables and
# only INSERT and SELECT on audit_events (and audit_seals), so it can neither empty, change nor unprotect the
# audit trail. For a volume created before this script existed, run it by hand:
#   docker compose exec postgres sh /docker-entrypoint-initdb.d/10-app-role.sh
# then `docker compose run --rm migrate`.
set -eu
: "${HARBOR_APP_PASSWORD:?set POSTGRES_APP_PASSWORD in .env}"
HARBOR_APP_ROLE="${HARBOR_APP_ROLE:-harbor_app}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_role="$HARBOR_APP_ROLE" -v app_password="$HARBOR_APP_PASSWORD" \
  -v db_name="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION', :'app_role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"db_name" TO :"app_role";
-- Nobody but the owner creates tables (the default since PostgreSQL 15; said here for older ones).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
