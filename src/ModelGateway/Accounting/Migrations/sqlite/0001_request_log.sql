-- The request log (one row per front-door request) and the daily spend rollups of the requests a deployment served.
-- Timestamps are Unix milliseconds (UTC); days are yyyy-MM-dd; cost is in nano-USD (integers: sums are exact).
CREATE TABLE request_log (
    request_id         TEXT    NOT NULL PRIMARY KEY,
    ts                 INTEGER NOT NULL,
    decision_id        TEXT,
    key_id             TEXT    NOT NULL,
    team_id            TEXT    NOT NULL,
    protocol           TEXT    NOT NULL,
    operation          TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    provider_id        TEXT    NOT NULL,
    deployment_id      TEXT    NOT NULL,
    served             INTEGER NOT NULL,
    attempts           INTEGER NOT NULL,
    status             INTEGER NOT NULL,
    outcome            TEXT    NOT NULL,
    failure            TEXT    NOT NULL,
    prompt_tokens      INTEGER NOT NULL,
    cached_tokens      INTEGER NOT NULL,
    completion_tokens  INTEGER NOT NULL,
    reasoning_tokens   INTEGER NOT NULL,
    usage_reported     INTEGER NOT NULL,
    cost_nano          INTEGER NOT NULL,
    baseline_cost_nano INTEGER NOT NULL,
    latency_ms         REAL    NOT NULL,
    ttfb_ms            REAL,
    sensitivity        TEXT,
    detectors          TEXT
) WITHOUT ROWID;

CREATE INDEX request_log_ts ON request_log (ts, request_id);
CREATE INDEX request_log_key_ts ON request_log (key_id, ts);
CREATE INDEX request_log_team_ts ON request_log (team_id, ts);

CREATE TABLE daily_spend (
    day                TEXT    NOT NULL,
    key_id             TEXT    NOT NULL,
    team_id            TEXT    NOT NULL,
    model              TEXT    NOT NULL,
    provider_id        TEXT    NOT NULL,
    deployment_id      TEXT    NOT NULL,
    requests           INTEGER NOT NULL,
    prompt_tokens      INTEGER NOT NULL,
    cached_tokens      INTEGER NOT NULL,
    completion_tokens  INTEGER NOT NULL,
    reasoning_tokens   INTEGER NOT NULL,
    cost_nano          INTEGER NOT NULL,
    PRIMARY KEY (day, key_id, team_id, model, provider_id, deployment_id)
) WITHOUT ROWID;
