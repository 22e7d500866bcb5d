-- The teams' budgets as the gateway's configuration has them now, in nano-USD (NULL: no such budget). The gateway
-- replaces the whole table whenever its configuration changes, so SQL reports such as the Grafana "Spend by key"
-- dashboard can show the share of each budget a team has used.
CREATE TABLE team_budget (
    team_id              TEXT   NOT NULL PRIMARY KEY,
    usd_per_day_nano     BIGINT,
    usd_per_month_nano   BIGINT
);
