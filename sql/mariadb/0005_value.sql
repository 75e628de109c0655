-- The value pyramid: one row per value.run period (its parameters and what it could use), and
-- one snapshot row per customer of the population in that period: raw components, their
-- rank-normalised values and the weighted score in parts per million, position and tier.
-- A component the host mapping cannot supply (e.g. profit without costs) is NULL throughout.
-- (Re-runnable after a partial failure, like 0001.)

CREATE TABLE IF NOT EXISTS crm_value_run (
  period VARCHAR(16) NOT NULL PRIMARY KEY,
  as_of DATETIME(6) NOT NULL,
  window_days INTEGER NOT NULL,
  weights VARCHAR(1000) NOT NULL,
  tiers VARCHAR(4000) NOT NULL,
  population BIGINT NOT NULL,
  components VARCHAR(200) NOT NULL,
  ran_at DATETIME(6) NOT NULL,
  ran_by VARCHAR(128) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS crm_value_snapshot (
  period VARCHAR(16) NOT NULL,
  customer_id BIGINT NOT NULL,
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
  PRIMARY KEY (period, customer_id),
  CONSTRAINT crm_value_snapshot_run_fk FOREIGN KEY (period) REFERENCES crm_value_run (period),
  CONSTRAINT crm_value_snapshot_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE INDEX IF NOT EXISTS crm_value_snapshot_tier_idx
  ON crm_value_snapshot (period, tier, position);
CREATE INDEX IF NOT EXISTS crm_value_snapshot_customer_idx
  ON crm_value_snapshot (customer_id, period);
