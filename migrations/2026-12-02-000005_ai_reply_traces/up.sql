-- "Why this reply": for each AI reply, what it was written from (catalog rows and
-- prices, tool calls and results, the output check's verdict, model, prompt version).
-- Goes with its message (erasing a chat erases its traces).
CREATE TABLE ai_reply_traces (
    message_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    details LONGTEXT NOT NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY ai_reply_traces_business (business_id, message_id),
    CONSTRAINT ai_reply_traces_message_fk FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
