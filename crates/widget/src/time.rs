//! Dates for cards: a small RFC 3339 parser (the bundle's UTC timestamps)
//! and relative/absolute wording. In the browser the wording comes from
//! `Intl.RelativeTimeFormat` / `Intl.DateTimeFormat` in the reader's locale;
//! natively (tests, SSR) from a deterministic English fallback. No date
//! crate: the arithmetic below is all a card needs.

use yew::AttrValue;

const SECOND: f64 = 1_000.0;
const MINUTE: f64 = 60.0 * SECOND;
const HOUR: f64 = 60.0 * MINUTE;
const DAY: f64 = 24.0 * HOUR;
const WEEK: f64 = 7.0 * DAY;
const MONTH: f64 = 30.436_875 * DAY;
const YEAR: f64 = 365.242_5 * DAY;

/// A card's date in three forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateText {
    /// Machine-readable, for `<time datetime>`: `2021-04-28T16:08:00Z`.
    pub datetime: AttrValue,
    /// "3 days ago", "yesterday", "in 2 hours" (or the locale's words).
    pub relative: AttrValue,
    /// "28 Apr 2021" (or the locale's medium date).
    pub absolute: AttrValue,
}

/// Builds the `Intl` formatters for `locale` ahead of the first card: their
/// construction is the slowest part of a card's first render (in a profile
/// of `cargo xtask bench widget`; docs/size.md, "Speed"), so the widget
/// does it while the bundle is still on its way. Natively there is nothing
/// to build.
pub fn prepare(locale: &str) {
    #[cfg(target_arch = "wasm32")]
    intl::prepare(locale);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = locale;
}

/// Describes a publication time relative to `now_ms`; `None` when the
/// timestamp is not valid RFC 3339.
pub fn describe(published: &str, now_ms: f64, locale: &str) -> Option<DateText> {
    let ms = parse_rfc3339(published)?;
    let (value, unit) = relative_parts(ms - now_ms);
    let datetime = iso_utc(ms);
    let relative = format_relative(value, unit, locale, &datetime);
    let absolute = format_absolute(ms, locale, &datetime);
    Some(DateText {
        datetime: AttrValue::from(datetime),
        relative: AttrValue::from(relative),
        absolute: AttrValue::from(absolute),
    })
}

/// Relative-time units, as `Intl.RelativeTimeFormat` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }
}

/// The largest unit that fits `delta_ms` (negative: past), with the count
/// truncated toward zero: 36 hours ago is "yesterday" (-1 day), 59 minutes
/// is "59 minutes".
pub fn relative_parts(delta_ms: f64) -> (f64, Unit) {
    let abs = delta_ms.abs();
    let (size, unit) = if abs < MINUTE {
        (SECOND, Unit::Second)
    } else if abs < HOUR {
        (MINUTE, Unit::Minute)
    } else if abs < DAY {
        (HOUR, Unit::Hour)
    } else if abs < WEEK {
        (DAY, Unit::Day)
    } else if abs < MONTH {
        (WEEK, Unit::Week)
    } else if abs < YEAR {
        (MONTH, Unit::Month)
    } else {
        (YEAR, Unit::Year)
    };
    // `+ 0.0` turns -0 into 0 so "now" is not "-0 seconds".
    ((delta_ms / size).trunc() + 0.0, unit)
}

