DELETE b1 FROM blacklist b1 JOIN blacklist b2
    ON b1.business_id = b2.business_id AND b1.value = b2.value AND b1.id > b2.id;
ALTER TABLE blacklist
    CHANGE COLUMN value wa_id VARCHAR(128) NOT NULL,
    ADD UNIQUE KEY blacklist_business_wa (business_id, wa_id);
ALTER TABLE blacklist
    DROP INDEX blacklist_business_kind_value,
    DROP INDEX blacklist_business_id_desc,
    DROP COLUMN kind,
    DROP COLUMN created_by_kind,
    DROP COLUMN created_by,
    DROP COLUMN updated_at,
    MODIFY COLUMN reason VARCHAR(255) NOT NULL DEFAULT '';
