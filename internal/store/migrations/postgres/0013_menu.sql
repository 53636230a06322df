-- Contact centre menus: menu trees (defined once as JSON beside their id, rendered as the phone
-- IVR and as the visual menu) and one row per call that went through a menu, keyed by the
-- provider's call id so that a retried webhook finds the call where it is and a restarted node
-- carries on. last_step and last_answer make a retried menu step answer the same again instead
-- of moving the caller twice.

CREATE TABLE menu_trees (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_by TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE menu_calls (
    id              TEXT PRIMARY KEY,
    channel_id      TEXT NOT NULL REFERENCES channels (id),
    call_sid        TEXT NOT NULL,
    tree_id         TEXT NOT NULL,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    conversation_id TEXT NOT NULL DEFAULT '',
    caller          TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    node            TEXT NOT NULL DEFAULT '',
    tries           INTEGER NOT NULL DEFAULT 0,
    step            INTEGER NOT NULL DEFAULT 0,
    last_answer     TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'menu',
    queue           TEXT NOT NULL DEFAULT '',
    queue_position  INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    enqueued_at     BIGINT,
    ended_at        BIGINT,
    UNIQUE (channel_id, call_sid)
);
CREATE INDEX menu_calls_queue ON menu_calls (channel_id, queue, state, enqueued_at);
CREATE INDEX menu_calls_customer ON menu_calls (customer_id, created_at);
