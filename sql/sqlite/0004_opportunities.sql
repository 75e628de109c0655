-- Opportunities carry exact money and a lifecycle of their own: amounts in minor units
-- (BIGINT, scale 2), open/won/lost status, and an append-only event history from which time in
-- stage is computed. The text column `amount` was never written by any method and is dropped.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('opportunity_event', 1);

ALTER TABLE crm_opportunity DROP COLUMN amount;
ALTER TABLE crm_opportunity ADD COLUMN amount_minor BIGINT;
ALTER TABLE crm_opportunity ADD COLUMN status VARCHAR(8) NOT NULL DEFAULT 'open'
  CHECK (status IN ('open', 'won', 'lost'));
ALTER TABLE crm_opportunity ADD COLUMN stage_entered_at CHAR(26);
ALTER TABLE crm_opportunity ADD COLUMN closed_at CHAR(26);
ALTER TABLE crm_opportunity ADD COLUMN close_reason VARCHAR(500);
UPDATE crm_opportunity SET stage_entered_at = updated_at;

CREATE INDEX crm_opportunity_customer_status_idx ON crm_opportunity (customer_id, status);

-- One row per meaningful change: from_stage is the stage before it, to_stage, amount_minor
-- and probability the state after it.
CREATE TABLE crm_opportunity_event (
  id INTEGER NOT NULL PRIMARY KEY,
  opportunity_id BIGINT NOT NULL REFERENCES crm_opportunity (id),
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  kind VARCHAR(16) NOT NULL
    CHECK (kind IN ('created', 'stage', 'amount', 'probability', 'won', 'lost', 'reopened')),
  from_stage VARCHAR(32),
  to_stage VARCHAR(32),
  amount_minor BIGINT,
  probability INTEGER,
  reason VARCHAR(500),
  occurred_at CHAR(26) NOT NULL,
  actor VARCHAR(128) NOT NULL
);

CREATE INDEX crm_opportunity_event_customer_idx
  ON crm_opportunity_event (customer_id, occurred_at, id);
CREATE INDEX crm_opportunity_event_opportunity_idx
  ON crm_opportunity_event (opportunity_id, occurred_at, id);
