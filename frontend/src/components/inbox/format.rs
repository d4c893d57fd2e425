//! How times, senders, kinds and delivery states read in the inbox.

use shared::{MessageKind, MessageStatus, SentBy};

const MINUTE_MS: f64 = 60_000.0;
const HOUR_MS: f64 = 60.0 * MINUTE_MS;
const DAY_MS: f64 = 24.0 * HOUR_MS;
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Milliseconds since the epoch of an RFC 3339 time; `None` when it does not parse.
pub fn epoch_ms(rfc3339: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(rfc3339);
    (!ms.is_nan()).then_some(ms)
}

/// The browser's clock, in milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn date(ms: f64) -> js_sys::Date {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
}

/// Local midnight before `ms`.
fn start_of_day(ms: f64) -> f64 {
    let d = date(ms);
    d.set_hours(0);
    d.set_minutes(0);
    d.set_seconds(0);
    d.set_milliseconds(0);
    d.get_time()
}

/// `14:05` in local time.
pub fn clock_time(ms: f64) -> String {
    let d = date(ms);
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// `12 Mar 2026`.
pub fn calendar_date(ms: f64) -> String {
    let d = date(ms);
    format!(
        "{} {} {}",
        d.get_date(),
        MONTHS[d.get_month() as usize % 12],
        d.get_full_year()
    )
}

/// A date and time for tooltips and settings: `12 Mar 2026, 14:05`.
pub fn date_time(rfc3339: &str) -> String {
    epoch_ms(rfc3339)
        .map(|ms| format!("{}, {}", calendar_date(ms), clock_time(ms)))
        .unwrap_or_else(|| rfc3339.to_string())
}

/// How long ago, compactly, for the chat list: `now`, `5m`, `3h`, `Yesterday`, `Mon`,
/// `12 Mar`.
pub fn relative_time(ms: f64, now: f64) -> String {
    let ago = now - ms;
    if ago < MINUTE_MS {
        return "now".into();
    }
    if ago < HOUR_MS {
        return format!("{}m", (ago / MINUTE_MS) as i64);
    }
    let today = start_of_day(now);
    if ms >= today {
        return format!("{}h", (ago / HOUR_MS) as i64);
    }
    if ms >= today - DAY_MS {
        return "Yesterday".into();
    }
    let d = date(ms);
    if ms >= today - 6.0 * DAY_MS {
        return WEEKDAYS[d.get_day() as usize % 7].into();
    }
    let this_year = date(now).get_full_year();
    if d.get_full_year() == this_year {
        format!("{} {}", d.get_date(), MONTHS[d.get_month() as usize % 12])
    } else {
        calendar_date(ms)
    }
}

/// How long until `ms`, for the window notice: `5h 20m`, `12m`.
pub fn time_left(ms: f64, now: f64) -> String {
    let left = (ms - now).max(0.0);
    let hours = (left / HOUR_MS) as i64;
    let minutes = ((left % HOUR_MS) / MINUTE_MS) as i64;
    if hours > 0 {
        format!("{hours}h {minutes}m")
    } else {
        format!("{minutes}m")
    }
}

/// A day divider in a conversation: `Today`, `Yesterday`, or the date.
pub fn day_label(ms: f64, now: f64) -> String {
    let today = start_of_day(now);
    if ms >= today {
        "Today".into()
    } else if ms >= today - DAY_MS {
        "Yesterday".into()
    } else {
        calendar_date(ms)
    }
}

/// The local day a time falls on, to group messages.
pub fn day_key(ms: f64) -> i64 {
    start_of_day(ms) as i64
}

/// Who wrote an outbound message, as shown above its bubble.
pub fn sender_label(sent_by: SentBy) -> &'static str {
    match sent_by {
        SentBy::Customer => "Customer",
        SentBy::Ai => "AI",
        SentBy::Staff => "Staff",
        SentBy::FollowUp => "Follow-up",
        SentBy::System => "System",
        SentBy::Phone => "From your phone",
    }
}

/// The placeholder for a non-text message: emoji and name; `None` for plain text.
pub fn kind_label(
    kind: MessageKind,
    mime_type: Option<&str>,
) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        MessageKind::Text => return None,
        MessageKind::Image => ("📷", "Photo"),
        MessageKind::Audio => {
            if mime_type.is_some_and(|m| m.contains("ogg") || m.contains("opus"))
                || mime_type.is_none()
            {
                ("🎤", "Voice note")
            } else {
                ("🎵", "Audio")
            }
        }
        MessageKind::Video => ("🎬", "Video"),
        MessageKind::Document => ("📄", "Document"),
        MessageKind::Sticker => ("💟", "Sticker"),
        MessageKind::Location => ("📍", "Location"),
        MessageKind::Contacts => ("👤", "Contact card"),
        MessageKind::Interactive => ("🔘", "Reply"),
        MessageKind::Button => ("🔘", "Button reply"),
        MessageKind::Order => ("🛒", "Order"),
        MessageKind::Reaction => ("💬", "Reaction"),
        MessageKind::Template => ("📋", "Template"),
        MessageKind::System => ("ℹ️", "Notice"),
        MessageKind::Unsupported => ("❔", "Unsupported message"),
    })
}

/// The body without a leading emoji the placeholder already shows.
pub fn body_without_emoji<'a>(body: &'a str, emoji: &str) -> &'a str {
    body.strip_prefix(emoji)
        .map(str::trim_start)
        .unwrap_or(body)
}

/// The tick marks of an outbound message and their meaning for screen readers.
pub fn status_ticks(status: MessageStatus) -> (&'static str, &'static str) {
    match status {
        MessageStatus::Pending => ("⏱", "Sending"),
        MessageStatus::Sent => ("✓", "Sent"),
        MessageStatus::Delivered => ("✓✓", "Delivered"),
        MessageStatus::Read => ("✓✓", "Read"),
        MessageStatus::Failed => ("⚠", "Not delivered"),
    }
}

/// Up to two initials for an avatar.
pub fn initials(name: &str) -> String {
    let letters: String = name
        .split_whitespace()
        .filter_map(|word| word.chars().find(|c| c.is_alphanumeric()))
        .take(2)
        .collect();
    if letters.is_empty() {
        "?".into()
    } else {
        letters.to_uppercase()
    }
}

/// A stable hue for a contact's avatar, from their id.
pub fn avatar_hue(id: &str) -> u32 {
    id.bytes().fold(7u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    }) % 360
}

/// The start of the local day `yyyy_mm_dd` (a date input's value), `days` later, as
/// RFC 3339; `None` for an empty or unreadable date.
pub fn local_day_start(yyyy_mm_dd: &str, days: u32) -> Option<String> {
    if yyyy_mm_dd.trim().is_empty() {
        return None;
    }
    // Without a zone, a date-time is read in the browser's own time zone.
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(&format!(
        "{yyyy_mm_dd}T00:00:00"
    )));
    if date.get_time().is_nan() {
        return None;
    }
    date.set_date(date.get_date() + days);
    Some(String::from(date.to_iso_string()))
}
