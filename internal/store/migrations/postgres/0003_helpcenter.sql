-- The help centre: articles (one row per language variant, grouped), their revisions, the
-- editable lay-to-professional map, and the searches and signals the ranking learns from and
-- the failed-search report reads.

CREATE TABLE articles (
    id           TEXT PRIMARY KEY,
    group_key    TEXT NOT NULL,
    lang         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    tags         TEXT NOT NULL DEFAULT '',
    services     TEXT NOT NULL DEFAULT '',
    visibility   TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'internal')),
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    revision     INTEGER NOT NULL DEFAULT 1,
    updated_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    published_at BIGINT,
    UNIQUE (group_key, lang)
);
CREATE INDEX articles_status ON articles (status, lang);

CREATE TABLE article_revisions (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    category   TEXT NOT NULL,
    tags       TEXT NOT NULL,
    services   TEXT NOT NULL,
    visibility TEXT NOT NULL,
    status     TEXT NOT NULL,
    author     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (article_id, revision)
);

CREATE TABLE lay_phrases (
    id         TEXT PRIMARY KEY,
    lang       TEXT NOT NULL,
    phrase     TEXT NOT NULL,
    terms      TEXT NOT NULL,
    weight     DOUBLE PRECISION NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    UNIQUE (lang, phrase)
);

CREATE TABLE help_searches (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    lang        TEXT NOT NULL,
    query       TEXT NOT NULL,
    norm        TEXT NOT NULL,
    results     INTEGER NOT NULL,
    top_article TEXT NOT NULL DEFAULT '',
    visitor     TEXT NOT NULL DEFAULT '',
    network     TEXT NOT NULL DEFAULT '',
    customer_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX help_searches_at ON help_searches (at);

CREATE TABLE help_signals (
    id         TEXT PRIMARY KEY,
    search_id  TEXT NOT NULL REFERENCES help_searches (id) ON DELETE CASCADE,
    article_id TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('click', 'dwell', 'helpful', 'not-helpful')),
    at         BIGINT NOT NULL,
    UNIQUE (search_id, article_id, kind)
);
CREATE INDEX help_signals_at ON help_signals (at);
