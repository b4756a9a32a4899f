//! Dates, times, durations and time zones of iCalendar
//! (<https://www.rfc-editor.org/rfc/rfc5545#section-3.3.5>).

use super::lines::Property;
use chrono::{
    DateTime, Datelike, Days, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime,
    TimeDelta, TimeZone, Timelike, Utc,
};
use std::collections::HashMap;

/// Where a wall-clock time is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Zone {
    Utc,
    Iana(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl Zone {
    /// The instant of the wall-clock time `local`. A time in a gap (spring forward) takes the
    /// offset before the gap, an ambiguous one (fall back) the first of its two instants, as
    /// RFC 5545 §3.3.5 asks.
    pub(super) fn resolve(self, local: NaiveDateTime) -> DateTime<FixedOffset> {
        match self {
            Self::Utc => Utc.from_utc_datetime(&local).fixed_offset(),
            Self::Fixed(offset) => offset.from_utc_datetime(&(local - offset_delta(offset))),
            Self::Iana(tz) => match tz.from_local_datetime(&local) {
                LocalResult::Single(t) => t.fixed_offset(),
                LocalResult::Ambiguous(first, _) => first.fixed_offset(),
                LocalResult::None => {
                    // Gaps last at most a few hours; the offset in effect a day before is the
                    // one before the gap.
                    let before = local - TimeDelta::days(1);
                    let offset = match tz.from_local_datetime(&before) {
                        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.fixed_offset(),
                        LocalResult::None => Utc.from_utc_datetime(&local).fixed_offset(),
                    };
                    offset
                        .timezone()
                        .from_utc_datetime(&(local - offset_delta(*offset.offset())))
                        .with_timezone(&tz)
                        .fixed_offset()
                }
            },
        }
    }

    /// The wall-clock time of `instant` in this zone.
    pub(super) fn local(self, instant: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Self::Utc => instant.naive_utc(),
            Self::Fixed(offset) => instant.with_timezone(&offset).naive_local(),
            Self::Iana(tz) => instant.with_timezone(&tz).naive_local(),
        }
    }
}

fn offset_delta(offset: FixedOffset) -> TimeDelta {
    TimeDelta::seconds(i64::from(offset.local_minus_utc()))
}

/// A DATE or DATE-TIME value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Date(NaiveDate),
    Time { local: NaiveDateTime, zone: Zone },
}

impl When {
    /// The instant this value starts at; a date starts at midnight in `floating`.
    pub(super) fn instant(self, floating: Zone) -> DateTime<FixedOffset> {
        match self {
            Self::Date(d) => floating.resolve(d.and_time(NaiveTime::MIN)),
            Self::Time { local, zone } => zone.resolve(local),
        }
    }

    /// The wall-clock time (midnight for a date).
    pub(super) fn local(self) -> NaiveDateTime {
        match self {
            Self::Date(d) => d.and_time(NaiveTime::MIN),
            Self::Time { local, .. } => local,
        }
    }

    /// A key that is the same for the same instant (or date): `20190302T090000Z` or `20190302`.
    pub(super) fn key(self, floating: Zone) -> String {
        match self {
            Self::Date(d) => compact_date(d),
            Self::Time { .. } => {
                let t = self.instant(floating).naive_utc();
                let mut key = compact_date(t.date());
                match plain_time(t) {
                    Some((h, m, s)) => {
                        key.push('T');
                        push_digits(&mut key, h, 2);
                        push_digits(&mut key, m, 2);
                        push_digits(&mut key, s, 2);
                        key.push('Z');
                    }
                    None => key.push_str(&t.format("T%H%M%SZ").to_string()),
                }
                key
            }
        }
    }

    /// The `xsd:date` or `xsd:dateTime` lexical form, with the offset of its zone.
    pub(super) fn lexical(self) -> String {
        match self {
            Self::Date(d) => iso_date(d).unwrap_or_else(|| d.format("%Y-%m-%d").to_string()),
            Self::Time { local, zone } => {
                let t = zone.resolve(local);
                let offset = t.offset().local_minus_utc();
                let utc = offset == 0 && zone == Zone::Utc;
                // The common case by hand: chrono's `format` parses its pattern every time.
                if let (Some(mut text), Some((h, m, s))) =
                    (iso_date(t.date_naive()), plain_time(t.naive_local()))
                    && (utc || offset % 60 == 0)
                {
                    text.push('T');
                    push_digits(&mut text, h, 2);
                    text.push(':');
                    push_digits(&mut text, m, 2);
                    text.push(':');
                    push_digits(&mut text, s, 2);
                    if utc {
                        text.push('Z');
                    } else {
                        text.push(if offset < 0 { '-' } else { '+' });
                        let minutes = offset.unsigned_abs() / 60;
                        push_digits(&mut text, minutes / 60, 2);
                        text.push(':');
                        push_digits(&mut text, minutes % 60, 2);
                    }
                    return text;
                }
                if utc {
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                } else {
                    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
                }
            }
        }
    }
}

