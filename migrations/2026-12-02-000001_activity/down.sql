ALTER TABLE activity_events
    DROP KEY activity_subject,
    DROP KEY activity_business_actor,
    DROP KEY activity_business_kind,
    DROP COLUMN subject_id,
    DROP COLUMN subject_kind,
    DROP COLUMN actor_name;
