-- Order notifications: per business, off by default. Outside the 24-hour window only
-- an approved template may be sent (its body takes {{1}} the order number and {{2}}
-- the new status); without one, nothing is sent and the reason is logged.
ALTER TABLE businesses
    ADD COLUMN notify_order_updates BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN order_update_template VARCHAR(512) NULL,
    ADD COLUMN order_update_template_language VARCHAR(15) NULL;

-- The order list filters by customer and date within a business.
ALTER TABLE orders
    ADD KEY orders_business_contact (business_id, contact_id, id),
    ADD KEY orders_business_created (business_id, created_at);