/// Milliseconds since the Unix epoch of an RFC 3339 date-time
/// (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `t`/`z`/space accepted).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, allowed: &[u8]| b.get(at).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut frac_ms = 0.0;
    if sep(i, b".") {
        i += 1;
        let start = i;
        let mut scale = 100.0;
        while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
            frac_ms += f64::from(d - b'0') * scale;
            scale /= 10.0;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && sep(i + 3, b":") => {
            let (oh, om) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let m = oh * 60 + om;
            if *sign == b'-' { -m } else { m }
        }
        _ => return None,
    };
    // A leap second is read as the last second of its minute.
    let second = second.min(59);
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_min * 60;
    Some(secs as f64 * 1_000.0 + frac_ms.floor())
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = (month + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `2021-04-28T16:08:00Z` (whole seconds, UTC).
pub fn iso_utc(ms: f64) -> String {
    let secs = (ms / 1_000.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

/// English relative wording, shaped like `Intl.RelativeTimeFormat` with
/// `numeric: "auto"`.
pub fn english_relative(value: f64, unit: Unit) -> String {
    let n = value as i64;
    match (n, unit) {
        (0, Unit::Second) => return "now".into(),
        (-1, Unit::Day) => return "yesterday".into(),
        (1, Unit::Day) => return "tomorrow".into(),
        (-1, Unit::Week | Unit::Month | Unit::Year) => return format!("last {}", unit.as_str()),
        (1, Unit::Week | Unit::Month | Unit::Year) => return format!("next {}", unit.as_str()),
        _ => {}
    }
    let count = n.unsigned_abs();
    let plural = if count == 1 { "" } else { "s" };
    let amount = format!("{count} {}{plural}", unit.as_str());
    if n < 0 {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

/// English medium date in UTC: "28 Apr 2021".
pub fn english_absolute(ms: f64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = (ms / DAY).floor() as i64;
    let (y, m, d) = civil_from_days(days);
    let name = usize::try_from(m - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?");
    format!("{d} {name} {y}")
}

#[cfg(not(target_arch = "wasm32"))]
fn format_relative(value: f64, unit: Unit, _locale: &str, _datetime: &str) -> String {
    english_relative(value, unit)
}

#[cfg(not(target_arch = "wasm32"))]
fn format_absolute(ms: f64, _locale: &str, _datetime: &str) -> String {
    english_absolute(ms)
}

// In the browser, a missing `Intl` (no browser that runs the widget lacks
// it: constructable stylesheets came later) shows the ISO date instead of
// carrying the English wording in the wasm.
#[cfg(target_arch = "wasm32")]
fn format_relative(value: f64, unit: Unit, locale: &str, datetime: &str) -> String {
    intl::relative(value, unit.as_str(), locale).unwrap_or_else(|| iso_date(datetime))
}

#[cfg(target_arch = "wasm32")]
fn format_absolute(ms: f64, locale: &str, datetime: &str) -> String {
    intl::absolute(ms, locale).unwrap_or_else(|| iso_date(datetime))
}

/// `2021-04-28` of `2021-04-28T16:08:00Z`.
#[cfg(target_arch = "wasm32")]
fn iso_date(datetime: &str) -> String {
    datetime.get(..10).unwrap_or(datetime).to_owned()
}

/// The browser's `Intl` (`edge.js`): formatters made once per locale, a
/// locale the browser rejects falling back to its default one.
#[cfg(target_arch = "wasm32")]
mod intl {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen(module = "/src/edge.js")]
    extern "C" {
        #[wasm_bindgen(js_name = prepareDates)]
        fn prepare_dates(locale: &str);

        /// `value` `unit`s from now in words, or with an empty `unit` the
        /// date at `value` ms.
        #[wasm_bindgen(js_name = formatDate)]
        fn format_date(locale: &str, value: f64, unit: &str) -> Option<String>;
    }

    pub(super) fn prepare(locale: &str) {
        prepare_dates(locale);
    }

    pub(super) fn relative(value: f64, unit: &str, locale: &str) -> Option<String> {
        format_date(locale, value, unit)
    }

    pub(super) fn absolute(ms: f64, locale: &str) -> Option<String> {
        format_date(locale, ms, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "2021-04-28T16:08:00Z";
    const T_MS: f64 = 1_619_626_080_000.0;

    #[test]
    fn parses_utc_and_offsets() {
        assert_eq!(parse_rfc3339(T), Some(T_MS));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1000.0));
        assert_eq!(parse_rfc3339("2021-04-28T18:08:00+02:00"), Some(T_MS));
        assert_eq!(
            parse_rfc3339("2021-04-28t16:08:00.250z"),
            Some(T_MS + 250.0)
        );
        assert_eq!(
            parse_rfc3339("2021-04-28 16:08:00.9999Z"),
            Some(T_MS + 999.0)
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00Z"),
            Some(951_782_400_000.0)
        );
        assert_eq!(
            parse_rfc3339("2016-12-31T23:59:60Z"),
            parse_rfc3339("2016-12-31T23:59:59Z")
        );
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2021-04-28",
            "2021-04-28T16:08Z",
            "2021-04-28T16:08:00",
            "2021-13-01T00:00:00Z",
            "2021-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2021-04-31T00:00:00Z",
            "2021-04-00T00:00:00Z",
            "2021-04-28T24:00:00Z",
            "2021-04-28T16:60:00Z",
            "2021-04-28T16:08:00.Z",
            "2021-04-28T16:08:00Zjunk",
            "2021-04-28T16:08:00+2:00",
            "2021-04-28T16:08:00+24:00",
            "2021/04/28T16:08:00Z",
            "+021-04-28T16:08:00Z",
            "2021-04-28T16:08:0xZ",
            "２021-04-28T16:08:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(18_745), (2021, 4, 28));
        assert_eq!(iso_utc(T_MS + 999.0), T);
        assert_eq!(iso_utc(-1000.0), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn english_wording() {
        let cases = [
            (0.0, "now"),
            (-30.0 * SECOND, "30 seconds ago"),
            (-MINUTE, "1 minute ago"),
            (-59.0 * MINUTE, "59 minutes ago"),
            (2.0 * HOUR + 5.0 * MINUTE, "in 2 hours"),
            (-36.0 * HOUR, "yesterday"),
            (36.0 * HOUR, "tomorrow"),
            (-3.0 * DAY, "3 days ago"),
            (-8.0 * DAY, "last week"),
            (-15.0 * DAY, "2 weeks ago"),
            (-45.0 * DAY, "last month"),
            (-200.0 * DAY, "6 months ago"),
            (-400.0 * DAY, "last year"),
            (-3.0 * YEAR, "3 years ago"),
            (5.0 * YEAR, "in 5 years"),
        ];
        for (delta, want) in cases {
            let (v, u) = relative_parts(delta);
            assert_eq!(english_relative(v, u), want, "{delta}");
        }
    }

    #[test]
    fn describe_native() {
        let d = describe(T, T_MS + 3.0 * DAY, "de-DE").unwrap();
        assert_eq!(d.datetime, T);
        assert_eq!(d.relative, "3 days ago");
        assert_eq!(d.absolute, "28 Apr 2021");
        let d = describe("2021-04-28T18:08:00+02:00", T_MS - 2.0 * HOUR, "en").unwrap();
        assert_eq!(d.datetime, T);
        assert_eq!(d.relative, "in 2 hours");
        assert!(describe("garbage", T_MS, "en").is_none());
        assert_eq!(english_absolute(0.0), "1 Jan 1970");
    }
}