/// `2019-03-02`, for years that chrono's `%Y` writes as four digits without sign.
fn iso_date(d: NaiveDate) -> Option<String> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let mut text = String::with_capacity(32);
    push_digits(&mut text, year, 4);
    text.push('-');
    push_digits(&mut text, d.month(), 2);
    text.push('-');
    push_digits(&mut text, d.day(), 2);
    Some(text)
}

/// Appends the last `width` decimal digits of `n`, zero-padded (`n` must have no more).
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (n / 10u32.pow(place)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// `20190302` (chrono's `%Y%m%d`).
fn compact_date(d: NaiveDate) -> String {
    match u32::try_from(d.year()).ok().filter(|y| *y <= 9999) {
        Some(year) => {
            let mut text = String::with_capacity(24);
            push_digits(&mut text, year, 4);
            push_digits(&mut text, d.month(), 2);
            push_digits(&mut text, d.day(), 2);
            text
        }
        None => d.format("%Y%m%d").to_string(),
    }
}

/// Hours, minutes and seconds, unless the time is a leap second (which `%S` writes as 60).
fn plain_time(t: NaiveDateTime) -> Option<(u32, u32, u32)> {
    (t.nanosecond() < 1_000_000_000).then(|| (t.hour(), t.minute(), t.second()))
}

/// Parses `20190101`, `20190101T100000` or `20190101T100000Z`.
pub(super) fn parse_date_time(value: &str) -> Option<(NaiveDateTime, bool, bool)> {
    let value = value.trim();
    let (date, time) = match value.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (value, None),
    };
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = |s: &str| s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'));
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&date[..4])).ok()?,
        digits(&date[4..6]),
        digits(&date[6..]),
    )?;
    match time {
        None => Some((date.and_time(NaiveTime::MIN), true, false)),
        Some(t) => {
            let (t, utc) = match t.strip_suffix(['Z', 'z']) {
                Some(t) => (t, true),
                None => (t, false),
            };
            if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: u32 = t[0..2].parse().ok()?;
            let m: u32 = t[2..4].parse().ok()?;
            let mut s: u32 = t[4..6].parse().ok()?;
            // A leap second (60) is allowed by RFC 5545; chrono has no such second.
            if s == 60 {
                s = 59;
            }
            let time = NaiveTime::from_hms_opt(h, m, s)?;
            Some((date.and_time(time), false, utc))
        }
    }
}

/// A DURATION (RFC 5545 §3.3.6): nominal days (wall clock) and exact seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Duration {
    pub(super) negative: bool,
    pub(super) days: u64,
    pub(super) seconds: u64,
}

