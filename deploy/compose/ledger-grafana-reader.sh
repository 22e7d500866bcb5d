#!/bin/sh
# Run once by the postgres image when it creates its database (mounted in /docker-entrypoint-initdb.d by the
# commented-out postgres service in compose.yaml): a login role for Grafana that can only read. The gateway's
# migrations create the tables later, as the owner role, so the grant is a default privilege on that role's tables.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner="$POSTGRES_USER" -v password="$MG_GRAFANA_LEDGER_PASSWORD" <<'SQL'
CREATE ROLE grafana_reader LOGIN PASSWORD :'password';
GRANT USAGE ON SCHEMA public TO grafana_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO grafana_reader;
SQL
