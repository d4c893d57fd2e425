-- The business's own time zone (an IANA name such as Africa/Lagos): the home page's
-- "today", 7 and 30 days and its chart count the business's days, not UTC's. Set at
-- sign-up from the owner's browser and changeable in Settings.
ALTER TABLE businesses ADD COLUMN time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC';
