-- Delegation (工作代理): for a window of time a delegate sees and works the delegator's customers,
-- all of them (scope everything) or those listed in crm_delegation_customer. Whether one is
-- active is judged when read (starts_at <= now < ends_at, not ended early, delegator active).

INSERT INTO crm_id_sequence (name, next_id) VALUES ('delegation', 1);

CREATE TABLE crm_delegation (
  id INTEGER NOT NULL PRIMARY KEY,
  delegator VARCHAR(128) NOT NULL,
  delegate VARCHAR(128) NOT NULL,
  starts_at CHAR(26) NOT NULL,
  ends_at CHAR(26) NOT NULL,
  ended_at CHAR(26),
  scope VARCHAR(16) NOT NULL CHECK (scope IN ('everything', 'customers')),
  reason VARCHAR(500) NOT NULL,
  created_at CHAR(26) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  ended_by VARCHAR(128)
);

CREATE INDEX crm_delegation_delegate_idx ON crm_delegation (delegate, ends_at);
CREATE INDEX crm_delegation_delegator_idx ON crm_delegation (delegator, ends_at);

CREATE TABLE crm_delegation_customer (
  delegation_id BIGINT NOT NULL,
  customer_id BIGINT NOT NULL,
  PRIMARY KEY (delegation_id, customer_id)
);
