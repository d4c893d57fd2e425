DROP TABLE deal_approvals;
ALTER TABLE contacts DROP COLUMN notes, DROP COLUMN custom_name;
ALTER TABLE businesses
    DROP COLUMN deal_approvals_enabled,
    DROP COLUMN deal_approval_bulk_quantity,
    DROP COLUMN deal_approval_expiry_minutes;
ALTER TABLE products DROP COLUMN hard_minimum_minor;
