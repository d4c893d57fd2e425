ALTER TABLE chats DROP COLUMN ai_paused_until;
ALTER TABLE businesses DROP COLUMN phone_reply_pause_minutes;
