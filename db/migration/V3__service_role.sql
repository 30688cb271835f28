-- Least privilege: the service's own role may read the ledger and append to it, nothing else.
-- Migrations run as the owner (quarkus.flyway.username); the service connects as
-- ${service_role} (quarkus.datasource.username). Without UPDATE, DELETE or TRUNCATE a leaked
-- service password cannot rewrite history even if the immutability triggers were dropped, and
-- as a non-owner it cannot drop, disable or alter them. When both are the same role (a
-- single-role setup) these grants change nothing. docs/reliability.md, "Database roles".
GRANT SELECT, INSERT ON account, transfer TO "${service_role}";
GRANT SELECT ON account_view, transfer_view TO "${service_role}";
