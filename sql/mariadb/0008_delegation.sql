-- Delegation (工作代理): for a window of time a delegate sees and works the delegator's customers,
-- all of them (scope everything) or those listed in crm_delegation_customer. Whether one is
-- active is judged when read (starts_at <= now < ends_at, not ended early, delegator active).
-- DDL commits on its own here: every statement can run again.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('delegation', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;

CREATE TABLE IF NOT EXISTS crm_delegation (
  id BIGINT NOT NULL PRIMARY KEY,
  delegator VARCHAR(128) NOT NULL,
  delegate VARCHAR(128) NOT NULL,
  starts_at DATETIME(6) NOT NULL,
  ends_at DATETIME(6) NOT NULL,
  ended_at DATETIME(6),
  scope VARCHAR(16) NOT NULL CHECK (scope IN ('everything', 'customers')),
  reason VARCHAR(500) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  ended_by VARCHAR(128)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_delegation_delegate_idx ON crm_delegation (delegate, ends_at);
CREATE INDEX IF NOT EXISTS crm_delegation_delegator_idx ON crm_delegation (delegator, ends_at);

CREATE TABLE IF NOT EXISTS crm_delegation_customer (
  delegation_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  PRIMARY KEY (delegation_id, customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;
