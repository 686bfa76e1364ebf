//! The calendar functions (`year`, `month`, `day_of_week`, ...) on Unix timestamps, in UTC.

use chrono::{DateTime, Datelike, Months, Timelike, Utc};

/// Which calendar field [`date_part`] extracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DatePart {
    /// `day_of_month`: 1–31.
    DayOfMonth,
    /// `day_of_week`: 0 (Sunday) – 6 (Saturday).
    DayOfWeek,
    /// `day_of_year`: 1–366.
    DayOfYear,
    /// `days_in_month`: 28–31.
    DaysInMonth,
    /// `hour`: 0–23.
    Hour,
    /// `minute`: 0–59.
    Minute,
    /// `month`: 1–12.
    Month,
    /// `year`.
    Year,
}

/// The calendar field `part` of the UTC time `t_seconds` seconds after the Unix epoch.
///
/// Like Prometheus, the timestamp is truncated towards zero to whole seconds first (so
/// `-0.5` is 1970-01-01 00:00:00). Prometheus has no defined answer for NaN, ±Inf or times beyond
/// what its clock can represent (Go converts them to an arbitrary integer); Vitals gives NaN for
/// those, and for any time outside chrono's range (about ±262,000 years).
pub(crate) fn date_part(part: DatePart, t_seconds: f64) -> f64 {
    if !t_seconds.is_finite() {
        return f64::NAN;
    }
    // Truncates towards zero like Go's int64 conversion; out-of-range values saturate and are
    // then rejected by chrono.
    let Some(time) = DateTime::<Utc>::from_timestamp(t_seconds as i64, 0) else {
        return f64::NAN;
    };
    let value = match part {
        DatePart::DayOfMonth => time.day(),
        DatePart::DayOfWeek => time.weekday().num_days_from_sunday(),
        DatePart::DayOfYear => time.ordinal(),
        DatePart::DaysInMonth => {
            let Some(first) = time.date_naive().with_day(1) else {
                return f64::NAN;
            };
            let Some(next) = first.checked_add_months(Months::new(1)) else {
                return f64::NAN;
            };
            return next.signed_duration_since(first).num_days() as f64;
        }
        DatePart::Hour => time.hour(),
        DatePart::Minute => time.minute(),
        DatePart::Month => time.month(),
        DatePart::Year => return f64::from(time.year()),
    };
    f64::from(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch() {
        assert_eq!(date_part(DatePart::Year, 0.0), 1970.0);
        assert_eq!(date_part(DatePart::Month, 0.0), 1.0);
        assert_eq!(date_part(DatePart::DayOfMonth, 0.0), 1.0);
        assert_eq!(date_part(DatePart::DayOfYear, 0.0), 1.0);
        // A Thursday.
        assert_eq!(date_part(DatePart::DayOfWeek, 0.0), 4.0);
        assert_eq!(date_part(DatePart::Hour, 0.0), 0.0);
        assert_eq!(date_part(DatePart::Minute, 0.0), 0.0);
    }

    #[test]
    fn matches_functions_test() {
        // 2006-01-02 22:04:05, a Monday.
        let t = 1136239445.0;
        assert_eq!(date_part(DatePart::Year, t), 2006.0);
        assert_eq!(date_part(DatePart::Month, t), 1.0);
        assert_eq!(date_part(DatePart::DayOfMonth, t), 2.0);
        assert_eq!(date_part(DatePart::DayOfYear, t), 2.0);
        assert_eq!(date_part(DatePart::DayOfWeek, t), 1.0);
        assert_eq!(date_part(DatePart::Hour, t), 22.0);
        assert_eq!(date_part(DatePart::Minute, t), 4.0);

        // Around the 2008 leap second.
        assert_eq!(date_part(DatePart::Year, 1230767999.0), 2008.0);
        assert_eq!(date_part(DatePart::Year, 1230768000.0), 2009.0);
        // 2016-02-29 23:59:59 and 2016-03-01 00:00:00.
        assert_eq!(date_part(DatePart::Month, 1456790399.0) + date_part(DatePart::DayOfMonth, 1456790399.0) / 100.0, 2.29);
        assert_eq!(date_part(DatePart::Month, 1456790400.0) + date_part(DatePart::DayOfMonth, 1456790400.0) / 100.0, 3.01);
        assert_eq!(date_part(DatePart::DayOfYear, 1483191420.0), 366.0);
        assert_eq!(date_part(DatePart::DayOfYear, 1672493820.0), 365.0);
        assert_eq!(date_part(DatePart::DaysInMonth, 1454284800.0), 29.0);
        assert_eq!(date_part(DatePart::DaysInMonth, 1485907200.0), 28.0);
    }

    #[test]
    fn at_modifier_minute() {
        // minute(metric @ 1500) with the value 1500 -> 00:25.
        assert_eq!(date_part(DatePart::Minute, 1500.0), 25.0);
    }

    #[test]
    fn days_in_month_for_every_kind_of_month() {
        // 2023-01-15, 2023-04-15, 2023-12-31.
        assert_eq!(date_part(DatePart::DaysInMonth, 1673740800.0), 31.0);
        assert_eq!(date_part(DatePart::DaysInMonth, 1681516800.0), 30.0);
        assert_eq!(date_part(DatePart::DaysInMonth, 1704067199.0), 31.0);
    }

    #[test]
    fn fractions_truncate_towards_zero() {
        assert_eq!(date_part(DatePart::Year, -0.5), 1970.0);
        assert_eq!(date_part(DatePart::Year, -1.0), 1969.0);
        assert_eq!(date_part(DatePart::Minute, 59.999), 0.0);
    }

    #[test]
    fn non_finite_and_huge_times_give_nan() {
        for t in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300, 1e15] {
            assert!(date_part(DatePart::Year, t).is_nan(), "{t}");
        }
    }
}
