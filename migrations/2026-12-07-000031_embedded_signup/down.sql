ALTER TABLE whatsapp_connections
    DROP KEY whatsapp_connections_waba,
    DROP COLUMN history_progress,
    DROP COLUMN disconnect_reason,
    DROP COLUMN registration_pin_enc,
    DROP COLUMN coexistence,
    DROP COLUMN onboarding;
