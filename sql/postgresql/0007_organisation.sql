-- The organisation: CRM users (copied from the host by users.sync, or managed with user.*), the
-- roles each holds (role names of the organisation configuration), teams with members and a
-- lead, and team queues: a customer with queue set and no owner waits for a member of that team
-- to take it (imports and returns to nurture land in the marketing queue).

CREATE TABLE crm_user (
  user_key VARCHAR(128) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  email VARCHAR(254),
  manager_key VARCHAR(128),
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  origin VARCHAR(8) NOT NULL CHECK (origin IN ('host', 'crm')),
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX crm_user_manager_idx ON crm_user (manager_key);

CREATE TABLE crm_user_role (
  user_key VARCHAR(128) NOT NULL REFERENCES crm_user (user_key),
  role VARCHAR(64) NOT NULL,
  PRIMARY KEY (user_key, role)
);

CREATE TABLE crm_team (
  team_key VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  lead_key VARCHAR(128),
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE crm_team_member (
  team_key VARCHAR(64) NOT NULL REFERENCES crm_team (team_key),
  user_key VARCHAR(128) NOT NULL,
  PRIMARY KEY (team_key, user_key)
);

CREATE INDEX crm_team_member_user_idx ON crm_team_member (user_key, team_key);

ALTER TABLE crm_customer ADD COLUMN queue VARCHAR(64);
CREATE INDEX crm_customer_queue_idx ON crm_customer (queue, id);

-- Before teams, imports and returns to nurture were given to the owner "marketing", which is no
-- user: they now wait in the marketing team's queue (lifecycle.nurture_team).
UPDATE crm_customer SET queue = 'marketing', owner = NULL WHERE owner = 'marketing';
