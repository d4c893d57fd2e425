-- Chat search without scanning every contact: names and usernames through a FULLTEXT
-- index (word prefixes), numbers through the (business_id, wa_id) key (the number's
-- start, e.g. +234 802...) and a reversed copy (its end, e.g. a local 0802 222 2222).
ALTER TABLE contacts
    ADD COLUMN wa_id_reversed VARCHAR(32) AS (REVERSE(wa_id)) PERSISTENT,
    ADD KEY contacts_business_wa_reversed (business_id, wa_id_reversed),
    ADD FULLTEXT KEY contacts_names (profile_name, username, custom_name);
