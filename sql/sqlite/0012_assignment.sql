-- Assignment (分配机制): ordered rules that route a customer, when it is created, imported from
-- the host or handed to sales, to a person of a team (a fixed user, round robin, least load or
-- weighted by capacity, with a cap per person) or else to the team's queue; and every decision
-- made, with the explanation of which rule matched, whom it chose and why the others were
-- skipped. A rule's row is locked while it chooses (last_user_key is its round-robin cursor), so
-- that several host processes assigning at once stay fair and within the caps.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('assignment', 1);

CREATE TABLE crm_assignment_rule (
  code VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  priority INTEGER NOT NULL,
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  on_create SMALLINT NOT NULL CHECK (on_create IN (0, 1)),
  on_import SMALLINT NOT NULL CHECK (on_import IN (0, 1)),
  on_handoff SMALLINT NOT NULL CHECK (on_handoff IN (0, 1)),
  conditions VARCHAR(4000) NOT NULL,
  strategy VARCHAR(16) NOT NULL
    CHECK (strategy IN ('user', 'round_robin', 'least_load', 'weighted')),
  team_key VARCHAR(64) NOT NULL,
  user_key VARCHAR(128),
  cap INTEGER CHECK (cap > 0),
  weights VARCHAR(4000) NOT NULL,
  last_user_key VARCHAR(128),
  created_at CHAR(26) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at CHAR(26) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CONSTRAINT crm_assignment_rule_team_fk FOREIGN KEY (team_key) REFERENCES crm_team (team_key)
);

CREATE INDEX crm_assignment_rule_order_idx ON crm_assignment_rule (priority, code);

CREATE TABLE crm_assignment (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  event VARCHAR(16) NOT NULL CHECK (event IN ('create', 'import', 'handoff', 'manual')),
  rule_code VARCHAR(64),
  owner VARCHAR(128),
  queue VARCHAR(64),
  explanation TEXT NOT NULL,
  decided_at CHAR(26) NOT NULL,
  decided_by VARCHAR(128) NOT NULL,
  CONSTRAINT crm_assignment_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
);

CREATE INDEX crm_assignment_customer_idx ON crm_assignment (customer_id, id);
