-- Alerts of kind LLM_BUDGET_EXCEEDED: one per tenant and UTC day when its LLM token budget is used up.
ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check
    CHECK (kind IN ('CONDITION_MET', 'MONITOR_FAILING', 'MONITOR_RECOVERED', 'LLM_BUDGET_EXCEEDED'));
