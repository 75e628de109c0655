-- Transfer of ownership (工作转移): every ownership.transfer is one batch, and every record it moved
-- (customer, open opportunity, open task) one move with its owner before and after, so that a
-- departure can be traced and undone record by record.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('ownership_batch', 1);

CREATE TABLE crm_ownership_batch (
  id BIGINT NOT NULL PRIMARY KEY,
  from_owner VARCHAR(128) NOT NULL,
  to_owner VARCHAR(128) NOT NULL,
  reason VARCHAR(500) NOT NULL,
  filter TEXT NOT NULL,
  customers BIGINT NOT NULL,
  opportunities BIGINT NOT NULL,
  tasks BIGINT NOT NULL,
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR(128) NOT NULL
);

CREATE INDEX crm_ownership_batch_from_idx ON crm_ownership_batch (from_owner, id);
CREATE INDEX crm_ownership_batch_to_idx ON crm_ownership_batch (to_owner, id);

CREATE TABLE crm_ownership_move (
  batch_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL CHECK (kind IN ('customer', 'opportunity', 'task')),
  record_id BIGINT NOT NULL,
  owner_before VARCHAR(128),
  owner_after VARCHAR(128),
  PRIMARY KEY (batch_id, kind, record_id)
);
