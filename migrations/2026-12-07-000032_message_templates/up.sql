-- The business's approved message templates as Meta lists them for its WhatsApp
-- Business Account, cached for the composer's closed-window form (refreshed on demand).
CREATE TABLE message_templates (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(255) NOT NULL,
    language VARCHAR(16) NOT NULL,
    category VARCHAR(32) NOT NULL,
    body TEXT NOT NULL,
    parameter_count INT NOT NULL,
    fetched_at DATETIME NOT NULL,
    UNIQUE KEY message_templates_name (business_id, name, language),
    CONSTRAINT message_templates_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
);
