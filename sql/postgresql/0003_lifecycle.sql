-- Lifecycle: the append-only ledger of stage moves, the customer's derived facts from the host
-- ERP (first/last order, dormancy), its business class, and the jobs table through which
-- several host processes claim scheduled work (one row per job, locked while it runs).

ALTER TABLE crm_customer
  ADD COLUMN stage_changed_at TIMESTAMP,
  ADD COLUMN first_order_at TIMESTAMP,
  ADD COLUMN last_order_at TIMESTAMP,
  ADD COLUMN dormant_since TIMESTAMP,
  ADD COLUMN referred_by BIGINT REFERENCES crm_customer (id),
  ADD COLUMN is_reference SMALLINT NOT NULL DEFAULT 0,
  ADD COLUMN business_class VARCHAR(64),
  ADD COLUMN class_rule VARCHAR(64),
  ADD COLUMN classified_at TIMESTAMP;

CREATE INDEX crm_customer_class_idx ON crm_customer (business_class, id);
CREATE INDEX crm_customer_referred_idx ON crm_customer (referred_by);

INSERT INTO crm_id_sequence (name, next_id) VALUES ('lifecycle_event', 1);

CREATE TABLE crm_lifecycle_event (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  from_stage VARCHAR(16),
  to_stage VARCHAR(16) NOT NULL,
  occurred_at TIMESTAMP NOT NULL,
  recorded_at TIMESTAMP NOT NULL,
  actor VARCHAR(128) NOT NULL,
  on_behalf_of VARCHAR(128),
  reason_code VARCHAR(64) NOT NULL,
  reason_text VARCHAR(1000),
  source_kind VARCHAR(16) NOT NULL CHECK (source_kind IN ('manual', 'order', 'opportunity', 'import')),
  source_key VARCHAR(128),
  owner_before VARCHAR(128),
  owner_after VARCHAR(128)
);

CREATE INDEX crm_lifecycle_event_customer_idx ON crm_lifecycle_event (customer_id, occurred_at, id);
CREATE INDEX crm_lifecycle_event_time_idx ON crm_lifecycle_event (occurred_at, to_stage);

CREATE TABLE crm_job (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  watermark VARCHAR(2000),
  runs BIGINT NOT NULL DEFAULT 0,
  last_started_at TIMESTAMP,
  last_finished_at TIMESTAMP,
  last_run_by VARCHAR(128),
  last_result TEXT
);

INSERT INTO crm_job (name) VALUES ('lifecycle.sync');
INSERT INTO crm_job (name) VALUES ('value.run');
INSERT INTO crm_job (name) VALUES ('classification.run');
