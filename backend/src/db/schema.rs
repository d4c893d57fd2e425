// @generated automatically by Diesel CLI.

diesel::table! {
    activity_events (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 64]
        kind -> Varchar,
        #[max_length = 255]
        subject -> Varchar,
        #[max_length = 20]
        subject_kind -> Nullable<Varchar>,
        subject_id -> Nullable<Unsigned<Bigint>>,
        details -> Longtext,
        #[max_length = 64]
        actor -> Varchar,
        #[max_length = 255]
        actor_name -> Nullable<Varchar>,
        created_at -> Datetime,
    }
}

diesel::table! {
    ai_reply_traces (message_id) {
        message_id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        details -> Longtext,
        created_at -> Datetime,
    }
}

diesel::table! {
    ai_usage (business_id, day) {
        business_id -> Unsigned<Bigint>,
        day -> Date,
        input_tokens -> Bigint,
        output_tokens -> Bigint,
        requests -> Integer,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 120]
        name -> Varchar,
        #[max_length = 64]
        token_sha256 -> Char,
        created_at -> Datetime,
        last_used_at -> Nullable<Datetime>,
        revoked_at -> Nullable<Datetime>,
        #[max_length = 8]
        scope -> Varchar,
    }
}

diesel::table! {
    auth_attempts (id) {
        id -> Unsigned<Bigint>,
        #[max_length = 16]
        kind -> Varchar,
        #[max_length = 64]
        account -> Nullable<Char>,
        #[max_length = 45]
        ip -> Varchar,
        #[max_length = 10]
        outcome -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    blacklist (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 16]
        kind -> Varchar,
        #[max_length = 128]
        value -> Varchar,
        #[max_length = 500]
        reason -> Varchar,
        #[max_length = 20]
        created_by_kind -> Varchar,
        #[max_length = 255]
        created_by -> Nullable<Varchar>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    businesses (id) {
        id -> Unsigned<Bigint>,
        #[max_length = 120]
        name -> Varchar,
        #[max_length = 80]
        business_type -> Varchar,
        #[max_length = 2]
        country -> Char,
        #[max_length = 3]
        default_currency -> Char,
        ai_enabled -> Bool,
        ai_instructions -> Text,
        #[max_length = 20]
        reply_tone -> Varchar,
        #[max_length = 512]
        anthropic_key_enc -> Nullable<Varbinary>,
        #[max_length = 16]
        anthropic_key_hint -> Nullable<Varchar>,
        ai_daily_token_budget -> Nullable<Bigint>,
        follow_ups_enabled -> Bool,
        follow_up_after_hours -> Integer,
        follow_up_text -> Nullable<Text>,
        retention_days -> Nullable<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
        ai_last_error -> Nullable<Text>,
        ai_last_error_at -> Nullable<Datetime>,
        notify_order_updates -> Bool,
        #[max_length = 512]
        order_update_template -> Nullable<Varchar>,
        #[max_length = 15]
        order_update_template_language -> Nullable<Varchar>,
        deal_approvals_enabled -> Bool,
        deal_approval_bulk_quantity -> Nullable<Integer>,
        deal_approval_expiry_minutes -> Integer,
        #[max_length = 64]
        time_zone -> Varchar,
        phone_reply_pause_minutes -> Nullable<Integer>,
    }
}

diesel::table! {
    chats (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        contact_id -> Unsigned<Bigint>,
        connection_id -> Nullable<Unsigned<Bigint>>,
        last_message_at -> Nullable<Datetime>,
        #[max_length = 255]
        last_message_preview -> Nullable<Varchar>,
        last_inbound_at -> Nullable<Datetime>,
        unread_count -> Integer,
        ai_paused -> Bool,
        handoff_reason -> Nullable<Text>,
        product_interest -> Nullable<Text>,
        negotiation -> Nullable<Text>,
        created_at -> Datetime,
        ai_paused_until -> Nullable<Datetime>,
    }
}

diesel::table! {
    contact_messages (id) {
        id -> Unsigned<Bigint>,
        #[max_length = 120]
        name -> Varchar,
        #[max_length = 254]
        email -> Varchar,
        message -> Text,
        #[max_length = 45]
        ip -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    contacts (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 128]
        user_id -> Nullable<Varchar>,
        #[max_length = 128]
        parent_user_id -> Nullable<Varchar>,
        #[max_length = 32]
        wa_id -> Nullable<Varchar>,
        #[max_length = 128]
        username -> Nullable<Varchar>,
        #[max_length = 255]
        profile_name -> Nullable<Varchar>,
        #[max_length = 8]
        country_code -> Nullable<Varchar>,
        #[max_length = 120]
        custom_name -> Nullable<Varchar>,
        notes -> Nullable<Text>,
        created_at -> Datetime,
        updated_at -> Datetime,
        #[max_length = 32]
        wa_id_reversed -> Nullable<Varchar>,
    }
}

diesel::table! {
    deal_approvals (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Unsigned<Bigint>,
        product_id -> Unsigned<Bigint>,
        #[max_length = 120]
        product_name -> Varchar,
        quantity -> Integer,
        #[max_length = 16]
        reason -> Varchar,
        #[max_length = 3]
        currency -> Char,
        customer_ask_minor -> Bigint,
        floor_minor -> Bigint,
        offered_minor -> Bigint,
        #[max_length = 12]
        status -> Varchar,
        approved_minor -> Nullable<Bigint>,
        #[max_length = 255]
        decided_by -> Nullable<Varchar>,
        #[max_length = 500]
        decision_note -> Nullable<Varchar>,
        decided_at -> Nullable<Datetime>,
        expires_at -> Datetime,
        answered_at -> Nullable<Datetime>,
        answer_message_id -> Nullable<Unsigned<Bigint>>,
        #[max_length = 255]
        answer_error -> Nullable<Varchar>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Unsigned<Bigint>,
        due_at -> Datetime,
        body -> Nullable<Text>,
        #[max_length = 255]
        template_name -> Nullable<Varchar>,
        #[max_length = 16]
        template_language -> Nullable<Varchar>,
        template_params -> Nullable<Longtext>,
        #[max_length = 12]
        status -> Varchar,
        #[max_length = 12]
        source -> Varchar,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        #[max_length = 255]
        skip_reason -> Nullable<Varchar>,
        message_id -> Nullable<Unsigned<Bigint>>,
        #[max_length = 255]
        created_by -> Nullable<Varchar>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    jobs (id) {
        id -> Unsigned<Bigint>,
        business_id -> Nullable<Unsigned<Bigint>>,
        #[max_length = 32]
        kind -> Varchar,
        #[max_length = 191]
        dedupe_key -> Nullable<Varchar>,
        payload -> Longtext,
        run_at -> Datetime,
        attempts -> Integer,
        max_attempts -> Integer,
        locked_until -> Nullable<Datetime>,
        last_error -> Nullable<Text>,
        done_at -> Nullable<Datetime>,
        created_at -> Datetime,
    }
}

diesel::table! {
    message_media (message_id) {
        message_id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 16]
        status -> Varchar,
        #[max_length = 128]
        mime_type -> Nullable<Varchar>,
        byte_size -> Nullable<Integer>,
        data -> Nullable<Mediumblob>,
        #[max_length = 255]
        error -> Nullable<Varchar>,
        created_at -> Datetime,
    }
}

diesel::table! {
    message_templates (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 255]
        name -> Varchar,
        #[max_length = 16]
        language -> Varchar,
        #[max_length = 32]
        category -> Varchar,
        body -> Text,
        parameter_count -> Integer,
        fetched_at -> Datetime,
    }
}

