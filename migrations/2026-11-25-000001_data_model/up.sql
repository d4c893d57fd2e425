-- The whole data model. Every tenant table carries business_id.
-- Times are UTC DATETIME(6); money is BIGINT minor units; JSON lives in LONGTEXT.

CREATE TABLE businesses (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(120) NOT NULL,
    business_type VARCHAR(80) NOT NULL,
    country CHAR(2) NOT NULL,
    default_currency CHAR(3) NOT NULL DEFAULT 'USD',
    ai_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    ai_instructions TEXT NOT NULL,
    reply_tone VARCHAR(20) NOT NULL DEFAULT 'friendly',
    anthropic_key_enc VARBINARY(512) NULL,
    anthropic_key_hint VARCHAR(16) NULL,
    ai_daily_token_budget BIGINT NULL,
    follow_ups_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    follow_up_after_hours INT NOT NULL DEFAULT 20,
    retention_days INT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE users (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    email VARCHAR(254) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role VARCHAR(10) NOT NULL DEFAULT 'owner',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY users_email (email),
    KEY users_business (business_id),
    CONSTRAINT users_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Dashboard sessions: the JWT carries the session id; revoking a row ends the session.
CREATE TABLE sessions (
    id CHAR(36) NOT NULL PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    user_id BIGINT UNSIGNED NOT NULL,
    connection_id BIGINT UNSIGNED NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    expires_at DATETIME(6) NOT NULL,
    revoked_at DATETIME(6) NULL,
    KEY sessions_user (user_id),
    KEY sessions_business (business_id),
    CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE whatsapp_connections (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    phone_number_id VARCHAR(64) NOT NULL,
    waba_id VARCHAR(64) NOT NULL,
    display_phone_number VARCHAR(32) NOT NULL,
    verified_name VARCHAR(255) NULL,
    access_token_enc VARBINARY(2048) NOT NULL,
    access_token_hint VARCHAR(16) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'connected',
    connected_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    disconnected_at DATETIME(6) NULL,
    last_webhook_at DATETIME(6) NULL,
    last_webhook_error TEXT NULL,
    UNIQUE KEY whatsapp_connections_phone (phone_number_id),
    KEY whatsapp_connections_business (business_id, status),
    CONSTRAINT whatsapp_connections_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE products (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(120) NOT NULL,
    description TEXT NOT NULL,
    price_minor BIGINT NOT NULL,
    currency CHAR(3) NOT NULL,
    discount_kind VARCHAR(10) NOT NULL DEFAULT 'none',
    discount_value BIGINT NOT NULL DEFAULT 0,
    bargain_floor_minor BIGINT NOT NULL,
    quantity BIGINT NOT NULL DEFAULT 0,
    colors TEXT NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT FALSE,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY products_business_list (business_id, archived, id),
    KEY products_business_name (business_id, name),
    CONSTRAINT products_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE,
    CONSTRAINT products_price_invariant CHECK (price_minor >= 0 AND bargain_floor_minor >= 0 AND quantity >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Product images, stored in the database as the privacy policy promises. The public
-- URL carries `url_key` (random), so images cannot be enumerated across tenants.
CREATE TABLE product_images (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    product_id BIGINT UNSIGNED NOT NULL,
    url_key CHAR(32) NOT NULL,
    mime_type VARCHAR(32) NOT NULL,
    byte_size INT NOT NULL,
    data MEDIUMBLOB NOT NULL,
    position INT NOT NULL DEFAULT 0,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY product_images_key (url_key),
    KEY product_images_product (product_id, position),
    CONSTRAINT product_images_product_fk FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- WhatsApp customers. Identified by Meta's business-scoped user id (BSUID) first and
-- by phone (wa_id) second; either may be missing, never both.
CREATE TABLE contacts (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    user_id VARCHAR(128) NULL,
    parent_user_id VARCHAR(128) NULL,
    wa_id VARCHAR(32) NULL,
    username VARCHAR(128) NULL,
    profile_name VARCHAR(255) NULL,
    country_code VARCHAR(8) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY contacts_business_user (business_id, user_id),
    UNIQUE KEY contacts_business_wa (business_id, wa_id),
    CONSTRAINT contacts_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE chats (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    contact_id BIGINT UNSIGNED NOT NULL,
    connection_id BIGINT UNSIGNED NULL,
    last_message_at DATETIME(6) NULL,
    last_message_preview VARCHAR(255) NULL,
    last_inbound_at DATETIME(6) NULL,
    unread_count INT NOT NULL DEFAULT 0,
    ai_paused BOOLEAN NOT NULL DEFAULT FALSE,
    handoff_reason TEXT NULL,
    product_interest TEXT NULL,
    negotiation TEXT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY chats_contact (contact_id),
    KEY chats_business_recent (business_id, last_message_at, id),
    CONSTRAINT chats_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE,
    CONSTRAINT chats_contact_fk FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    chat_id BIGINT UNSIGNED NOT NULL,
    wamid VARCHAR(191) NULL,
    direction VARCHAR(10) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    body TEXT NOT NULL,
    media_id VARCHAR(128) NULL,
    media_mime VARCHAR(128) NULL,
    payload LONGTEXT NULL,
    context_wamid VARCHAR(191) NULL,
    sent_by VARCHAR(10) NOT NULL,
    status VARCHAR(10) NOT NULL,
    error_code INT NULL,
    error_title VARCHAR(255) NULL,
    wa_timestamp DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY messages_wamid (wamid),
    KEY messages_chat_history (chat_id, id),
    KEY messages_business (business_id, created_at),
    CONSTRAINT messages_chat_fk FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Statuses that arrived before their message: applied when the message is stored.
CREATE TABLE pending_statuses (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    wamid VARCHAR(191) NOT NULL,
    status VARCHAR(10) NOT NULL,
    error_code INT NULL,
    error_title VARCHAR(255) NULL,
    wa_timestamp DATETIME(6) NULL,
    received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY pending_statuses_wamid (wamid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE orders (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    chat_id BIGINT UNSIGNED NULL,
    contact_id BIGINT UNSIGNED NULL,
    status VARCHAR(10) NOT NULL DEFAULT 'pending',
    source VARCHAR(10) NOT NULL,
    currency CHAR(3) NOT NULL,
    total_minor BIGINT NOT NULL,
    customer_name VARCHAR(255) NULL,
    delivery_details TEXT NULL,
    notes TEXT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    completed_at DATETIME(6) NULL,
    KEY orders_business_recent (business_id, status, id),
    KEY orders_chat (chat_id),
    CONSTRAINT orders_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_items (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    order_id BIGINT UNSIGNED NOT NULL,
    product_id BIGINT UNSIGNED NULL,
    name VARCHAR(255) NOT NULL,
    color VARCHAR(40) NULL,
    unit_price_minor BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    KEY order_items_order (order_id),
    CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One suppression list: AI replies, follow-ups and broadcasts all check it.
CREATE TABLE blacklist (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    wa_id VARCHAR(128) NOT NULL,
    reason VARCHAR(255) NOT NULL DEFAULT '',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY blacklist_business_wa (business_id, wa_id),
    CONSTRAINT blacklist_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Append-only activity log.
CREATE TABLE activity_events (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    kind VARCHAR(64) NOT NULL,
    subject VARCHAR(255) NOT NULL,
    details LONGTEXT NOT NULL,
    actor VARCHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY activity_business_recent (business_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE follow_ups (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    chat_id BIGINT UNSIGNED NOT NULL,
    due_at DATETIME(6) NOT NULL,
    body TEXT NULL,
    template_name VARCHAR(255) NULL,
    template_language VARCHAR(16) NULL,
    template_params LONGTEXT NULL,
    status VARCHAR(12) NOT NULL DEFAULT 'scheduled',
    attempts INT NOT NULL DEFAULT 0,
    last_error TEXT NULL,
    created_by VARCHAR(64) NOT NULL DEFAULT 'staff',
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY follow_ups_due (status, due_at),
    KEY follow_ups_chat (chat_id),
    CONSTRAINT follow_ups_chat_fk FOREIGN KEY (chat_id) REFERENCES chats (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The durable work queue, claimed with FOR UPDATE SKIP LOCKED.
CREATE TABLE jobs (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NULL,
    kind VARCHAR(32) NOT NULL,
    dedupe_key VARCHAR(191) NULL,
    payload LONGTEXT NOT NULL,
    run_at DATETIME(6) NOT NULL,
    attempts INT NOT NULL DEFAULT 0,
    max_attempts INT NOT NULL DEFAULT 5,
    locked_until DATETIME(6) NULL,
    last_error TEXT NULL,
    done_at DATETIME(6) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    UNIQUE KEY jobs_dedupe (dedupe_key),
    KEY jobs_ready (done_at, run_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Everything Meta sends, kept raw: nothing is lost even when processing fails.
CREATE TABLE webhook_events (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NULL,
    phone_number_id VARCHAR(64) NULL,
    raw_body LONGBLOB NOT NULL,
    signature_valid BOOLEAN NOT NULL,
    outcome VARCHAR(32) NOT NULL,
    error TEXT NULL,
    received_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    processed_at DATETIME(6) NULL,
    KEY webhook_events_business (business_id, id),
    KEY webhook_events_received (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE api_tokens (
    id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    name VARCHAR(120) NOT NULL,
    token_sha256 CHAR(64) NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_used_at DATETIME(6) NULL,
    revoked_at DATETIME(6) NULL,
    UNIQUE KEY api_tokens_hash (token_sha256),
    KEY api_tokens_business (business_id),
    CONSTRAINT api_tokens_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE ai_usage (
    business_id BIGINT UNSIGNED NOT NULL,
    day DATE NOT NULL,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    requests INT NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, day),
    CONSTRAINT ai_usage_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
