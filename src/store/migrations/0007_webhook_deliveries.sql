-- 0007_webhook_deliveries: delivery state of the change feed's webhooks (federation/webhooks.h),
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
