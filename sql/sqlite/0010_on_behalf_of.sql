-- Work done under a delegation (工作代理) is marked "on behalf of" on every record it writes, not
-- only in the lifecycle ledger. An interaction is written once: on_behalf_of is the user it was
-- logged for. Customers, opportunities and tasks change: updated_on_behalf_of is the user their
-- latest write by a method was done for (next to updated_by; for a task, next to created_by or
-- completed_by). NULL when the caller acted for themselves (or by role, or for rows written before
-- this migration).

ALTER TABLE crm_interaction ADD COLUMN on_behalf_of VARCHAR(128);
ALTER TABLE crm_customer ADD COLUMN updated_on_behalf_of VARCHAR(128);
ALTER TABLE crm_opportunity ADD COLUMN updated_on_behalf_of VARCHAR(128);
ALTER TABLE crm_task ADD COLUMN updated_on_behalf_of VARCHAR(128);
