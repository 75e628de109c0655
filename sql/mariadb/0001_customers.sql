-- Customers and their contacts. Ids come from crm_id_sequence (blocks reserved by each
-- process), so bulk inserts know their ids up front on every database.
-- Timestamps are UTC in DATETIME(6) (microseconds, no time zone conversion; MariaDB's
-- TIMESTAMP would be TIMESTAMP(0), 1970-2038 and session-time-zone converted).
-- Every table is InnoDB, utf8mb4 with collation utf8mb4_nopad_bin: exact comparison in code
-- point order as on PostgreSQL (C) and SQLite; VARCHAR lengths count characters.
-- Free text that may exceed TEXT's 65,535 bytes in UTF-8 (attributes up to 64 KiB, notes up to
-- 65,535 characters) is MEDIUMTEXT.
-- DDL commits on its own in MariaDB, so a failed migration may leave part of its objects
-- behind: every statement here can run again (IF NOT EXISTS, seed rows kept as they are),
-- and the library runs migrations under a GET_LOCK lock, one process at a time.

CREATE TABLE IF NOT EXISTS crm_id_sequence (
  name VARCHAR(64) NOT NULL PRIMARY KEY,
  next_id BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

INSERT INTO crm_id_sequence (name, next_id) VALUES ('customer', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;
INSERT INTO crm_id_sequence (name, next_id) VALUES ('contact', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;

CREATE TABLE IF NOT EXISTS crm_customer (
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
  attributes MEDIUMTEXT NOT NULL DEFAULT '{}',
  host_key VARCHAR(128) UNIQUE,
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_customer_stage_idx ON crm_customer (stage, id);
CREATE INDEX IF NOT EXISTS crm_customer_owner_idx ON crm_customer (owner, id);

CREATE TABLE IF NOT EXISTS crm_contact (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  title VARCHAR(100),
  phone VARCHAR(50),
  email VARCHAR(254),
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  CONSTRAINT crm_contact_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_contact_customer_idx ON crm_contact (customer_id, id);
