ALTER TABLE businesses DROP COLUMN time_zone;