impl Duration {
    pub(super) fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let (negative, rest) = match value.as_bytes().first() {
            Some(b'-') => (true, &value[1..]),
            Some(b'+') => (false, &value[1..]),
            _ => (false, value),
        };
        let rest = rest.strip_prefix(['P', 'p'])?;
        let (mut days, mut seconds) = (0u64, 0u64);
        let mut in_time = false;
        let mut number: Option<u64> = None;
        let mut any = false;
        for c in rest.chars() {
            match c.to_ascii_uppercase() {
                d @ '0'..='9' => {
                    let digit = u64::from(d as u8 - b'0');
                    number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(digit)?);
                }
                'T' if !in_time && number.is_none() => in_time = true,
                unit => {
                    let n = number.take()?;
                    any = true;
                    match (unit, in_time) {
                        ('W', false) => days = days.checked_add(n.checked_mul(7)?)?,
                        ('D', false) => days = days.checked_add(n)?,
                        ('H', true) => seconds = seconds.checked_add(n.checked_mul(3600)?)?,
                        ('M', true) => seconds = seconds.checked_add(n.checked_mul(60)?)?,
                        ('S', true) => seconds = seconds.checked_add(n)?,
                        _ => return None,
                    }
                }
            }
        }
        if number.is_some() || !any || days > 3_650_000 || seconds > 315_360_000_000 {
            return None;
        }
        Some(Self {
            negative,
            days,
            seconds,
        })
    }

    /// `start` plus this duration, days on the wall clock of `zone`, seconds exactly.
    pub(super) fn after(self, start: When, floating: Zone) -> Option<When> {
        if self.negative && (self.days > 0 || self.seconds > 0) {
            return None;
        }
        match start {
            When::Date(d) if self.seconds == 0 => {
                d.checked_add_days(Days::new(self.days)).map(When::Date)
            }
            When::Date(d) => {
                // A date with a duration in hours: RFC 5545 wants whole days for dates; take
                // the wall clock of the floating zone.
                let local = d
                    .and_time(NaiveTime::MIN)
                    .checked_add_days(Days::new(self.days))?;
                let instant =
                    floating.resolve(local) + TimeDelta::seconds(i64::try_from(self.seconds).ok()?);
                Some(When::Time {
                    local: floating.local(instant.with_timezone(&Utc)),
                    zone: floating,
                })
            }
            When::Time { local, zone } => {
                let local = local.checked_add_days(Days::new(self.days))?;
                let instant =
                    zone.resolve(local) + TimeDelta::seconds(i64::try_from(self.seconds).ok()?);
                Some(When::Time {
                    local: zone.local(instant.with_timezone(&Utc)),
                    zone,
                })
            }
        }
    }
}

/// What a VTIMEZONE says that we can use when its TZID is no zone we know by name.
#[derive(Debug, Default, Clone)]
pub(super) struct VTimezone {
    /// `X-LIC-LOCATION`, an IANA name some producers add.
    pub(super) location: Option<String>,
    /// `TZOFFSETTO` of each STANDARD and DAYLIGHT part.
    pub(super) offsets: Vec<Option<FixedOffset>>,
}

/// Parses `+0100`, `-0530` or `+013000`.
pub(super) fn parse_offset(value: &str) -> Option<FixedOffset> {
    let value = value.trim();
    let sign = match value.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits = &value[1..];
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits[0..2].parse().ok()?;
    let m: i32 = digits[2..4].parse().ok()?;
    let s: i32 = if digits.len() == 6 {
        digits[4..6].parse().ok()?
    } else {
        0
    };
    FixedOffset::east_opt(sign * (h * 3600 + m * 60 + s))
}

/// The time zones of one input: IANA names, Windows names, and the input's VTIMEZONEs.
pub(super) struct Zones {
    /// Where floating times and dates are.
    pub(super) floating: Zone,
    pub(super) vtimezones: HashMap<String, VTimezone>,
}

/// Why a TZID could not be resolved.
pub(super) enum ZoneError {
    /// No zone of that name, and no VTIMEZONE (yet).
    Unknown,
    /// A VTIMEZONE with rules we do not evaluate.
    NotSimple,
}

impl Zones {
    /// The zone of the TZID parameter `tzid`.
    pub(super) fn zone(&self, tzid: &str) -> Result<Zone, ZoneError> {
        let tzid = tzid.trim().trim_matches('"');
        if let Some(zone) = zone_by_name(tzid) {
            return Ok(zone);
        }
        let Some(vtz) = self.vtimezones.get(tzid) else {
            return Err(ZoneError::Unknown);
        };
        if let Some(zone) = vtz.location.as_deref().and_then(zone_by_name) {
            return Ok(zone);
        }
        match vtz.offsets.as_slice() {
            [Some(first), rest @ ..] if rest.iter().all(|o| *o == Some(*first)) => {
                Ok(Zone::Fixed(*first))
            }
            _ => Err(ZoneError::NotSimple),
        }
    }

    /// The value `value` (one of a list) of a DTSTART-like property.
    pub(super) fn when_of(&self, prop: &Property, value: &str) -> Result<When, WhenError> {
        let (local, date, utc) = parse_date_time(value).ok_or(WhenError::Syntax)?;
        let value_type = prop.param("VALUE").map(str::to_ascii_uppercase);
        if date || value_type.as_deref() == Some("DATE") {
            return Ok(When::Date(local.date()));
        }
        let zone = if utc {
            Zone::Utc
        } else if let Some(tzid) = prop.param("TZID") {
            self.zone(tzid).map_err(WhenError::Zone)?
        } else {
            self.floating
        };
        Ok(When::Time { local, zone })
    }
}

