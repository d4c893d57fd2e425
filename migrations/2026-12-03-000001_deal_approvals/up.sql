-- Owner approval for out-of-policy deals: a customer asking below the bargaining
-- floor, or for a bulk quantity, is told the shop will check; the owner approves a
-- price (never below the product's hard minimum) or declines; the AI answers the
-- customer with the decision. An approval not decided in time falls back to the floor.
ALTER TABLE products
    ADD COLUMN hard_minimum_minor BIGINT NULL AFTER bargain_floor_minor;

ALTER TABLE businesses
    ADD COLUMN deal_approvals_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN deal_approval_bulk_quantity INT NULL,
    ADD COLUMN deal_approval_expiry_minutes INT NOT NULL DEFAULT 120;

-- What the owner knows about a customer (the customer panel in a chat): a name of
-- their own (WhatsApp's profile name stays as the customer set it) and notes.
ALTER TABLE contacts
    ADD COLUMN custom_name VARCHAR(120) NULL AFTER country_code,
    ADD COLUMN notes TEXT NULL AFTER custom_name;

CREATE TABLE deal_approvals (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    chat_id BIGINT UNSIGNED NOT NULL,
    product_id BIGINT UNSIGNED NOT NULL,
    product_name VARCHAR(120) NOT NULL,
    quantity INT NOT NULL,
    reason VARCHAR(16) NOT NULL,
    currency CHAR(3) NOT NULL,
    customer_ask_minor BIGINT NOT NULL,
    floor_minor BIGINT NOT NULL,
    offered_minor BIGINT NOT NULL,
    status VARCHAR(12) NOT NULL DEFAULT 'pending',
    approved_minor BIGINT NULL,
    decided_by VARCHAR(255) NULL,
    decision_note VARCHAR(500) NULL,
    decided_at DATETIME(6) NULL,
    expires_at DATETIME(6) NOT NULL,
    answered_at DATETIME(6) NULL,
    answer_message_id BIGINT UNSIGNED NULL,
    answer_error VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY deal_approvals_business (business_id, status, id),
    KEY deal_approvals_chat (chat_id, product_id, id),
    CONSTRAINT deal_approvals_chat_fk FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE,
    CONSTRAINT deal_approvals_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
