-- 0001_init: the server_versions table (one row per server version) and the store-wide change
-- counter. Kept portable to PostgreSQL where the dialects allow; the PG backend keeps its own
-- copy where they differ (BOOLEAN literals, a SEQUENCE instead of store_seq, JSONB value).
-- Timestamps are integer microseconds since the Unix epoch (UTC).
CREATE TABLE server_versions (
  server_name       VARCHAR(255) NOT NULL,
  version           VARCHAR(255) NOT NULL,
  status            VARCHAR(50)  NOT NULL DEFAULT 'active',
  status_changed_at BIGINT       NOT NULL,
  status_message    TEXT,
  published_at      BIGINT       NOT NULL,
  updated_at        BIGINT       NOT NULL,
  is_latest         BOOLEAN      NOT NULL DEFAULT FALSE,
  value             TEXT         NOT NULL,  -- the canonical server.json document
  seq               BIGINT       NOT NULL,  -- store-wide change number of the last write
  PRIMARY KEY (server_name, version),
  CONSTRAINT check_status_valid CHECK (status IN ('active', 'deprecated', 'deleted')),
  CONSTRAINT check_status_message_length
    CHECK (status_message IS NULL OR length(status_message) <= 500),
  CONSTRAINT check_version_not_empty CHECK (length(trim(version)) > 0),
  CONSTRAINT check_status_changed_after_published CHECK (status_changed_at >= published_at)
);

-- At most one latest version per server name (upstream idx_unique_latest_per_server).
CREATE UNIQUE INDEX idx_server_versions_one_latest ON server_versions (server_name) WHERE is_latest;
-- Catalog refresh reads `WHERE seq > ? ORDER BY seq`.
CREATE UNIQUE INDEX idx_server_versions_seq ON server_versions (seq);

-- The last seq handed out; bumped inside every write transaction.
CREATE TABLE store_seq (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value BIGINT  NOT NULL
);
INSERT INTO store_seq (id, value) VALUES (1, 0);
