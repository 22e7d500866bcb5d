-- Shadow experiments (docs/experiments.md): one row per (experiment, live or replayed request, candidate) comparison;
-- source is 'live' or 'replay:<id>'. Metrics only,
-- never content. Timestamps are Unix milliseconds (UTC), days yyyy-MM-dd, costs nano-USD; booleans 0/1, NULL where a
-- check did not apply. Shadow spend is its own scope: candidate_cost_nano + evaluation_cost_nano, never in daily_spend.
CREATE TABLE experiment_pairs (
    experiment_id               TEXT    NOT NULL,
    request_id                  TEXT    NOT NULL,
    candidate_deployment        TEXT    NOT NULL,
    source                      TEXT    NOT NULL,
    ts                          INTEGER NOT NULL,
    day                         TEXT    NOT NULL,
    key_id                      TEXT    NOT NULL,
    team_id                     TEXT    NOT NULL,
    model                       TEXT    NOT NULL,
    protocol                    TEXT    NOT NULL,
    stream                      INTEGER NOT NULL,
    sample_rate                 REAL    NOT NULL,
    outcome                     TEXT    NOT NULL,
    live_deployment             TEXT    NOT NULL,
    live_failure                TEXT,
    live_latency_ms             REAL    NOT NULL,
    live_ttft_ms                REAL,
    live_prompt_tokens          INTEGER NOT NULL,
    live_completion_tokens      INTEGER NOT NULL,
    live_cost_nano              INTEGER NOT NULL,
    candidate_failure           TEXT,
    candidate_latency_ms        REAL,
    candidate_ttft_ms           REAL,
    candidate_prompt_tokens     INTEGER NOT NULL,
    candidate_completion_tokens INTEGER NOT NULL,
    candidate_cost_nano         INTEGER NOT NULL,
    evaluation_cost_nano        INTEGER NOT NULL,
    tool_expected               INTEGER,
    tool_same_function          INTEGER,
    tool_arguments_equal        INTEGER,
    tool_arguments_valid        INTEGER,
    schema_expected             INTEGER NOT NULL,
    live_schema_valid           INTEGER,
    candidate_schema_valid      INTEGER,
    text_exact_match            INTEGER,
    length_ratio                REAL,
    similarity                  REAL,
    judge_verdict               TEXT,
    judge_candidate_position    INTEGER,
    PRIMARY KEY (experiment_id, request_id, candidate_deployment)
) WITHOUT ROWID;

CREATE INDEX experiment_pairs_ts ON experiment_pairs (experiment_id, ts);
CREATE INDEX experiment_pairs_source ON experiment_pairs (experiment_id, source, ts);
CREATE INDEX experiment_pairs_day ON experiment_pairs (experiment_id, day);
