-- 0003_mirror (PostgreSQL, as SQLite 0006_mirror): federation mirrors (issue 13). A mirrored version is a server_versions row that
-- names its upstream (NULL = published here) with its provenance (served as
-- _meta["dev.mcpreg/mirror"]) and the digest of the upstream entry it was written from.
-- mirror_state keeps, per upstream, the incremental-sync watermark (upstream's updatedAt) and
-- the filter the mirrored set was built with; it is written only after a sync finished, so a
-- crash mid-sync repeats that sync from the old watermark (mirror writes are idempotent).
ALTER TABLE server_versions ADD COLUMN mirror_upstream VARCHAR(64);
ALTER TABLE server_versions ADD COLUMN mirror_meta TEXT;
ALTER TABLE server_versions ADD COLUMN mirror_digest VARCHAR(80);
CREATE INDEX idx_server_versions_mirror ON server_versions (mirror_upstream)
  WHERE mirror_upstream IS NOT NULL;

CREATE TABLE mirror_state (
  upstream    VARCHAR(64) PRIMARY KEY,
  filter_key  TEXT        NOT NULL,  -- url + filters the mirrored set was built with
  watermark   BIGINT      NOT NULL,  -- highest upstream updatedAt applied (microseconds)
  synced_at   BIGINT      NOT NULL,  -- when the last sync finished (local clock)
  requests    BIGINT      NOT NULL DEFAULT 0,  -- upstream requests of the last sync
  mirrored    BIGINT      NOT NULL DEFAULT 0   -- versions mirrored (not removed) after it
);
