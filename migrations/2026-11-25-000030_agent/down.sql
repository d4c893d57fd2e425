ALTER TABLE jobs DROP KEY jobs_kind_ready;
ALTER TABLE messages DROP KEY messages_chat_sender_recent;
ALTER TABLE businesses DROP COLUMN ai_last_error_at, DROP COLUMN ai_last_error;
