-- Media: the bytes of files customers send (photos, documents, voice notes), fetched from the
-- provider at ingest and stored in the same transaction as the message that carries them, so
-- an acknowledged message never points at a file that was lost. Kept by content hash once.

CREATE TABLE media (
    id           TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    data         BLOB NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX media_sha256 ON media (sha256);
