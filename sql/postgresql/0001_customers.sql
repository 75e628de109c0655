-- Customers and their contacts. Ids come from crm_id_sequence (blocks reserved by each
-- process), so bulk inserts know their ids up front on every database.
-- Timestamps are UTC in TIMESTAMP (without time zone, microseconds): psqlODBC drops the zone
-- of timestamptz values, and the library converts to UTC before writing.
-- VARCHAR lengths count characters (the database is UTF8).

CREATE TABLE crm_id_sequence (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  next_id BIGINT NOT NULL
);

INSERT INTO crm_id_sequence (name, next_id) VALUES ('customer', 1);
INSERT INTO crm_id_sequence (name, next_id) VALUES ('contact', 1);

CREATE TABLE crm_customer (
  id BIGINT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  kind VARCHAR(16) NOT NULL CHECK (kind IN ('company', 'person')),
  phone VARCHAR(50),
  email VARCHAR(254),
  address VARCHAR(500),
  region VARCHAR(100),
  industry VARCHAR(100),
  stage VARCHAR(16) NOT NULL DEFAULT 'unidentified'
    CHECK (stage IN ('unidentified', 'potential', 'opportunity', 'customer', 'repeat', 'disqualified')),
  owner VARCHAR(128),
  source VARCHAR(100),
  attributes TEXT NOT NULL DEFAULT '{}',
  host_key VARCHAR(128) UNIQUE,
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX crm_customer_stage_idx ON crm_customer (stage, id);
CREATE INDEX crm_customer_owner_idx ON crm_customer (owner, id);

CREATE TABLE crm_contact (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  name VARCHAR(200) NOT NULL,
  title VARCHAR(100),
  phone VARCHAR(50),
  email VARCHAR(254),
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR(128) NOT NULL
);

CREATE INDEX crm_contact_customer_idx ON crm_contact (customer_id, id);
