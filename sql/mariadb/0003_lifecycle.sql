-- Lifecycle: the append-only ledger of stage moves, the customer's derived facts from the host
-- ERP (first/last order, dormancy), its business class, and the jobs table through which
-- several host processes claim scheduled work (one row per job, locked while it runs).
-- DDL commits on its own here: every statement can run again.

ALTER TABLE crm_customer
  ADD COLUMN IF NOT EXISTS stage_changed_at DATETIME(6),
  ADD COLUMN IF NOT EXISTS first_order_at DATETIME(6),
  ADD COLUMN IF NOT EXISTS last_order_at DATETIME(6),
  ADD COLUMN IF NOT EXISTS dormant_since DATETIME(6),
  ADD COLUMN IF NOT EXISTS referred_by BIGINT,
  ADD COLUMN IF NOT EXISTS is_reference SMALLINT NOT NULL DEFAULT 0,
  ADD COLUMN IF NOT EXISTS business_class VARCHAR(64),
  ADD COLUMN IF NOT EXISTS class_rule VARCHAR(64),
  ADD COLUMN IF NOT EXISTS classified_at DATETIME(6);

CREATE INDEX IF NOT EXISTS crm_customer_class_idx ON crm_customer (business_class, id);
CREATE INDEX IF NOT EXISTS crm_customer_referred_idx ON crm_customer (referred_by);
ALTER TABLE crm_customer ADD CONSTRAINT crm_customer_referred_fk
  FOREIGN KEY IF NOT EXISTS (referred_by) REFERENCES crm_customer (id);

INSERT INTO crm_id_sequence (name, next_id) VALUES ('lifecycle_event', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;

CREATE TABLE IF NOT EXISTS crm_lifecycle_event (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  from_stage VARCHAR(16),
  to_stage VARCHAR(16) NOT NULL,
  occurred_at DATETIME(6) NOT NULL,
  recorded_at DATETIME(6) NOT NULL,
  actor VARCHAR(128) NOT NULL,
  on_behalf_of VARCHAR(128),
  reason_code VARCHAR(64) NOT NULL,
  reason_text VARCHAR(1000),
  source_kind VARCHAR(16) NOT NULL CHECK (source_kind IN ('manual', 'order', 'opportunity', 'import')),
  source_key VARCHAR(128),
  owner_before VARCHAR(128),
  owner_after VARCHAR(128),
  KEY crm_lifecycle_event_customer_idx (customer_id, occurred_at, id),
  KEY crm_lifecycle_event_time_idx (occurred_at, to_stage),
  CONSTRAINT crm_lifecycle_event_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS crm_job (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  watermark VARCHAR(2000),
  runs BIGINT NOT NULL DEFAULT 0,
  last_started_at DATETIME(6),
  last_finished_at DATETIME(6),
  last_run_by VARCHAR(128),
  last_result MEDIUMTEXT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

INSERT INTO crm_job (name) VALUES ('lifecycle.sync') ON DUPLICATE KEY UPDATE name = name;
INSERT INTO crm_job (name) VALUES ('value.run') ON DUPLICATE KEY UPDATE name = name;
INSERT INTO crm_job (name) VALUES ('classification.run') ON DUPLICATE KEY UPDATE name = name;
