-- Service levels: the business calendars targets count in, each channel's policy (targets,
-- reminders, auto-close, capacity weight, topics, escalation), and the running SLA clocks of
-- conversations. A channel without a policy row has the defaults of its kind; a calendar id
-- without a row is the built-in Israeli week. Durations are milliseconds of business time.

CREATE TABLE calendars (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE channel_policies (
    channel_id        TEXT PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    calendar_id       TEXT NOT NULL,
    first_response_ms BIGINT NOT NULL,
    next_response_ms  BIGINT NOT NULL,
    resolution_ms     BIGINT NOT NULL,
    reminder_ms       BIGINT NOT NULL,
    max_reminders     INTEGER NOT NULL,
    nudge_ms          BIGINT NOT NULL,
    auto_close_ms     BIGINT NOT NULL,
    weight            REAL NOT NULL,
    topics            TEXT NOT NULL DEFAULT '',
    notify_supervisor INTEGER NOT NULL DEFAULT 1,
    raise_priority    INTEGER NOT NULL DEFAULT 0,
    escalate_queue_id TEXT REFERENCES queues (id) ON DELETE SET NULL,
    updated_by        TEXT NOT NULL DEFAULT '',
    updated_at        BIGINT NOT NULL
);

-- One row per clock. slot is what the clock waits for: the agent's answer (response: kind
-- first-response or next-response), the resolution, or the customer's answer (customer: the
-- reminders and the auto-close). A conversation has at most one live clock per slot. due_at
-- is the next moment the scheduler must look at the clock (its 80 % warning, its deadline, a
-- nudge, a reminder); the scheduler claims running clocks by it, so a million clocks are a
-- million rows and one index, not a million timers.
CREATE TABLE sla_clocks (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    channel_id      TEXT REFERENCES channels (id),
    slot            TEXT NOT NULL CHECK (slot IN ('response', 'resolution', 'customer')),
    kind            TEXT NOT NULL CHECK (kind IN ('first-response', 'next-response', 'resolution', 'awaiting-customer')),
    state           TEXT NOT NULL CHECK (state IN ('running', 'paused', 'done')),
    outcome         TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'met', 'missed', 'stopped')),
    calendar_id     TEXT NOT NULL,
    target_ms       BIGINT NOT NULL DEFAULT 0,
    used_ms         BIGINT NOT NULL DEFAULT 0,
    running_since   BIGINT,
    deadline_at     BIGINT,
    warn_at         BIGINT,
    warned          INTEGER NOT NULL DEFAULT 0,
    breached        INTEGER NOT NULL DEFAULT 0,
    nudge_at        BIGINT,
    remind_at       BIGINT,
    close_at        BIGINT,
    fired           INTEGER NOT NULL DEFAULT 0,
    due_at          BIGINT,
    started_at      BIGINT NOT NULL,
    ended_at        BIGINT,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX sla_clocks_due ON sla_clocks (state, due_at);
CREATE INDEX sla_clocks_conversation ON sla_clocks (conversation_id, state);
CREATE UNIQUE INDEX sla_clocks_one_live ON sla_clocks (conversation_id, slot) WHERE state <> 'done';
