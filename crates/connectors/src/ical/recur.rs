//! Expansion of RRULE, RDATE and EXDATE into occurrences with the `rrule` crate
//! (<https://www.rfc-editor.org/rfc/rfc5545#section-3.8.5>).
//!
//! Rules run on the wall clock of the series' zone, as RFC 5545 asks: every date-time is turned
//! into its local time, expanded as if that were UTC, and turned back afterwards. So the
//! machine's own time zone never plays a part, and fixed-offset VTIMEZONEs work too.

use super::time::{When, Zone, parse_date_time};
use chrono::{DateTime, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rrule::{RRule, Tz, Unvalidated};

/// At most this many steps of one rule are looked at, in and before the window.
const MAX_STEPS: usize = 1_000_000;

/// A parsed RRULE whose UNTIL is already a wall-clock time of the series' zone.
pub(super) struct Rule {
    rule: RRule<Unvalidated>,
    until: Option<NaiveDateTime>,
}

/// Parses an RRULE value for a series that starts at `start`.
pub(super) fn parse_rule(value: &str, start: When) -> Result<Rule, String> {
    let mut until = None;
    let mut parts = Vec::new();
    for part in value.trim().split(';').filter(|p| !p.is_empty()) {
        match part.split_once('=') {
            Some((key, v)) if key.trim().eq_ignore_ascii_case("UNTIL") => {
                let (local, date, utc) = parse_date_time(v)
                    .ok_or_else(|| format!("RRULE has an invalid UNTIL {v:?}"))?;
                until = Some(match (start, utc) {
                    (When::Time { zone, .. }, true) => zone.local(Utc.from_utc_datetime(&local)),
                    // A date-only UNTIL includes its whole day.
                    _ if date => local
                        .date()
                        .and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)),
                    _ => local,
                });
            }
            _ => parts.push(part),
        }
    }
    let rule: RRule<Unvalidated> = parts.join(";").parse().map_err(|e: rrule::RRuleError| {
        format!(
            "RRULE {value:?} is not valid: {}",
            e.to_string().trim_end_matches('.')
        )
    })?;
    Ok(Rule { rule, until })
}

/// Bounds of an expansion, as wall-clock times of the series' zone (a little wider than the
/// window; the caller filters exactly).
pub(super) struct Bounds {
    pub(super) from: NaiveDateTime,
    pub(super) to: NaiveDateTime,
    pub(super) max: usize,
}

fn as_utc(t: NaiveDateTime) -> DateTime<Tz> {
    Tz::UTC.from_utc_datetime(&t)
}

/// The wall-clock starts of a rule's occurrences within `bounds`, the series start included
/// only if the rule gives it. `Err` if the rule cannot be used with this start.
pub(super) fn expand(
    rule: Rule,
    start: NaiveDateTime,
    bounds: &Bounds,
) -> Result<Vec<NaiveDateTime>, String> {
    let Rule { rule, until } = rule;
    if until.is_some_and(|u| u < start) {
        return Ok(Vec::new());
    }
    let rule = match until {
        Some(u) => rule.until(as_utc(u)),
        None => rule,
    };
    let set = rule
        .build(as_utc(start))
        .map_err(|e| {
            format!(
                "RRULE is not valid for this DTSTART: {}",
                e.to_string().trim_end_matches('.')
            )
        })?
        .limit();
    // The rrule crate is third-party code on untrusted input: a panic in it rejects the record
    // instead of ending the input.
    let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut found = Vec::new();
        for t in set.into_iter().take(MAX_STEPS) {
            let t = t.naive_utc();
            if t > bounds.to || found.len() >= bounds.max {
                break;
            }
            if t >= bounds.from {
                found.push(t);
            }
        }
        found
    }))
    .map_err(|_| "RRULE cannot be expanded".to_owned())?;
    Ok(found)
}

/// The wall-clock time in `zone` of an RDATE or EXDATE value given in another zone.
pub(super) fn local_in(value: When, zone: Option<Zone>, floating: Zone) -> NaiveDateTime {
    match (value, zone) {
        (When::Time { .. }, Some(zone)) => zone.local(value.instant(floating).with_timezone(&Utc)),
        _ => value.local(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        parse_date_time(s).unwrap().0
    }

    fn run(rule: &str, start: When) -> Vec<String> {
        let rule = parse_rule(rule, start).unwrap();
        let bounds = Bounds {
            from: dt("19000101"),
            to: dt("21000101"),
            max: 50,
        };
        expand(rule, start.local(), &bounds)
            .unwrap()
            .iter()
            .map(|t| t.format("%Y%m%dT%H%M").to_string())
            .collect()
    }

    #[test]
    fn weekly_keeps_the_wall_clock_across_dst() {
        let berlin = Zone::Iana(chrono_tz::Europe::Berlin);
        let start = When::Time {
            local: dt("20190321T190000"),
            zone: berlin,
        };
        assert_eq!(
            run("FREQ=WEEKLY;COUNT=3", start),
            ["20190321T1900", "20190328T1900", "20190404T1900"]
        );
        // UNTIL in UTC is the wall-clock 23:59:59 of Berlin's 13 March.
        assert_eq!(
            run(
                "FREQ=WEEKLY;UNTIL=20190313T225959Z;BYDAY=WE",
                When::Time {
                    local: dt("20190227T183000"),
                    zone: berlin,
                }
            ),
            ["20190227T1830", "20190306T1830", "20190313T1830"]
        );
    }

    #[test]
    fn date_until_includes_its_day_and_bad_rules_fail() {
        let start = When::Date(dt("20190101").date());
        assert_eq!(
            run("FREQ=YEARLY;UNTIL=20210101", start),
            ["20190101T0000", "20200101T0000", "20210101T0000"]
        );
        assert!(parse_rule("FREQ=SOMETIMES", start).is_err());
        assert!(parse_rule("FREQ=DAILY;UNTIL=tomorrow", start).is_err());
        // UNTIL before the start: no occurrence from the rule.
        assert!(run("FREQ=DAILY;UNTIL=20180101", start).is_empty());
    }
}
