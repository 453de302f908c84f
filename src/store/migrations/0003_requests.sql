-- 0003_requests: server requests (one per server name; the request document as filed plus its
-- review state) and evidence bound to a server version and the digest that was examined.
CREATE TABLE server_requests (
  name        VARCHAR(255) PRIMARY KEY,
  state       VARCHAR(16)  NOT NULL,
  document    TEXT         NOT NULL,  -- JSON object, as filed
  issuer      VARCHAR(512) NOT NULL,  -- publisher identity named in the document
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
  id           INTEGER      PRIMARY KEY,
  server_name  VARCHAR(255) NOT NULL,
  version      VARCHAR(255) NOT NULL,
  digest       VARCHAR(64)  NOT NULL,  -- sha256 hex of the examined package, '' for remote-only
  kind         VARCHAR(32)  NOT NULL,
  verdict      VARCHAR(8)   NOT NULL,
  summary      TEXT         NOT NULL,
  document     TEXT         NOT NULL,  -- JSON object
  at           BIGINT       NOT NULL,
  actor        VARCHAR(512) NOT NULL,
  CONSTRAINT check_evidence_kind CHECK (kind IN ('sarif', 'threat-model', 'license', 'legal')),
  CONSTRAINT check_evidence_verdict CHECK (verdict IN ('pass', 'fail'))
);
CREATE INDEX idx_evidence_version ON evidence (server_name, version, id);
CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END;
