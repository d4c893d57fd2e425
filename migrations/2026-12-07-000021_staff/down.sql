DROP TABLE staff_invites;
ALTER TABLE users DROP COLUMN name;