diesel::table! {
    messages (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Unsigned<Bigint>,
        #[max_length = 191]
        wamid -> Nullable<Varchar>,
        #[max_length = 10]
        direction -> Varchar,
        #[max_length = 16]
        kind -> Varchar,
        body -> Text,
        #[max_length = 128]
        media_id -> Nullable<Varchar>,
        #[max_length = 128]
        media_mime -> Nullable<Varchar>,
        payload -> Nullable<Longtext>,
        #[max_length = 191]
        context_wamid -> Nullable<Varchar>,
        #[max_length = 10]
        sent_by -> Varchar,
        #[max_length = 10]
        status -> Varchar,
        error_code -> Nullable<Integer>,
        #[max_length = 255]
        error_title -> Nullable<Varchar>,
        wa_timestamp -> Nullable<Datetime>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    order_items (id) {
        id -> Unsigned<Bigint>,
        order_id -> Unsigned<Bigint>,
        product_id -> Nullable<Unsigned<Bigint>>,
        #[max_length = 255]
        name -> Varchar,
        #[max_length = 40]
        color -> Nullable<Varchar>,
        unit_price_minor -> Bigint,
        quantity -> Bigint,
    }
}

diesel::table! {
    orders (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Nullable<Unsigned<Bigint>>,
        contact_id -> Nullable<Unsigned<Bigint>>,
        #[max_length = 10]
        status -> Varchar,
        #[max_length = 10]
        source -> Varchar,
        #[max_length = 3]
        currency -> Char,
        total_minor -> Bigint,
        #[max_length = 255]
        customer_name -> Nullable<Varchar>,
        delivery_details -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_at -> Datetime,
        updated_at -> Datetime,
        completed_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    pending_statuses (id) {
        id -> Unsigned<Bigint>,
        #[max_length = 191]
        wamid -> Varchar,
        #[max_length = 10]
        status -> Varchar,
        error_code -> Nullable<Integer>,
        #[max_length = 255]
        error_title -> Nullable<Varchar>,
        wa_timestamp -> Nullable<Datetime>,
        received_at -> Datetime,
    }
}

diesel::table! {
    product_images (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        product_id -> Unsigned<Bigint>,
        #[max_length = 32]
        url_key -> Char,
        #[max_length = 32]
        mime_type -> Varchar,
        byte_size -> Integer,
        data -> Mediumblob,
        position -> Integer,
        created_at -> Datetime,
    }
}

diesel::table! {
    products (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 120]
        name -> Varchar,
        description -> Text,
        price_minor -> Bigint,
        #[max_length = 3]
        currency -> Char,
        #[max_length = 10]
        discount_kind -> Varchar,
        discount_value -> Bigint,
        bargain_floor_minor -> Bigint,
        hard_minimum_minor -> Nullable<Bigint>,
        quantity -> Bigint,
        colors -> Text,
        archived -> Bool,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    sessions (id) {
        #[max_length = 36]
        id -> Char,
        business_id -> Unsigned<Bigint>,
        user_id -> Unsigned<Bigint>,
        connection_id -> Nullable<Unsigned<Bigint>>,
        created_at -> Datetime,
        expires_at -> Datetime,
        revoked_at -> Nullable<Datetime>,
        last_seen_at -> Nullable<Datetime>,
        #[max_length = 255]
        user_agent -> Nullable<Varchar>,
        #[max_length = 45]
        ip -> Nullable<Varchar>,
    }
}

diesel::table! {
    staff_invites (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 254]
        email -> Varchar,
        #[max_length = 64]
        token_sha256 -> Char,
        created_at -> Datetime,
        expires_at -> Datetime,
        accepted_at -> Nullable<Datetime>,
        revoked_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    users (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 254]
        email -> Varchar,
        #[max_length = 255]
        password_hash -> Varchar,
        #[max_length = 10]
        role -> Varchar,
        created_at -> Datetime,
        #[max_length = 120]
        name -> Nullable<Varchar>,
        #[max_length = 20]
        accepted_policy_version -> Nullable<Varchar>,
        accepted_policy_at -> Nullable<Datetime>,
        confirmed_authorised_over_16_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Unsigned<Bigint>,
        business_id -> Nullable<Unsigned<Bigint>>,
        #[max_length = 64]
        phone_number_id -> Nullable<Varchar>,
        raw_body -> Longblob,
        signature_valid -> Bool,
        #[max_length = 32]
        outcome -> Varchar,
        error -> Nullable<Text>,
        received_at -> Datetime,
        processed_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    whatsapp_connections (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        #[max_length = 64]
        phone_number_id -> Varchar,
        #[max_length = 64]
        waba_id -> Varchar,
        #[max_length = 32]
        display_phone_number -> Varchar,
        #[max_length = 255]
        verified_name -> Nullable<Varchar>,
        #[max_length = 2048]
        access_token_enc -> Varbinary,
        #[max_length = 16]
        access_token_hint -> Varchar,
        #[max_length = 16]
        status -> Varchar,
        connected_at -> Datetime,
        disconnected_at -> Nullable<Datetime>,
        last_webhook_at -> Nullable<Datetime>,
        last_webhook_error -> Nullable<Text>,
        #[max_length = 16]
        onboarding -> Varchar,
        coexistence -> Bool,
        #[max_length = 256]
        registration_pin_enc -> Nullable<Varbinary>,
        #[max_length = 255]
        disconnect_reason -> Nullable<Varchar>,
        history_progress -> Nullable<Unsigned<Tinyint>>,
    }
}

diesel::joinable!(ai_reply_traces -> messages (message_id));
diesel::joinable!(ai_usage -> businesses (business_id));
diesel::joinable!(api_tokens -> businesses (business_id));
diesel::joinable!(blacklist -> businesses (business_id));
diesel::joinable!(chats -> businesses (business_id));
diesel::joinable!(chats -> contacts (contact_id));
diesel::joinable!(contacts -> businesses (business_id));
diesel::joinable!(deal_approvals -> chats (chat_id));
diesel::joinable!(deal_approvals -> products (product_id));
diesel::joinable!(follow_ups -> chats (chat_id));
diesel::joinable!(message_media -> businesses (business_id));
diesel::joinable!(message_media -> messages (message_id));
diesel::joinable!(message_templates -> businesses (business_id));
diesel::joinable!(messages -> chats (chat_id));
diesel::joinable!(order_items -> orders (order_id));
diesel::joinable!(orders -> businesses (business_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(products -> businesses (business_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(staff_invites -> businesses (business_id));
diesel::joinable!(users -> businesses (business_id));
diesel::joinable!(whatsapp_connections -> businesses (business_id));

diesel::allow_tables_to_appear_in_same_query!(
    activity_events,
    ai_reply_traces,
    ai_usage,
    api_tokens,
    auth_attempts,
    blacklist,
    businesses,
    chats,
    contact_messages,
    contacts,
    deal_approvals,
    follow_ups,
    jobs,
    message_media,
    message_templates,
    messages,
    order_items,
    orders,
    pending_statuses,
    product_images,
    products,
    sessions,
    staff_invites,
    users,
    webhook_events,
    whatsapp_connections,
);
