-- Follow-ups: who scheduled them (a person, an API token or the business's rule), why
-- one was skipped, the message it became, and the business's own rule text.
ALTER TABLE follow_ups
    ADD COLUMN source VARCHAR(12) NOT NULL DEFAULT 'staff' AFTER status,
    MODIFY COLUMN created_by VARCHAR(255) NULL,
    ADD COLUMN skip_reason VARCHAR(255) NULL AFTER last_error,
    ADD COLUMN message_id BIGINT UNSIGNED NULL AFTER skip_reason,
    ADD COLUMN updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    ADD KEY follow_ups_business (business_id, status, id),
    ADD KEY follow_ups_business_recent (business_id, id);

ALTER TABLE businesses
    ADD COLUMN follow_up_text TEXT NULL AFTER follow_up_after_hours;
