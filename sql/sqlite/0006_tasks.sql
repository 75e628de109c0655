-- Management plans turn into tasks: one row per task a person has to do for a customer, either
-- created by a plan (plan_id names it; kind once or recurring) or by hand (kind manual).
-- crm_class_work is classification.run's scratch list of customers whose class changes (filled
-- and emptied inside the run's transaction).

INSERT INTO crm_id_sequence (name, next_id) VALUES ('task', 1);

CREATE TABLE crm_task (
  id INTEGER NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  plan_id VARCHAR(64),
  kind VARCHAR(16) NOT NULL CHECK (kind IN ('once', 'recurring', 'manual')),
  title VARCHAR(200) NOT NULL,
  owner VARCHAR(128),
  due_at CHAR(26) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  created_at CHAR(26) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  completed_at CHAR(26),
  completed_by VARCHAR(128),
  note VARCHAR(1000),
  version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX crm_task_customer_idx ON crm_task (customer_id, status);
CREATE INDEX crm_task_owner_idx ON crm_task (owner, status, due_at);
CREATE INDEX crm_task_due_idx ON crm_task (status, due_at, id);

CREATE TABLE crm_class_work (
  customer_id BIGINT NOT NULL PRIMARY KEY,
  rule_id VARCHAR(64),
  class_id VARCHAR(64)
);
