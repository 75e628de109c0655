-- The value pyramid: one row per value.run period (its parameters and what it could use), and
-- one snapshot row per customer of the population in that period: raw components, their
-- rank-normalised values and the weighted score in parts per million, position and tier.
-- A component the host mapping cannot supply (e.g. profit without costs) is NULL throughout.

CREATE TABLE crm_value_run (
  period VARCHAR(16) NOT NULL PRIMARY KEY,
  as_of CHAR(26) NOT NULL,
  window_days INTEGER NOT NULL,
  weights VARCHAR(1000) NOT NULL,
  tiers VARCHAR(4000) NOT NULL,
  population BIGINT NOT NULL,
  components VARCHAR(200) NOT NULL,
  ran_at CHAR(26) NOT NULL,
  ran_by VARCHAR(128) NOT NULL
);

CREATE TABLE crm_value_snapshot (
  period VARCHAR(16) NOT NULL REFERENCES crm_value_run (period),
  customer_id BIGINT NOT NULL REFERENCES crm_customer (id),
  sales_minor BIGINT,
  expectation_minor BIGINT,
  credit_bp INTEGER,
  profit_minor BIGINT,
  reference_points BIGINT,
  sales_ppm INTEGER,
  expectation_ppm INTEGER,
  credit_ppm INTEGER,
  profit_ppm INTEGER,
  reference_ppm INTEGER,
  score_ppm INTEGER NOT NULL,
  position BIGINT NOT NULL,
  tier VARCHAR(32) NOT NULL,
  PRIMARY KEY (period, customer_id)
);

CREATE INDEX crm_value_snapshot_tier_idx ON crm_value_snapshot (period, tier, position);
CREATE INDEX crm_value_snapshot_customer_idx ON crm_value_snapshot (customer_id, period);
