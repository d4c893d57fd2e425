-- A blacklist entry names a customer by phone, BSUID (user_id) or username, and says
-- who added it. Existing rows were phones or BSUIDs under `wa_id`: digits-only values
-- become phone entries, the rest user-id entries.
ALTER TABLE blacklist
    CHANGE COLUMN wa_id value VARCHAR(128) NOT NULL,
    ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'phone' AFTER business_id,
    MODIFY COLUMN reason VARCHAR(500) NOT NULL DEFAULT '',
    ADD COLUMN created_by_kind VARCHAR(20) NOT NULL DEFAULT 'system' AFTER reason,
    ADD COLUMN created_by VARCHAR(255) NULL AFTER created_by_kind,
    ADD COLUMN updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) AFTER created_at;

UPDATE blacklist SET kind = 'user_id' WHERE value NOT REGEXP '^[0-9]+$';
UPDATE blacklist SET created_by_kind = 'customer' WHERE reason LIKE 'opted out%';

-- The new key first: the business foreign key needs an index on business_id.
ALTER TABLE blacklist
    ADD UNIQUE KEY blacklist_business_kind_value (business_id, kind, value),
    ADD KEY blacklist_business_id_desc (business_id, id);
ALTER TABLE blacklist DROP INDEX blacklist_business_wa;
