-- Management plans turn into tasks: one row per task a person has to do for a customer, either
-- created by a plan (plan_id names it; kind once or recurring) or by hand (kind manual).
-- crm_class_work is classification.run's scratch list of customers whose class changes (filled
-- and emptied inside the run's transaction).
-- DDL commits on its own here: every statement can run again.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('task', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;

CREATE TABLE IF NOT EXISTS crm_task (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  plan_id VARCHAR(64),
  kind VARCHAR(16) NOT NULL CHECK (kind IN ('once', 'recurring', 'manual')),
  title VARCHAR(200) NOT NULL,
  owner VARCHAR(128),
  due_at DATETIME(6) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  completed_at DATETIME(6),
  completed_by VARCHAR(128),
  note VARCHAR(1000),
  version BIGINT NOT NULL DEFAULT 1,
  KEY crm_task_customer_idx (customer_id, status),
  KEY crm_task_owner_idx (owner, status, due_at),
  KEY crm_task_due_idx (status, due_at, id),
  CONSTRAINT crm_task_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS crm_class_work (
  customer_id BIGINT NOT NULL PRIMARY KEY,
  rule_id VARCHAR(64),
  class_id VARCHAR(64)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
