ALTER TABLE orders
    DROP KEY orders_business_contact,
    DROP KEY orders_business_created;

ALTER TABLE businesses
    DROP COLUMN notify_order_updates,
    DROP COLUMN order_update_template,
    DROP COLUMN order_update_template_language;