/// Why a date-time value could not be read.
pub(super) enum WhenError {
    Syntax,
    Zone(ZoneError),
}

/// An IANA zone by name, a Windows zone name, or an IANA name at the end of a path
/// (`/mozilla.org/20050126_1/Europe/Berlin`).
pub(super) fn zone_by_name(name: &str) -> Option<Zone> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("GMT") || name == "Z" {
        return Some(Zone::Utc);
    }
    if let Ok(tz) = name.parse::<chrono_tz::Tz>() {
        return Some(Zone::Iana(tz));
    }
    if let Some(iana) = windows_zone(name) {
        return iana.parse::<chrono_tz::Tz>().ok().map(Zone::Iana);
    }
    let mut rest = name;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Ok(tz) = tail.parse::<chrono_tz::Tz>()
            && tail.contains('/')
        {
            return Some(Zone::Iana(tz));
        }
        rest = tail;
    }
    None
}

/// The IANA zone of a Windows zone name (as Outlook and Exchange write TZIDs), after the CLDR
/// table `windowsZones.xml`, territory `001`. Only zones likely in a European feed and the
/// largest elsewhere are listed.
fn windows_zone(name: &str) -> Option<&'static str> {
    Some(match name {
        "W. Europe Standard Time" => "Europe/Berlin",
        "Central Europe Standard Time" => "Europe/Budapest",
        "Central European Standard Time" => "Europe/Warsaw",
        "Romance Standard Time" => "Europe/Paris",
        "GMT Standard Time" => "Europe/London",
        "Greenwich Standard Time" => "Atlantic/Reykjavik",
        "E. Europe Standard Time" => "Europe/Chisinau",
        "FLE Standard Time" => "Europe/Kiev",
        "GTB Standard Time" => "Europe/Bucharest",
        "Russian Standard Time" => "Europe/Moscow",
        "Turkey Standard Time" => "Europe/Istanbul",
        "Israel Standard Time" => "Asia/Jerusalem",
        "South Africa Standard Time" => "Africa/Johannesburg",
        "W. Central Africa Standard Time" => "Africa/Lagos",
        "Eastern Standard Time" => "America/New_York",
        "Central Standard Time" => "America/Chicago",
        "Mountain Standard Time" => "America/Denver",
        "US Mountain Standard Time" => "America/Phoenix",
        "Pacific Standard Time" => "America/Los_Angeles",
        "Alaskan Standard Time" => "America/Anchorage",
        "Hawaiian Standard Time" => "Pacific/Honolulu",
        "Atlantic Standard Time" => "America/Halifax",
        "SA Eastern Standard Time" => "America/Cayenne",
        "E. South America Standard Time" => "America/Sao_Paulo",
        "Argentina Standard Time" => "America/Buenos_Aires",
        "China Standard Time" => "Asia/Shanghai",
        "Tokyo Standard Time" => "Asia/Tokyo",
        "Korea Standard Time" => "Asia/Seoul",
        "India Standard Time" => "Asia/Calcutta",
        "Singapore Standard Time" => "Asia/Singapore",
        "Arabian Standard Time" => "Asia/Dubai",
        "AUS Eastern Standard Time" => "Australia/Sydney",
        "New Zealand Standard Time" => "Pacific/Auckland",
        "UTC" | "Coordinated Universal Time" => "Etc/UTC",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        parse_date_time(s).unwrap().0
    }

    #[test]
    fn lexical_forms_and_keys_are_chrono_s() {
        let zones = [
            Zone::Utc,
            Zone::Iana(chrono_tz::Europe::Berlin),
            Zone::Iana(chrono_tz::Europe::London),
            Zone::Iana(chrono_tz::America::St_Johns),
            Zone::Fixed(FixedOffset::east_opt(-(3 * 3600 + 30 * 60)).unwrap()),
            Zone::Fixed(FixedOffset::east_opt(5 * 3600 + 45 * 60 + 7).unwrap()),
        ];
        for text in [
            "20190101T000000",
            "20190331T023000",
            "20191027T023000",
            "00010101T120000",
            "99991231T235959",
        ] {
            let local = dt(text);
            for zone in zones {
                let when = When::Time { local, zone };
                let t = zone.resolve(local);
                let expected = if t.offset().local_minus_utc() == 0 && zone == Zone::Utc {
                    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                } else {
                    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
                };
                assert_eq!(when.lexical(), expected, "{text} in {zone:?}");
                let floating = Zone::Iana(chrono_tz::Europe::Berlin);
                assert_eq!(
                    when.key(floating),
                    t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string()
                );
            }
            let date = When::Date(local.date());
            assert_eq!(date.lexical(), local.date().format("%Y-%m-%d").to_string());
            assert_eq!(
                date.key(Zone::Utc),
                local.date().format("%Y%m%d").to_string()
            );
        }
    }

    #[test]
    fn parses_dates_and_times() {
        assert_eq!(
            parse_date_time("20190101"),
            Some((dt("20190101T000000"), true, false))
        );
        assert_eq!(
            parse_date_time("20190301T103000Z"),
            Some((dt("20190301T103000"), false, true))
        );
        assert!(parse_date_time("20190230").is_none());
        assert!(parse_date_time("2019-01-01").is_none());
        assert!(parse_date_time("20190101T25").is_none());
        assert!(parse_date_time("").is_none());
    }

    #[test]
    fn resolves_berlin_through_dst() {
        let berlin = Zone::Iana(chrono_tz::Europe::Berlin);
        let at = |s: &str| {
            When::Time {
                local: dt(s),
                zone: berlin,
            }
            .lexical()
        };
        assert_eq!(at("20190115T100000"), "2019-01-15T10:00:00+01:00");
        assert_eq!(at("20190715T100000"), "2019-07-15T10:00:00+02:00");
        // In the spring gap: the offset before the gap.
        assert_eq!(at("20190331T023000"), "2019-03-31T03:30:00+02:00");
        // Ambiguous in autumn: the first instant.
        assert_eq!(at("20191027T023000"), "2019-10-27T02:30:00+02:00");
        let utc = When::Time {
            local: dt("20190101T100000"),
            zone: Zone::Utc,
        };
        assert_eq!(utc.lexical(), "2019-01-01T10:00:00Z");
        assert_eq!(utc.key(berlin), "20190101T100000Z");
        assert_eq!(When::Date(dt("20190101").date()).lexical(), "2019-01-01");
    }

    #[test]
    fn windows_and_path_zone_names() {
        assert_eq!(
            zone_by_name("W. Europe Standard Time"),
            Some(Zone::Iana(chrono_tz::Europe::Berlin))
        );
        assert_eq!(
            zone_by_name("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(Zone::Iana(chrono_tz::Europe::Berlin))
        );
        assert_eq!(zone_by_name("UTC"), Some(Zone::Utc));
        assert_eq!(zone_by_name("Mitteleuropäische Zeit"), None);
        assert_eq!(zone_by_name("Custom/Berlin"), None);
    }

    #[test]
    fn parses_durations() {
        let d = |s| Duration::parse(s);
        assert_eq!(
            d("PT1H30M"),
            Some(Duration {
                negative: false,
                days: 0,
                seconds: 5400
            })
        );
        assert_eq!(d("P2W").map(|d| d.days), Some(14));
        assert_eq!(d("P1DT12H").map(|d| (d.days, d.seconds)), Some((1, 43200)));
        assert_eq!(d("-PT5M").map(|d| d.negative), Some(true));
        for bad in [
            "",
            "P",
            "PT",
            "P1H",
            "PT1D",
            "1H",
            "P1",
            "P99999999999999999999D",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
        // Days are nominal: one day after 10:00 before the switch to summer time is 10:00.
        let berlin = Zone::Iana(chrono_tz::Europe::Berlin);
        let start = When::Time {
            local: dt("20190330T100000"),
            zone: berlin,
        };
        assert_eq!(
            d("P1D").unwrap().after(start, berlin).unwrap().lexical(),
            "2019-03-31T10:00:00+02:00"
        );
        assert_eq!(
            d("PT24H").unwrap().after(start, berlin).unwrap().lexical(),
            "2019-03-31T11:00:00+02:00"
        );
    }

    #[test]
    fn parses_offsets() {
        assert_eq!(
            parse_offset("+0100").map(|o| o.local_minus_utc()),
            Some(3600)
        );
        assert_eq!(
            parse_offset("-0530").map(|o| o.local_minus_utc()),
            Some(-19800)
        );
        assert_eq!(parse_offset("0100"), None);
        assert_eq!(parse_offset("+99"), None);
    }
}
