-- 0002_governance: publishing rights (grants), the append-only hash-chained audit log, and the
-- package feed's artifact index. Timestamps are integer microseconds since the Unix epoch.
CREATE TABLE grants (
  id          INTEGER      PRIMARY KEY,
  issuer      VARCHAR(512) NOT NULL,  -- OIDC issuer URL of the identity
  subject     VARCHAR(512) NOT NULL,  -- its "sub" (managed identity, service principal, ...)
  namespace   VARCHAR(255) NOT NULL,  -- a name pattern: "com.contoso/*", "com.contoso/weather"
  role        VARCHAR(32)  NOT NULL,
  created_at  BIGINT       NOT NULL,
  created_by  VARCHAR(512) NOT NULL,
  CONSTRAINT check_grant_role CHECK (role IN ('publisher', 'feed-contributor', 'reviewer', 'admin')),
  CONSTRAINT unique_grant UNIQUE (issuer, subject, namespace, role)
);
CREATE INDEX idx_grants_identity ON grants (issuer, subject);

-- hash = sha256(prev_hash || canonical JSON of [seq, at, actor, action, resource, details]);
-- the first row's prev_hash is 64 zeros. Rows are never updated or deleted.
CREATE TABLE audit_log (
  seq        INTEGER      PRIMARY KEY,
  at         BIGINT       NOT NULL,
  actor      VARCHAR(512) NOT NULL,
  action     VARCHAR(64)  NOT NULL,
  resource   VARCHAR(512) NOT NULL,
  details    TEXT         NOT NULL,  -- JSON object
  prev_hash  CHAR(64)     NOT NULL,
  hash       CHAR(64)     NOT NULL
);
CREATE INDEX idx_audit_resource ON audit_log (resource, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

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
