-- The AI salesperson: the owner sees the last provider error (an invalid key, say),
-- and the rate limit counts a chat's recent AI replies through an index.
ALTER TABLE businesses
    ADD COLUMN ai_last_error TEXT NULL,
    ADD COLUMN ai_last_error_at DATETIME(6) NULL;

ALTER TABLE messages
    ADD KEY messages_chat_sender_recent (chat_id, sent_by, created_at);

ALTER TABLE jobs
    ADD KEY jobs_kind_ready (kind, done_at, run_at);
