-- Every contact with a customer on any channel, and the opportunities they may belong to.
-- (Re-runnable after a partial failure, like 0001.)

INSERT INTO crm_id_sequence (name, next_id) VALUES ('interaction', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;
INSERT INTO crm_id_sequence (name, next_id) VALUES ('opportunity', 1)
  ON DUPLICATE KEY UPDATE next_id = next_id;

CREATE TABLE IF NOT EXISTS crm_opportunity (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  name VARCHAR(200) NOT NULL,
  stage VARCHAR(32) NOT NULL,
  amount VARCHAR(40),
  probability INTEGER,
  expected_close CHAR(10),
  owner VARCHAR(128),
  created_at DATETIME(6) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CONSTRAINT crm_opportunity_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_opportunity_customer_idx ON crm_opportunity (customer_id, id);

CREATE TABLE IF NOT EXISTS crm_interaction (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  contact_id BIGINT,
  opportunity_id BIGINT,
  channel VARCHAR(16) NOT NULL
    CHECK (channel IN ('tel', 'fax', 'email', 'sms', 'face_to_face', 'media', 'web', 'event', 'other')),
  direction VARCHAR(8) NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  occurred_at DATETIME(6) NOT NULL,
  subject VARCHAR(500),
  body MEDIUMTEXT,
  logged_at DATETIME(6) NOT NULL,
  logged_by VARCHAR(128) NOT NULL,
  CONSTRAINT crm_interaction_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id),
  CONSTRAINT crm_interaction_contact_fk FOREIGN KEY (contact_id) REFERENCES crm_contact (id),
  CONSTRAINT crm_interaction_opportunity_fk
    FOREIGN KEY (opportunity_id) REFERENCES crm_opportunity (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_interaction_customer_time_idx
  ON crm_interaction (customer_id, occurred_at, id);
