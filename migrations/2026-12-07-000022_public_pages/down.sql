ALTER TABLE users
    DROP COLUMN confirmed_authorised_over_16_at,
    DROP COLUMN accepted_policy_at,
    DROP COLUMN accepted_policy_version;
DROP TABLE contact_messages;
