-- The files of customers' photos, voice notes, videos, stickers and documents,
-- downloaded from Meta once (its download links expire) and served only to the
-- business's own users. Gone with the message (erasure, retention, account deletion).
CREATE TABLE message_media (
    message_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
    business_id BIGINT UNSIGNED NOT NULL,
    status VARCHAR(16) NOT NULL,
    mime_type VARCHAR(128) NULL,
    byte_size INT NULL,
    data MEDIUMBLOB NULL,
    error VARCHAR(255) NULL,
    created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    KEY message_media_business (business_id),
    CONSTRAINT message_media_message_fk FOREIGN KEY (message_id) REFERENCES messages (id) ON DELETE CASCADE,
    CONSTRAINT message_media_business_fk FOREIGN KEY (business_id) REFERENCES businesses (id) ON DELETE CASCADE
);
