-- Password-guessing limits that hold across replicas: every log-in, sign-up and
-- password check is a row (the account as a SHA-256 of its e-mail, never the e-mail),
-- and the limits count the recent rows of an account and of an IP address.
CREATE TABLE auth_attempts (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    kind VARCHAR(16) NOT NULL,
    account CHAR(64) NULL,
    ip VARCHAR(45) NOT NULL,
    outcome VARCHAR(10) NOT NULL DEFAULT 'pending',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY auth_attempts_account (account, created_at),
    KEY auth_attempts_ip (ip, created_at),
    KEY auth_attempts_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What the sessions list shows: when a session was last used and from where.
ALTER TABLE sessions
    ADD COLUMN last_seen_at DATETIME(6) NULL,
    ADD COLUMN user_agent VARCHAR(255) NULL,
    ADD COLUMN ip VARCHAR(45) NULL;

-- An API token reads only ('read') or reads and writes ('write').
ALTER TABLE api_tokens
    ADD COLUMN scope VARCHAR(8) NOT NULL DEFAULT 'write';
