-- Opportunities carry exact money and a lifecycle of their own: amounts in minor units
-- (BIGINT, scale 2), open/won/lost status, and an append-only event history from which time in
-- stage is computed. The text column `amount` was never written by any method and is dropped.
-- (Re-runnable after a partial failure, like 0001.)

INSERT INTO crm_id_sequence (name, next_id) VALUES ('opportunity_event', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;

ALTER TABLE crm_opportunity
  DROP COLUMN IF EXISTS amount,
  ADD COLUMN IF NOT EXISTS amount_minor BIGINT,
  ADD COLUMN IF NOT EXISTS status VARCHAR(8) NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'won', 'lost')),
  ADD COLUMN IF NOT EXISTS stage_entered_at DATETIME(6),
  ADD COLUMN IF NOT EXISTS closed_at DATETIME(6),
  ADD COLUMN IF NOT EXISTS close_reason VARCHAR(500);
UPDATE crm_opportunity SET stage_entered_at = updated_at WHERE stage_entered_at IS NULL;

CREATE INDEX IF NOT EXISTS crm_opportunity_customer_status_idx
  ON crm_opportunity (customer_id, status);

-- One row per meaningful change: from_stage is the stage before it, to_stage, amount_minor
-- and probability the state after it.
CREATE TABLE IF NOT EXISTS crm_opportunity_event (
  id BIGINT NOT NULL PRIMARY KEY,
  opportunity_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL
    CHECK (kind IN ('created', 'stage', 'amount', 'probability', 'won', 'lost', 'reopened')),
  from_stage VARCHAR(32),
  to_stage VARCHAR(32),
  amount_minor BIGINT,
  probability INTEGER,
  reason VARCHAR(500),
  occurred_at DATETIME(6) NOT NULL,
  actor VARCHAR(128) NOT NULL,
  CONSTRAINT crm_opportunity_event_opportunity_fk
    FOREIGN KEY (opportunity_id) REFERENCES crm_opportunity (id),
  CONSTRAINT crm_opportunity_event_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_opportunity_event_customer_idx
  ON crm_opportunity_event (customer_id, occurred_at, id);
CREATE INDEX IF NOT EXISTS crm_opportunity_event_opportunity_idx
  ON crm_opportunity_event (opportunity_id, occurred_at, id);
