-- Embedded Signup and coexistence: how a number was connected, whether the seller
-- keeps the WhatsApp Business app on it (coexistence: lower throughput, no register),
-- the two-step verification pin set when we registered it (sealed like the token),
-- why it was disconnected when Meta told us (account_update), and how far the
-- import of the WhatsApp Business app's past chats is (coexistence history, 0-100).
ALTER TABLE whatsapp_connections
    ADD COLUMN onboarding VARCHAR(16) NOT NULL DEFAULT 'token',
    ADD COLUMN coexistence BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN registration_pin_enc VARBINARY(256) NULL,
    ADD COLUMN disconnect_reason VARCHAR(255) NULL,
    ADD COLUMN history_progress TINYINT UNSIGNED NULL,
    ADD KEY whatsapp_connections_waba (waba_id);
