-- Shadow experiments (docs/experiments.md): one row per (experiment, live or replayed request, candidate) comparison;
-- source is 'live' or 'replay:<id>'. Metrics only,
-- never content. ts is Unix milliseconds (UTC) and day yyyy-MM-dd text, as in the SQLite script, so both databases
-- take the same statements; costs nano-USD; NULL where a check did not apply. Shadow spend is its own scope:
-- candidate_cost_nano + evaluation_cost_nano, never in daily_spend.
CREATE TABLE experiment_pairs (
    experiment_id               text             NOT NULL,
    request_id                  text             NOT NULL,
    candidate_deployment        text             NOT NULL,
    source                      text             NOT NULL,
    ts                          bigint           NOT NULL,
    day                         text             NOT NULL,
    key_id                      text             NOT NULL,
    team_id                     text             NOT NULL,
    model                       text             NOT NULL,
    protocol                    text             NOT NULL,
    stream                      boolean          NOT NULL,
    sample_rate                 double precision NOT NULL,
    outcome                     text             NOT NULL,
    live_deployment             text             NOT NULL,
    live_failure                text,
    live_latency_ms             double precision NOT NULL,
    live_ttft_ms                double precision,
    live_prompt_tokens          integer          NOT NULL,
    live_completion_tokens      integer          NOT NULL,
    live_cost_nano              bigint           NOT NULL,
    candidate_failure           text,
    candidate_latency_ms        double precision,
    candidate_ttft_ms           double precision,
    candidate_prompt_tokens     integer          NOT NULL,
    candidate_completion_tokens integer          NOT NULL,
    candidate_cost_nano         bigint           NOT NULL,
    evaluation_cost_nano        bigint           NOT NULL,
    tool_expected               boolean,
    tool_same_function          boolean,
    tool_arguments_equal        boolean,
    tool_arguments_valid        boolean,
    schema_expected             boolean          NOT NULL,
    live_schema_valid           boolean,
    candidate_schema_valid      boolean,
    text_exact_match            boolean,
    length_ratio                double precision,
    similarity                  double precision,
    judge_verdict               text,
    judge_candidate_position    integer,
    PRIMARY KEY (experiment_id, request_id, candidate_deployment)
);

CREATE INDEX experiment_pairs_ts ON experiment_pairs (experiment_id, ts);
CREATE INDEX experiment_pairs_source ON experiment_pairs (experiment_id, source, ts);
CREATE INDEX experiment_pairs_day ON experiment_pairs (experiment_id, day);
