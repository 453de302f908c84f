-- 0001_init (PostgreSQL): the registry's tables, matching the SQLite schema after its migration 5.
-- Timestamps are integer microseconds since the Unix epoch (UTC).
--
-- Write ordering: every write transaction first locks the single store_head row (SELECT ...
-- FOR UPDATE) and keeps it until COMMIT. Version seqs and audit seqs are handed out from that
-- row, so they are gapless and become visible in commit order: `WHERE seq > last_seen` is a
-- complete catch-up query on every replica, and the audit hash chain has one head.
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
CREATE UNIQUE INDEX idx_server_versions_one_latest ON server_versions (server_name) WHERE is_latest;
CREATE UNIQUE INDEX idx_server_versions_seq ON server_versions (seq);

-- The one row every writer locks: last version seq, last audit entry (seq and hash).
CREATE TABLE store_head (
  id         INTEGER  PRIMARY KEY CHECK (id = 1),
  seq        BIGINT   NOT NULL,
  audit_seq  BIGINT   NOT NULL,
  audit_hash CHAR(64) NOT NULL
);
INSERT INTO store_head (id, seq, audit_seq, audit_hash) VALUES (1, 0, 0, repeat('0', 64));

CREATE TABLE grants (
  id          BIGSERIAL    PRIMARY KEY,
  issuer      VARCHAR(512) NOT NULL,
  subject     VARCHAR(512) NOT NULL,
  namespace   VARCHAR(255) NOT NULL,
  role        VARCHAR(32)  NOT NULL,
  created_at  BIGINT       NOT NULL,
  created_by  VARCHAR(512) NOT NULL,
  CONSTRAINT check_grant_role CHECK (role IN ('publisher', 'feed-contributor', 'reviewer', 'admin')),
  CONSTRAINT unique_grant UNIQUE (issuer, subject, namespace, role)
);
CREATE INDEX idx_grants_identity ON grants (issuer, subject);

-- hash = sha256(prev_hash || canonical JSON of [seq, at, actor, action, resource, details]).
CREATE TABLE audit_log (
  seq        BIGINT       PRIMARY KEY,
  at         BIGINT       NOT NULL,
  actor      VARCHAR(512) NOT NULL,
  action     VARCHAR(64)  NOT NULL,
  resource   VARCHAR(512) NOT NULL,
  details    TEXT         NOT NULL,
  prev_hash  CHAR(64)     NOT NULL,
  hash       CHAR(64)     NOT NULL
);
CREATE INDEX idx_audit_resource ON audit_log (resource, seq);

CREATE FUNCTION mcpreg_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION mcpreg_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION mcpreg_append_only();

CREATE TABLE feed_artifacts (
  server_name  VARCHAR(255) NOT NULL,
  version      VARCHAR(255) NOT NULL,
  filename     VARCHAR(255) NOT NULL,
  sha256       CHAR(64)     NOT NULL,
  size         BIGINT       NOT NULL,
  content_type VARCHAR(255) NOT NULL,
  uploaded_at  BIGINT       NOT NULL,
  uploaded_by  VARCHAR(512) NOT NULL,
  PRIMARY KEY (server_name, version, filename)
);
CREATE INDEX idx_feed_artifacts_sha256 ON feed_artifacts (sha256);

CREATE TABLE server_requests (
  name        VARCHAR(255) PRIMARY KEY,
  state       VARCHAR(16)  NOT NULL,
  document    TEXT         NOT NULL,
  issuer      VARCHAR(512) NOT NULL,
  subject     VARCHAR(512) NOT NULL,
  revision    BIGINT       NOT NULL,
  created_at  BIGINT       NOT NULL,
  updated_at  BIGINT       NOT NULL,
  created_by  VARCHAR(512) NOT NULL,
  decided_by  VARCHAR(512) NOT NULL DEFAULT '',
  decided_at  BIGINT       NOT NULL DEFAULT 0,
  reason      TEXT         NOT NULL DEFAULT '',
  CONSTRAINT check_request_state CHECK (state IN ('pending', 'approved', 'rejected', 'retired'))
);
CREATE INDEX idx_server_requests_state ON server_requests (state, name);

CREATE TABLE evidence (
  id           BIGSERIAL    PRIMARY KEY,
  server_name  VARCHAR(255) NOT NULL,
  version      VARCHAR(255) NOT NULL,
  digest       VARCHAR(64)  NOT NULL,
  kind         VARCHAR(32)  NOT NULL,
  verdict      VARCHAR(8)   NOT NULL,
  summary      TEXT         NOT NULL,
  document     TEXT         NOT NULL,
  at           BIGINT       NOT NULL,
  actor        VARCHAR(512) NOT NULL,
  CONSTRAINT check_evidence_kind CHECK (kind IN ('sarif', 'threat-model', 'license', 'legal')),
  CONSTRAINT check_evidence_verdict CHECK (verdict IN ('pass', 'fail'))
);
CREATE INDEX idx_evidence_version ON evidence (server_name, version, id);
CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE ON evidence
  FOR EACH ROW EXECUTE FUNCTION mcpreg_append_only();
CREATE TRIGGER evidence_no_truncate BEFORE TRUNCATE ON evidence
  FOR EACH STATEMENT EXECUTE FUNCTION mcpreg_append_only();
