-- Staff: a user's display name (staff give it when they accept their invite), and the
-- owner's invitations. An invitation's secret is never stored, only its SHA-256; it
-- works once (accepted_at) and until expires_at, unless the owner revoked it.
ALTER TABLE users
    ADD COLUMN name VARCHAR(120) NULL;

CREATE TABLE staff_invites (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    email VARCHAR(254) NOT NULL,
    token_sha256 CHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at DATETIME(6) NOT NULL,
    accepted_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    UNIQUE KEY staff_invites_token (token_sha256),
    KEY staff_invites_business (business_id, created_at),
    CONSTRAINT staff_invites_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
