-- Captured request/response pairs for distillation datasets (docs/capture.md): one row per captured request, its
-- record already in the OpenAI chat fine-tuning shape ({"messages":[...],"tools":[...]}) and redacted where configured.
-- Content, unlike the request log: only requests that passed the capture policy are here. level is 0 (public) to
-- 3 (restricted).
CREATE TABLE capture (
    request_id    text        NOT NULL PRIMARY KEY,
    ts            timestamptz NOT NULL,
    key_id        text        NOT NULL,
    team_id       text        NOT NULL,
    model         text        NOT NULL,
    provider_id   text        NOT NULL,
    deployment_id text        NOT NULL,
    level         smallint    NOT NULL,
    redactions    integer     NOT NULL,
    tool_calls    integer     NOT NULL,
    streamed      boolean     NOT NULL,
    bytes         integer     NOT NULL,
    record        text        NOT NULL
);

CREATE INDEX capture_ts ON capture (ts, request_id);
CREATE INDEX capture_key_ts ON capture (key_id, ts);
CREATE INDEX capture_team_ts ON capture (team_id, ts);
