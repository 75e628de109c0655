-- The organisation: CRM users (copied from the host by users.sync, or managed with user.*), the
-- roles each holds (role names of the organisation configuration), teams with members and a
-- lead, and team queues: a customer with queue set and no owner waits for a member of that team
-- to take it (imports and returns to nurture land in the marketing queue).
-- DDL commits on its own here: every statement can run again.

CREATE TABLE IF NOT EXISTS crm_user (
  user_key VARCHAR(128) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  email VARCHAR(254),
  manager_key VARCHAR(128),
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  origin VARCHAR(8) NOT NULL CHECK (origin IN ('host', 'crm')),
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_user_manager_idx ON crm_user (manager_key);

CREATE TABLE IF NOT EXISTS crm_user_role (
  user_key VARCHAR(128) NOT NULL,
  role VARCHAR(64) NOT NULL,
  PRIMARY KEY (user_key, role),
  CONSTRAINT crm_user_role_user_fk FOREIGN KEY (user_key) REFERENCES crm_user (user_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS crm_team (
  team_key VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  lead_key VARCHAR(128),
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS crm_team_member (
  team_key VARCHAR(64) NOT NULL,
  user_key VARCHAR(128) NOT NULL,
  PRIMARY KEY (team_key, user_key),
  CONSTRAINT crm_team_member_team_fk FOREIGN KEY (team_key) REFERENCES crm_team (team_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_team_member_user_idx ON crm_team_member (user_key, team_key);

ALTER TABLE crm_customer ADD COLUMN IF NOT EXISTS queue VARCHAR(64);
CREATE INDEX IF NOT EXISTS crm_customer_queue_idx ON crm_customer (queue, id);

-- Before teams, imports and returns to nurture were given to the owner "marketing", which is no
-- user: they now wait in the marketing team's queue (lifecycle.nurture_team).
UPDATE crm_customer SET queue = 'marketing', owner = NULL WHERE owner = 'marketing';
