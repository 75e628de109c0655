-- Where leads come from (线索来源): a dictionary of sources (media, website, event, referral,
-- prospecting, partner ...) and the campaigns run through them, each with its period and its cost
-- in minor units. A customer keeps its first touch (source, campaign, time): set once, when it is
-- created or by the first interaction that carries a campaign; an administrator's correction is
-- recorded in crm_first_touch_change with the values before and after. Codes are checked by the
-- methods, not by foreign keys, the same way on every database (MariaDB ignores a REFERENCES
-- written on a column it adds).

INSERT INTO crm_id_sequence (name, next_id) VALUES ('first_touch_change', 1);

CREATE TABLE crm_source (
  code VARCHAR(64) NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  channel VARCHAR(16) NOT NULL
    CHECK (channel IN ('tel', 'fax', 'email', 'sms', 'face_to_face', 'media', 'web', 'event', 'other')),
  kind VARCHAR(16) NOT NULL
    CHECK (kind IN ('media', 'website', 'event', 'referral', 'prospecting', 'partner', 'other')),
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at CHAR(26) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at CHAR(26) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE crm_campaign (
  code VARCHAR(64) NOT NULL PRIMARY KEY,
  source_code VARCHAR(64) NOT NULL,
  name VARCHAR(200) NOT NULL,
  starts_on CHAR(10) NOT NULL,
  ends_on CHAR(10) NOT NULL,
  cost_minor BIGINT NOT NULL DEFAULT 0 CHECK (cost_minor >= 0),
  active SMALLINT NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at CHAR(26) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  updated_at CHAR(26) NOT NULL,
  updated_by VARCHAR(128) NOT NULL,
  version BIGINT NOT NULL DEFAULT 1,
  CHECK (ends_on >= starts_on),
  CONSTRAINT crm_campaign_source_fk FOREIGN KEY (source_code) REFERENCES crm_source (code)
);

CREATE INDEX crm_campaign_source_idx ON crm_campaign (source_code, starts_on);

ALTER TABLE crm_customer ADD COLUMN first_touch_source VARCHAR(64);
ALTER TABLE crm_customer ADD COLUMN first_touch_campaign VARCHAR(64);
ALTER TABLE crm_customer ADD COLUMN first_touch_at CHAR(26);
-- Customers written before sources existed were first known when they were created.
UPDATE crm_customer SET first_touch_at = created_at;
CREATE INDEX crm_customer_first_touch_idx ON crm_customer (first_touch_at);

ALTER TABLE crm_interaction ADD COLUMN campaign VARCHAR(64);

CREATE TABLE crm_first_touch_change (
  id INTEGER NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  source_before VARCHAR(64),
  campaign_before VARCHAR(64),
  at_before CHAR(26),
  source_after VARCHAR(64),
  campaign_after VARCHAR(64),
  at_after CHAR(26),
  reason VARCHAR(500) NOT NULL,
  changed_at CHAR(26) NOT NULL,
  changed_by VARCHAR(128) NOT NULL,
  CONSTRAINT crm_first_touch_change_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
);

CREATE INDEX crm_first_touch_change_customer_idx ON crm_first_touch_change (customer_id, id);
