//! Feed dates: RFC 822/2822 (RSS `pubDate`) with the variants real feeds
//! write, and RFC 3339 (Atom, JSON Feed, `dc:date`). docs/inputs.md lists
//! what is accepted.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};

use crate::resolve::parse_time;

/// A date read from a feed, and whether its zone was missing (read as UTC).
pub type FeedTime = (Timestamp, bool);

/// An RSS date: RFC 822/2822 first, then RFC 3339 (some feeds write that).
pub fn parse_rss_date(raw: &str) -> Option<FeedTime> {
    let s = raw.trim();
    parse_rfc2822(s).or_else(|| parse_time(s).ok())
}

/// An Atom or JSON Feed date: RFC 3339 (a date alone, or a date-time
/// without offset, is read as UTC and flagged).
pub fn parse_iso_date(raw: &str) -> Option<FeedTime> {
    parse_time(raw.trim()).ok()
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const FULL_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn month_number(word: &str) -> Option<i8> {
    let lower = word.trim_end_matches('.').to_ascii_lowercase();
    let at = MONTHS
        .iter()
        .position(|m| *m == lower)
        .or_else(|| FULL_MONTHS.iter().position(|m| *m == lower))
        .or_else(|| (lower == "sept").then_some(8))?;
    i8::try_from(at + 1).ok()
}

fn is_weekday(word: &str) -> bool {
    let lower = word.trim_end_matches([',', '.']).to_ascii_lowercase();
    let head = lower.get(..3).unwrap_or("");
    lower.len() >= 3 && WEEKDAYS.contains(&head) && lower.chars().all(|c| c.is_ascii_alphabetic())
}

/// Zone names of RFC 822 (and `UTC`, `Z`), as offsets in minutes. Other
/// names are ambiguous (IST, CST elsewhere, …) and are not guessed.
fn named_zone(word: &str) -> Option<i32> {
    Some(match word.to_ascii_uppercase().as_str() {
        "UT" | "UTC" | "GMT" | "Z" => 0,
        "EST" => -5 * 60,
        "EDT" => -4 * 60,
        "CST" => -6 * 60,
        "CDT" => -5 * 60,
        "MST" => -7 * 60,
        "MDT" => -6 * 60,
        "PST" => -8 * 60,
        "PDT" => -7 * 60,
        _ => return None,
    })
}

/// `+0200`, `-05:30`, `+02`: an offset in minutes.
fn numeric_zone(word: &str) -> Option<i32> {
    let (sign, digits) = match word.as_bytes().first()? {
        b'+' => (1, word.get(1..)?),
        b'-' => (-1, word.get(1..)?),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|&c| c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits.get(..2)?.parse::<i32>().ok()?,
            digits.get(2..)?.parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 60 + m))
}

fn number(word: &str, max_len: usize) -> Option<i32> {
    (!word.is_empty() && word.len() <= max_len && word.chars().all(|c| c.is_ascii_digit()))
        .then(|| word.parse().ok())
        .flatten()
}

