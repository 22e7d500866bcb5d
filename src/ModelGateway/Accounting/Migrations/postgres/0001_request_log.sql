-- The request log (one row per front-door request) and the daily spend rollups of the requests a deployment served.
-- Cost is in nano-USD (integers: sums are exact). The request id is the primary key, so a retried batch inserts
-- nothing twice; time-range reads use the (ts, request_id) btree, which also serves newest-first paging.
CREATE TABLE request_log (
    request_id         text        NOT NULL PRIMARY KEY,
    ts                 timestamptz NOT NULL,
    decision_id        text,
    key_id             text        NOT NULL,
    team_id            text        NOT NULL,
    protocol           text        NOT NULL,
    operation          text        NOT NULL,
    model              text        NOT NULL,
    provider_id        text        NOT NULL,
    deployment_id      text        NOT NULL,
    served             boolean     NOT NULL,
    attempts           integer     NOT NULL,
    status             integer     NOT NULL,
    outcome            text        NOT NULL,
    failure            text        NOT NULL,
    prompt_tokens      integer     NOT NULL,
    cached_tokens      integer     NOT NULL,
    completion_tokens  integer     NOT NULL,
    reasoning_tokens   integer     NOT NULL,
    usage_reported     boolean     NOT NULL,
    cost_nano          bigint      NOT NULL,
    baseline_cost_nano bigint      NOT NULL,
    latency_ms         double precision NOT NULL,
    ttfb_ms            double precision,
    sensitivity        text,
    detectors          text
);

CREATE INDEX request_log_ts ON request_log (ts, request_id);
CREATE INDEX request_log_key_ts ON request_log (key_id, ts);
CREATE INDEX request_log_team_ts ON request_log (team_id, ts);

CREATE TABLE daily_spend (
    day                date   NOT NULL,
    key_id             text   NOT NULL,
    team_id            text   NOT NULL,
    model              text   NOT NULL,
    provider_id        text   NOT NULL,
    deployment_id      text   NOT NULL,
    requests           bigint NOT NULL,
    prompt_tokens      bigint NOT NULL,
    cached_tokens      bigint NOT NULL,
    completion_tokens  bigint NOT NULL,
    reasoning_tokens   bigint NOT NULL,
    cost_nano          bigint NOT NULL,
    PRIMARY KEY (day, key_id, team_id, model, provider_id, deployment_id)
);
