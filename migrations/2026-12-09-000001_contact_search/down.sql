ALTER TABLE contacts
    DROP KEY contacts_names,
    DROP KEY contacts_business_wa_reversed,
    DROP COLUMN wa_id_reversed;