/// RFC 822/2822 and its common variants: an optional weekday (with or
/// without comma, never checked against the date), a one- or two-digit
/// day, an English month name (short or full), a four-digit year or a
/// two-digit one (RFC 2822's rule: 00–49 is 20xx, 50–99 is 19xx), `H:MM`
/// or `HH:MM:SS`, and a zone: numeric (`+0200`, `+02:00`), `UT`/`UTC`/`GMT`/
/// `Z`, or a US zone of RFC 822 (EST … PDT). A missing zone is read as UTC
/// and flagged. `day month` may also be written `month day`.
pub fn parse_rfc2822(s: &str) -> Option<FeedTime> {
    let mut words = s
        .split(|c: char| c.is_ascii_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .peekable();
    if words.peek().is_some_and(|w| is_weekday(w)) {
        words.next();
    }
    let a = words.next()?;
    let b = words.next()?;
    let (day, month) = match (number(a, 2), month_number(b)) {
        (Some(d), Some(m)) => (d, m),
        _ => (number(b, 2)?, month_number(a)?),
    };
    let year_word = words.next()?;
    let year = match year_word.len() {
        4 => number(year_word, 4)?,
        2 => {
            let y = number(year_word, 2)?;
            if y < 50 { 2000 + y } else { 1900 + y }
        }
        _ => return None,
    };
    let time_word = words.next()?;
    let mut parts = time_word.split(':');
    let hour = number(parts.next()?, 2)?;
    let minute = number(parts.next()?, 2)?;
    let second = match parts.next() {
        Some(sec) => number(sec.split('.').next()?, 2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    let (offset_minutes, assumed) = match words.next() {
        None => (0, true),
        Some(zone) => (named_zone(zone).or_else(|| numeric_zone(zone))?, false),
    };
    // Anything after the zone is a comment (`(UTC)`) or junk: junk fails.
    if let Some(rest) = words.next()
        && !(rest.starts_with('(') && s.trim_end().ends_with(')'))
    {
        return None;
    }
    let date = Date::new(i16::try_from(year).ok()?, month, i8::try_from(day).ok()?).ok()?;
    // A leap second reads as the last second of its minute.
    let time = Time::new(
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        i8::try_from(second.min(59)).ok()?,
        0,
    )
    .ok()?;
    let offset = Offset::from_seconds(offset_minutes * 60).ok()?;
    let zoned = DateTime::from_parts(date, time)
        .to_zoned(TimeZone::fixed(offset))
        .ok()?;
    Some((zoned.timestamp(), assumed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::format_time;

    fn t(s: &str) -> Option<(String, bool)> {
        parse_rss_date(s).map(|(ts, a)| (format_time(ts), a))
    }

    fn utc(s: &str) -> Option<(String, bool)> {
        Some((s.to_owned(), false))
    }

    #[test]
    fn rfc822_and_the_variants_feeds_write() {
        assert_eq!(
            t("Sat, 07 Sep 2002 09:42:31 GMT"),
            utc("2002-09-07T09:42:31Z")
        );
        assert_eq!(
            t("Tue, 10 Jun 2003 04:00:00 -0500"),
            utc("2003-06-10T09:00:00Z")
        );
        assert_eq!(t("Tue, 10 Jun 2003 04:00 EST"), utc("2003-06-10T09:00:00Z"));
        assert_eq!(
            t("10 Jun 2003 04:00:00 +02:00"),
            utc("2003-06-10T02:00:00Z")
        );
        assert_eq!(
            t("Mon, 1 Jun 2026 8:05:00 PDT"),
            utc("2026-06-01T15:05:00Z")
        );
        assert_eq!(
            t("Thursday, 5 March 2026 10:00:00 UT"),
            utc("2026-03-05T10:00:00Z")
        );
        assert_eq!(
            t("Mon, 07 Sep 02 09:42:31 +0000"),
            utc("2002-09-07T09:42:31Z")
        );
        assert_eq!(
            t("Mon, 07 Sep 99 09:42:31 +0000"),
            utc("1999-09-07T09:42:31Z")
        );
        assert_eq!(t("Wed,07 Oct 2026 10:00:00 Z"), utc("2026-10-07T10:00:00Z"));
        assert_eq!(t("Oct 07 2026 10:00:00 +0000"), utc("2026-10-07T10:00:00Z"));
        assert_eq!(
            t("Wed, 07 Oct 2026 10:00:00 +0000 (UTC)"),
            utc("2026-10-07T10:00:00Z")
        );
        assert_eq!(
            t("Wed, 07 Oct 2026 10:00:00"),
            Some(("2026-10-07T10:00:00Z".to_owned(), true))
        );
        assert_eq!(t("2026-10-07T10:00:00+01:00"), utc("2026-10-07T09:00:00Z"));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("Wed, 31 Feb 2026 10:00:00 GMT"), None);
        assert_eq!(t("Wed, 07 Oct 2026 25:00:00 GMT"), None);
        assert_eq!(t("Wed, 07 Oct 2026 10:00:00 IST"), None);
        assert_eq!(t("Wed, 07 Oct 126 10:00:00 GMT"), None);
        assert_eq!(t("Wed, 07 Oct 2026 10:00:00 GMT junk"), None);
        assert_eq!(t(""), None);
    }
}
