//! The business's own days: its time zone (an IANA name such as `Africa/Lagos`, stored
//! on the business) and the instants at which its days begin, so that "today", "the
//! last 7 days" and a chart's days are the owner's, whatever the server's clock says.
//!
//! Instants in the database are UTC; a local day is the half-open range between two
//! local midnights converted to UTC, which stays right across daylight-saving changes
//! and for zones whose offset is not a whole hour.

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use chrono_tz::Tz;

/// The zone of businesses that never chose one.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// A business's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessZone(Tz);

impl BusinessZone {
    /// Parses an IANA zone name (`Africa/Lagos`, `America/New_York`, `UTC`), exactly
    /// as the tz database spells it; `None` for anything else.
    pub fn parse(name: &str) -> Option<BusinessZone> {
        name.trim().parse::<Tz>().ok().map(BusinessZone)
    }

    /// The zone a stored name stands for; a name that no longer parses (the database
    /// renamed a zone) counts as UTC rather than failing the owner's home page.
    pub fn from_stored(name: &str) -> BusinessZone {
        BusinessZone::parse(name).unwrap_or_else(|| {
            tracing::warn!(
                time_zone = name,
                "a stored time zone is unknown: counting in UTC"
            );
            BusinessZone(Tz::UTC)
        })
    }

    /// The canonical name, as stored.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The local date at the UTC instant `at`.
    pub fn date_at(self, at: NaiveDateTime) -> NaiveDate {
        self.0.from_utc_datetime(&at).date_naive()
    }

    /// The UTC instant at which the local day `day` begins: its midnight, or where a
    /// clock change skips midnight, the first local time that exists that day.
    pub fn day_start(self, day: NaiveDate) -> NaiveDateTime {
        let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
        (0..=24 * 4)
            .map(|quarter| midnight + Duration::minutes(quarter * 15))
            .find_map(|local| self.0.from_local_datetime(&local).earliest())
            .map_or(midnight, |t| t.with_timezone(&Utc).naive_utc())
    }

    /// The local days `first..=last` as UTC boundaries: `days + 1` instants, where day
    /// `i` is `[bounds[i], bounds[i + 1])`.
    pub fn day_bounds(self, first: NaiveDate, days: u32) -> Vec<NaiveDateTime> {
        (0..=days)
            .map(|i| self.day_start(first + Duration::days(i64::from(i))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time")
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn names_are_the_tz_database_s_and_nothing_else() {
        assert_eq!(
            BusinessZone::parse(" Africa/Lagos ").map(BusinessZone::name),
            Some("Africa/Lagos")
        );
        assert!(BusinessZone::parse("Mars/Olympus").is_none());
        assert!(BusinessZone::parse("").is_none());
        assert!(BusinessZone::parse("+01:00").is_none());
        assert_eq!(BusinessZone::from_stored("gone").name(), "UTC");
    }

    #[test]
    fn a_local_day_starts_at_local_midnight_even_off_the_hour() {
        let lagos = BusinessZone::parse("Africa/Lagos").expect("a zone");
        assert_eq!(lagos.date_at(utc("2026-12-07 23:30")), date("2026-12-08"));
        assert_eq!(lagos.day_start(date("2026-12-08")), utc("2026-12-07 23:00"));
        let kathmandu = BusinessZone::parse("Asia/Kathmandu").expect("a zone");
        assert_eq!(
            kathmandu.day_start(date("2026-12-08")),
            utc("2026-12-07 18:15")
        );
        let honolulu = BusinessZone::parse("Pacific/Honolulu").expect("a zone");
        assert_eq!(
            honolulu.date_at(utc("2026-12-08 05:00")),
            date("2026-12-07")
        );
    }

    #[test]
    fn days_follow_daylight_saving_and_skipped_midnights() {
        let new_york = BusinessZone::parse("America/New_York").expect("a zone");
        // 2026-03-08 has 23 hours there.
        let bounds = new_york.day_bounds(date("2026-03-08"), 2);
        assert_eq!(
            bounds,
            [
                utc("2026-03-08 05:00"),
                utc("2026-03-09 04:00"),
                utc("2026-03-10 04:00")
            ]
        );
        // Santiago's clocks jump from midnight to 01:00 on 2026-09-06.
        let santiago = BusinessZone::parse("America/Santiago").expect("a zone");
        assert_eq!(
            santiago.day_start(date("2026-09-06")),
            utc("2026-09-06 04:00")
        );
    }
}
