-- Branches: what the branches table (0001) lacked for visits — each branch's hours (a business
-- calendar by id), the catalogue services it offers with their usual length, and its desks,
-- each serving some of those services. Then appointments, one per desk and slot, and virtual
-- queue tickets.
--
-- Two guarantees live here rather than in code, so they hold across nodes and restarts:
-- appointments_desk_slot makes a second booking of a desk's slot fail however many requests
-- race for it (cancelled ones free the slot), and queue_tickets' unique (branch_id, day,
-- number) gives every ticket of a day its own number.

CREATE TABLE branch_profiles (
    branch_id    TEXT PRIMARY KEY REFERENCES branches (id),
    slug         TEXT NOT NULL UNIQUE,
    names        TEXT NOT NULL DEFAULT '{}',
    calendar_id  TEXT NOT NULL DEFAULT 'default',
    notify_ahead INTEGER NOT NULL DEFAULT 3,
    -- The day's last ticket number, counted in this row so that takers at once wait for each
    -- other on the row instead of colliding on the unique number.
    ticket_day    TEXT NOT NULL DEFAULT '',
    ticket_number INTEGER NOT NULL DEFAULT 0,
    updated_by   TEXT NOT NULL DEFAULT '',
    updated_at   BIGINT NOT NULL
);

CREATE TABLE branch_services (
    branch_id  TEXT NOT NULL REFERENCES branches (id),
    service_id TEXT NOT NULL,
    minutes    INTEGER NOT NULL,
    PRIMARY KEY (branch_id, service_id)
);

CREATE TABLE branch_desks (
    id           TEXT PRIMARY KEY,
    branch_id    TEXT NOT NULL REFERENCES branches (id),
    name         TEXT NOT NULL,
    services     TEXT NOT NULL DEFAULT '[]',
    slot_minutes INTEGER NOT NULL,
    fast         INTEGER NOT NULL DEFAULT 0,
    appointments INTEGER NOT NULL DEFAULT 1,
    position     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (branch_id, name)
);

CREATE TABLE appointments (
    id           TEXT PRIMARY KEY,
    branch_id    TEXT NOT NULL REFERENCES branches (id),
    service_id   TEXT NOT NULL,
    desk_id      TEXT NOT NULL REFERENCES branch_desks (id),
    customer_id  TEXT REFERENCES customers (id),
    name         TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT '',
    via          TEXT NOT NULL DEFAULT '',
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    cancelled_at BIGINT,
    reminded_at  BIGINT
);

CREATE UNIQUE INDEX appointments_desk_slot ON appointments (desk_id, starts_at) WHERE cancelled_at IS NULL;
CREATE INDEX appointments_branch_time ON appointments (branch_id, starts_at);

CREATE TABLE queue_tickets (
    id            TEXT PRIMARY KEY,
    branch_id     TEXT NOT NULL REFERENCES branches (id),
    service_id    TEXT NOT NULL,
    day           TEXT NOT NULL,
    number        INTEGER NOT NULL,
    code          TEXT NOT NULL,
    pickup        INTEGER NOT NULL DEFAULT 0,
    customer_id   TEXT REFERENCES customers (id),
    phone         TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL DEFAULT '',
    via           TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    desk_id       TEXT REFERENCES branch_desks (id),
    created_at    BIGINT NOT NULL,
    checked_in_at BIGINT,
    called_at     BIGINT,
    served_at     BIGINT,
    done_at       BIGINT,
    near_sent_at  BIGINT,
    updated_at    BIGINT NOT NULL,
    UNIQUE (branch_id, day, number),
    UNIQUE (branch_id, day, code)
);

CREATE INDEX queue_tickets_waiting ON queue_tickets (branch_id, status, service_id, number);
CREATE INDEX queue_tickets_done ON queue_tickets (branch_id, service_id, done_at);
