#include "store/migrations/sqlite_migrations.h"

namespace mcpreg::store {
namespace {

// Must stay byte-identical to 0001_init.sql (checked by StoreMigrationsTest).
constexpr std::string_view k0001Init = R"sql(-- 0001_init: the server_versions table (one row per server version) and the store-wide change
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
)sql";

// Must stay byte-identical to 0002_governance.sql.
constexpr std::string_view k0002Governance = R"sql(-- 0002_governance: publishing rights (grants), the append-only hash-chained audit log, and the
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
)sql";

// Must stay byte-identical to 0003_requests.sql.
constexpr std::string_view k0003Requests = R"sql(-- 0003_requests: server requests (one per server name; the request document as filed plus its
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
)sql";

// Must stay byte-identical to 0005_identity_issuer.sql.
constexpr std::string_view k0005IdentityIssuer = R"sql(-- 0005_identity_issuer: identity = issuer + subject. A request's filer used to be stored as
-- "<auth method>:<subject>" without the OIDC issuer, so the same subject at another issuer
-- matched it. Such legacy filers cannot be attributed to an issuer: they are renamed
-- "legacy:<old value>", which no principal matches (the request stays readable by reviewers
-- and by its publisher identity, which was always stored with its issuer). Namespace-proof
-- filers ("dns:", "http:") and the local operator ("cli:") carry no issuer and are kept.
UPDATE server_requests SET created_by = 'legacy:' || created_by
 WHERE created_by NOT LIKE 'dns:%' AND created_by NOT LIKE 'http:%'
   AND created_by NOT LIKE 'cli:%' AND created_by NOT LIKE 'legacy:%';
)sql";

// Must stay byte-identical to 0006_mirror.sql.
constexpr std::string_view k0006Mirror = R"sql(-- 0006_mirror: federation mirrors (issue 13). A mirrored version is a server_versions row that
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
)sql";

// Must stay byte-identical to 0007_webhook_deliveries.sql.
constexpr std::string_view k0007WebhookDeliveries = R"sql(-- 0007_webhook_deliveries: delivery state of the change feed's webhooks (federation/webhooks.h),
-- one row per configured webhook URL: every change with seq <= cursor (the audit log's seq) was
-- delivered or given up on; the other columns describe the attempts at the next one. Local
-- operational state: `mcpreg copy` does not carry it. Timestamps are integer microseconds.
CREATE TABLE webhook_deliveries (
  url              VARCHAR(2048) PRIMARY KEY,
  cursor           BIGINT        NOT NULL DEFAULT 0,
  attempts         BIGINT        NOT NULL DEFAULT 0,
  last_status      INTEGER       NOT NULL DEFAULT 0,
  last_error       TEXT          NOT NULL DEFAULT '',
  next_attempt_at  BIGINT        NOT NULL DEFAULT 0,
  first_failure_at BIGINT        NOT NULL DEFAULT 0,
  abandoned        BIGINT        NOT NULL DEFAULT 0,
  updated_at       BIGINT        NOT NULL DEFAULT 0
);
)sql";

constexpr Migration kMigrations[] = {
    {1, "init", k0001Init},
    {2, "governance", k0002Governance},
    {3, "requests", k0003Requests},
    {5, "identity_issuer", k0005IdentityIssuer},
    {6, "mirror", k0006Mirror},
    {7, "webhook_deliveries", k0007WebhookDeliveries},
};

}  // namespace

std::span<const Migration> SqliteMigrations() { return kMigrations; }

}  // namespace mcpreg::store
