#!/bin/sh
# Run once by the postgres image, on an empty data volume. The two roles of production
# (README, "Use an external PostgreSQL"): ledger owns the database and runs the migrations,
# ledger_service is what the service connects as; V3__service_role.sql grants it SELECT and
# INSERT only. Passwords come from docker-compose.yml's environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_password="$LEDGER_OWNER_PASSWORD" -v service_password="$LEDGER_SERVICE_PASSWORD" <<'SQL'
CREATE ROLE ledger LOGIN PASSWORD :'owner_password';
CREATE ROLE ledger_service LOGIN PASSWORD :'service_password';
CREATE DATABASE ledger OWNER ledger;
SQL
