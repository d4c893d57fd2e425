-- The public contact form: what visitors wrote, for the operator (`wasales
-- contact-messages`); the address is kept to limit how often one client writes.
CREATE TABLE contact_messages (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(120) NOT NULL,
    email VARCHAR(254) NOT NULL,
    message TEXT NOT NULL,
    ip VARCHAR(45) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY contact_messages_ip (ip, created_at),
    KEY contact_messages_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What an owner accepted at sign-up: the privacy policy and terms version, and their
-- confirmation that they may act for the business and are over 16.
ALTER TABLE users
    ADD COLUMN accepted_policy_version VARCHAR(20) NULL,
    ADD COLUMN accepted_policy_at DATETIME(6) NULL,
    ADD COLUMN confirmed_authorised_over_16_at DATETIME(6) NULL;
