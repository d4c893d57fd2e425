-- Coexistence: when the owner answers a chat from the WhatsApp Business app, the AI
-- stands back there. `phone_reply_pause_minutes` is how long (NULL: until the owner
-- turns the AI back on); a timed pause keeps its end in `chats.ai_paused_until`.
ALTER TABLE businesses ADD COLUMN phone_reply_pause_minutes INT NULL;
ALTER TABLE chats ADD COLUMN ai_paused_until DATETIME(6) NULL;
