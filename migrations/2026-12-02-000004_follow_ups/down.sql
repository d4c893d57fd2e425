ALTER TABLE businesses DROP COLUMN follow_up_text;

ALTER TABLE follow_ups
    DROP KEY follow_ups_business_recent,
    DROP KEY follow_ups_business,
    DROP COLUMN updated_at,
    DROP COLUMN message_id,
    DROP COLUMN skip_reason,
    MODIFY COLUMN created_by VARCHAR(64) NOT NULL DEFAULT 'staff',
    DROP COLUMN source;
