-- 0002_shared_state (PostgreSQL): what replicas share besides the registry tables: settings
-- (the registry signing key, created by the first replica to start) and feed package bytes,
-- stored in chunks so no single value approaches PostgreSQL's 1 GB field limit and a range
-- read touches only the chunks it needs.
CREATE TABLE settings (
  key    VARCHAR(64) PRIMARY KEY,
  value  TEXT        NOT NULL
);

CREATE TABLE feed_blobs (
  sha256      CHAR(64) PRIMARY KEY,
  size        BIGINT   NOT NULL,
  chunk_size  INTEGER  NOT NULL CHECK (chunk_size > 0)
);
CREATE TABLE feed_blob_chunks (
  sha256  CHAR(64) NOT NULL REFERENCES feed_blobs (sha256) ON DELETE CASCADE,
  n       INTEGER  NOT NULL,  -- chunk number from 0; bytes [n * chunk_size, ...)
  data    BYTEA    NOT NULL,
  PRIMARY KEY (sha256, n)
);
