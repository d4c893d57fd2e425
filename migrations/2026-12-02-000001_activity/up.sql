-- The activity log names who did it and links to what it is about; an order's
-- timeline is its activity (subject order). `subject` keeps the one-line summary.
ALTER TABLE activity_events
    ADD COLUMN actor_name VARCHAR(255) NULL AFTER actor,
    ADD COLUMN subject_kind VARCHAR(20) NULL AFTER subject,
    ADD COLUMN subject_id BIGINT UNSIGNED NULL AFTER subject_kind,
    ADD KEY activity_business_kind (business_id, kind, id),
    ADD KEY activity_business_actor (business_id, actor, id),
    ADD KEY activity_subject (business_id, subject_kind, subject_id, id);
