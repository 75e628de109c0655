-- Every contact with a customer on any channel, and the opportunities they may belong to.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('interaction', 1);
INSERT INTO crm_id_sequence (name, next_id) VALUES ('opportunity', 1);

CREATE TABLE crm_opportunity (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  name VARCHAR(200) NOT NULL,
  stage VARCHAR(32) NOT NULL,
  amount VARCHAR(40),
  probability INTEGER,
  expected_close CHAR(10),
  owner VARCHAR(128),
  created_at TIMESTAMP NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at TIMESTAMP NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX crm_opportunity_customer_idx ON crm_opportunity (customer_id, id);

CREATE TABLE crm_interaction (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  contact_id BIGINT REFERENCES crm_contact (id),
  opportunity_id BIGINT REFERENCES crm_opportunity (id),
  channel VARCHAR(16) NOT NULL
    CHECK (channel IN ('tel', 'fax', 'email', 'sms', 'face_to_face', 'media', 'web', 'event', 'other')),
  direction VARCHAR(8) NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  occurred_at TIMESTAMP NOT NULL,
  subject VARCHAR(500),
  body TEXT,
  logged_at TIMESTAMP NOT NULL,
  logged_by VARCHAR(128) NOT NULL
);

CREATE INDEX crm_interaction_customer_time_idx ON crm_interaction (customer_id, occurred_at, id);
