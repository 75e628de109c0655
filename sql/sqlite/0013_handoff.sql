-- The hand-off to sales: a move to opportunity opens a hand-off whose clocks run in the business
-- time of the receiving team's calendar. Sales accepts or returns it within the accept window,
-- then makes the first contact (an interaction logged by the owner) within the contact window;
-- a return sends the customer back to nurture. Windows and calendar are fixed when it opens, so
-- that its due times never move (due_at: the running clock's, for the lists and the scheduler).
-- The assignee is always the customer's owner or queue, so that transfers and delegations carry
-- a running clock to the new owner. Every step is recorded.

INSERT INTO crm_id_sequence (name, next_id) VALUES ('handoff', 1);
INSERT INTO crm_id_sequence (name, next_id) VALUES ('handoff_step', 1);

CREATE TABLE crm_handoff (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  state VARCHAR(16) NOT NULL
    CHECK (state IN ('open', 'accepted', 'contacted', 'returned', 'won', 'disqualified')),
  team_key VARCHAR(64),
  calendar_name VARCHAR(64) NOT NULL,
  source_code VARCHAR(64),
  tier VARCHAR(32),
  accept_window_us BIGINT NOT NULL CHECK (accept_window_us > 0),
  contact_window_us BIGINT NOT NULL CHECK (contact_window_us > 0),
  opened_at CHAR(26) NOT NULL,
  opened_by VARCHAR(128) NOT NULL,
  opened_owner VARCHAR(128),
  accept_due_at CHAR(26),
  responded_at CHAR(26),
  responded_by VARCHAR(128),
  answer VARCHAR(16) CHECK (answer IN ('accepted', 'returned')),
  response_us BIGINT,
  contact_due_at CHAR(26),
  contacted_at CHAR(26),
  contacted_by VARCHAR(128),
  contact_us BIGINT,
  due_at CHAR(26) NOT NULL,
  closed_at CHAR(26),
  reason_code VARCHAR(64),
  reason_text VARCHAR(1000),
  version BIGINT NOT NULL DEFAULT 1,
  CONSTRAINT crm_handoff_customer_fk FOREIGN KEY (customer_id) REFERENCES crm_customer (id)
);

CREATE INDEX crm_handoff_customer_idx ON crm_handoff (customer_id, state);
CREATE INDEX crm_handoff_state_idx ON crm_handoff (state, due_at, id);
CREATE INDEX crm_handoff_opened_idx ON crm_handoff (opened_at, id);

CREATE TABLE crm_handoff_step (
  id BIGINT NOT NULL PRIMARY KEY,
  handoff_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL
    -- With the escalation tiers' kinds, so that adding them takes no table rebuild on SQLite.
    CHECK (kind IN ('opened', 'accepted', 'contacted', 'returned', 'won', 'disqualified',
                    'reminded', 'escalated', 'reassigned', 'queued')),
  at CHAR(26) NOT NULL,
  actor VARCHAR(128) NOT NULL,
  on_behalf_of VARCHAR(128),
  owner VARCHAR(128),
  queue VARCHAR(64),
  business_us BIGINT,
  CONSTRAINT crm_handoff_step_handoff_fk FOREIGN KEY (handoff_id) REFERENCES crm_handoff (id)
);

CREATE INDEX crm_handoff_step_handoff_idx ON crm_handoff_step (handoff_id, id);
