// Diesel table definitions, matching `migrations/` (kept in step by hand: the
// migration test in `tests/` applies every migration and exercises these tables).

diesel::table! {
    use diesel::sql_types::*;
    businesses (id) {
        id -> Unsigned<Bigint>,
        name -> Varchar,
        business_type -> Varchar,
        country -> Char,
        default_currency -> Char,
        ai_enabled -> Bool,
        ai_instructions -> Text,
        reply_tone -> Varchar,
        anthropic_key_enc -> Nullable<Varbinary>,
        anthropic_key_hint -> Nullable<Varchar>,
        ai_daily_token_budget -> Nullable<Bigint>,
        follow_ups_enabled -> Bool,
        follow_up_after_hours -> Integer,
        retention_days -> Nullable<Integer>,
        created_at -> Datetime,
        updated_at -> Datetime,
        ai_last_error -> Nullable<Text>,
        ai_last_error_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    users (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        email -> Varchar,
        password_hash -> Varchar,
        role -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    sessions (id) {
        id -> Char,
        business_id -> Unsigned<Bigint>,
        user_id -> Unsigned<Bigint>,
        connection_id -> Nullable<Unsigned<Bigint>>,
        created_at -> Datetime,
        expires_at -> Datetime,
        revoked_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    whatsapp_connections (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        phone_number_id -> Varchar,
        waba_id -> Varchar,
        display_phone_number -> Varchar,
        verified_name -> Nullable<Varchar>,
        access_token_enc -> Varbinary,
        access_token_hint -> Varchar,
        status -> Varchar,
        connected_at -> Datetime,
        disconnected_at -> Nullable<Datetime>,
        last_webhook_at -> Nullable<Datetime>,
        last_webhook_error -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    products (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        name -> Varchar,
        description -> Text,
        price_minor -> Bigint,
        currency -> Char,
        discount_kind -> Varchar,
        discount_value -> Bigint,
        bargain_floor_minor -> Bigint,
        quantity -> Bigint,
        colors -> Text,
        archived -> Bool,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    product_images (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        product_id -> Unsigned<Bigint>,
        url_key -> Char,
        mime_type -> Varchar,
        byte_size -> Integer,
        data -> Mediumblob,
        position -> Integer,
        created_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    contacts (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        user_id -> Nullable<Varchar>,
        parent_user_id -> Nullable<Varchar>,
        wa_id -> Nullable<Varchar>,
        username -> Nullable<Varchar>,
        profile_name -> Nullable<Varchar>,
        country_code -> Nullable<Varchar>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    chats (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        contact_id -> Unsigned<Bigint>,
        connection_id -> Nullable<Unsigned<Bigint>>,
        last_message_at -> Nullable<Datetime>,
        last_message_preview -> Nullable<Varchar>,
        last_inbound_at -> Nullable<Datetime>,
        unread_count -> Integer,
        ai_paused -> Bool,
        handoff_reason -> Nullable<Text>,
        product_interest -> Nullable<Text>,
        negotiation -> Nullable<Text>,
        created_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    messages (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Unsigned<Bigint>,
        wamid -> Nullable<Varchar>,
        direction -> Varchar,
        kind -> Varchar,
        body -> Text,
        media_id -> Nullable<Varchar>,
        media_mime -> Nullable<Varchar>,
        payload -> Nullable<Longtext>,
        context_wamid -> Nullable<Varchar>,
        sent_by -> Varchar,
        status -> Varchar,
        error_code -> Nullable<Integer>,
        error_title -> Nullable<Varchar>,
        wa_timestamp -> Nullable<Datetime>,
        created_at -> Datetime,
        updated_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    pending_statuses (id) {
        id -> Unsigned<Bigint>,
        wamid -> Varchar,
        status -> Varchar,
        error_code -> Nullable<Integer>,
        error_title -> Nullable<Varchar>,
        wa_timestamp -> Nullable<Datetime>,
        received_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    orders (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Nullable<Unsigned<Bigint>>,
        contact_id -> Nullable<Unsigned<Bigint>>,
        status -> Varchar,
        source -> Varchar,
        currency -> Char,
        total_minor -> Bigint,
        customer_name -> Nullable<Varchar>,
        delivery_details -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_at -> Datetime,
        updated_at -> Datetime,
        completed_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    order_items (id) {
        id -> Unsigned<Bigint>,
        order_id -> Unsigned<Bigint>,
        product_id -> Nullable<Unsigned<Bigint>>,
        name -> Varchar,
        color -> Nullable<Varchar>,
        unit_price_minor -> Bigint,
        quantity -> Bigint,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    blacklist (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        wa_id -> Varchar,
        reason -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    activity_events (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        kind -> Varchar,
        subject -> Varchar,
        details -> Longtext,
        actor -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    follow_ups (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        chat_id -> Unsigned<Bigint>,
        due_at -> Datetime,
        body -> Nullable<Text>,
        template_name -> Nullable<Varchar>,
        template_language -> Nullable<Varchar>,
        template_params -> Nullable<Longtext>,
        status -> Varchar,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        created_by -> Varchar,
        created_at -> Datetime,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    jobs (id) {
        id -> Unsigned<Bigint>,
        business_id -> Nullable<Unsigned<Bigint>>,
        kind -> Varchar,
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
    use diesel::sql_types::*;
    webhook_events (id) {
        id -> Unsigned<Bigint>,
        business_id -> Nullable<Unsigned<Bigint>>,
        phone_number_id -> Nullable<Varchar>,
        raw_body -> Longblob,
        signature_valid -> Bool,
        outcome -> Varchar,
        error -> Nullable<Text>,
        received_at -> Datetime,
        processed_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    api_tokens (id) {
        id -> Unsigned<Bigint>,
        business_id -> Unsigned<Bigint>,
        name -> Varchar,
        token_sha256 -> Char,
        created_at -> Datetime,
        last_used_at -> Nullable<Datetime>,
        revoked_at -> Nullable<Datetime>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    ai_usage (business_id, day) {
        business_id -> Unsigned<Bigint>,
        day -> Date,
        input_tokens -> Bigint,
        output_tokens -> Bigint,
        requests -> Integer,
    }
}

diesel::joinable!(users -> businesses (business_id));
diesel::joinable!(products -> businesses (business_id));
diesel::joinable!(product_images -> products (product_id));
diesel::joinable!(chats -> contacts (contact_id));
diesel::joinable!(messages -> chats (chat_id));
diesel::joinable!(order_items -> orders (order_id));

diesel::allow_tables_to_appear_in_same_query!(
    businesses,
    users,
    sessions,
    whatsapp_connections,
    products,
    product_images,
    contacts,
    chats,
    messages,
    pending_statuses,
    orders,
    order_items,
    blacklist,
    activity_events,
    follow_ups,
    jobs,
    webhook_events,
    api_tokens,
    ai_usage,
);
