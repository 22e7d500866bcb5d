-- Captured request/response pairs for distillation datasets (docs/capture.md): one row per captured request, its
-- record already in the OpenAI chat fine-tuning shape ({"messages":[...],"tools":[...]}) and redacted where configured.
-- Content, unlike the request log: only requests that passed the capture policy are here. level is 0 (public) to
-- 3 (restricted); timestamps are Unix milliseconds (UTC). A rowid table: records are large.
CREATE TABLE capture (
    request_id    TEXT    NOT NULL UNIQUE,
    ts            INTEGER NOT NULL,
    key_id        TEXT    NOT NULL,
    team_id       TEXT    NOT NULL,
    model         TEXT    NOT NULL,
    provider_id   TEXT    NOT NULL,
    deployment_id TEXT    NOT NULL,
    level         INTEGER NOT NULL,
    redactions    INTEGER NOT NULL,
    tool_calls    INTEGER NOT NULL,
    streamed      INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    record        TEXT    NOT NULL
);

CREATE INDEX capture_ts ON capture (ts, request_id);
CREATE INDEX capture_key_ts ON capture (key_id, ts);
CREATE INDEX capture_team_ts ON capture (team_id, ts);
