//! WhatsApp's 24-hour customer service window.
//!
//! Free-form messages may be sent only within 24 hours of the customer's last inbound
//! message; outside it, only an approved template.

/// Length of the customer service window, in seconds.
pub const SERVICE_WINDOW_SECS: i64 = 24 * 60 * 60;

/// Whether a free-form message may be sent at `now` (unix seconds), given the time of
/// the customer's last inbound message.
pub fn window_open(last_inbound_at: Option<i64>, now: i64) -> bool {
    match last_inbound_at {
        Some(t) => now >= t && now - t < SERVICE_WINDOW_SECS,
        None => false,
    }
}

/// When the window closes (unix seconds), if it was ever opened.
pub fn window_closes_at(last_inbound_at: Option<i64>) -> Option<i64> {
    last_inbound_at.map(|t| t + SERVICE_WINDOW_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_for_exactly_24_hours() {
        assert!(window_open(Some(1_000), 1_000));
        assert!(window_open(Some(1_000), 1_000 + SERVICE_WINDOW_SECS - 1));
        assert!(!window_open(Some(1_000), 1_000 + SERVICE_WINDOW_SECS));
        assert!(!window_open(None, 1_000));
    }
}
