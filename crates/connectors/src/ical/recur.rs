//! Expansion of RRULE, RDATE and EXDATE into occurrences with the `rrule` crate
//! (<https://www.rfc-editor.org/rfc/rfc5545#section-3.8.5>).
//!
//! Rules run on the wall clock of the series' zone, as RFC 5545 asks: every date-time is turned
//! into its local time, expanded as if that were UTC, and turned back afterwards. So the
//! machine's own time zone never plays a part, and fixed-offset VTIMEZONEs work too.

use super::calendar::Draft;
use super::time::{When, Zone, parse_date_time};
use super::{Failure, State, bad};
use crate::text::quoted;
use chrono::{DateTime, Days, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use rrule::{RRule, Tz, Unvalidated};
use std::collections::HashSet;

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
                    .ok_or_else(|| format!("RRULE has an invalid UNTIL {}", quoted(v)))?;
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
            "RRULE {} is not valid: {}",
            quoted(value),
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

/// Occurrences of one series within a window.
const MAX_IN_WINDOW: usize = 10_000;
/// Occurrences of one series without a window.
const MAX_WITHOUT_WINDOW: usize = 1_000;
/// Months after DTSTART a series is expanded without a window.
const MONTHS_WITHOUT_WINDOW: u32 = 24;

impl State<'_, '_> {
    /// The occurrences of a series: starts and ends.
    pub(super) fn occurrences(
        &self,
        draft: &Draft,
        start: When,
        end: Option<When>,
        uid: Option<&str>,
        last: bool,
    ) -> Result<Vec<(When, Option<When>)>, Failure> {
        let floating = self.options.floating;
        let zone = match start {
            When::Time { zone, .. } => Some(zone),
            When::Date(_) => None,
        };
        let series_zone = zone.unwrap_or(floating);
        let first = start.local();
        let length = end.map_or(TimeDelta::zero(), |e| e.local() - first);
        let (bounds, window) = match self.options.window {
            Some((from, to)) => {
                let slack = TimeDelta::days(2);
                let lower = series_zone.local(from) - length.max(TimeDelta::zero()) - slack;
                (
                    Bounds {
                        from: lower,
                        to: series_zone.local(to) + slack,
                        max: MAX_IN_WINDOW,
                    },
                    Some((from, to)),
                )
            }
            None => (
                Bounds {
                    from: first,
                    to: first
                        .checked_add_months(chrono::Months::new(MONTHS_WITHOUT_WINDOW))
                        .unwrap_or(NaiveDateTime::MAX),
                    max: MAX_WITHOUT_WINDOW,
                },
                None,
            ),
        };
        let mut starts: Vec<NaiveDateTime> = vec![first];
        for p in draft.all("RRULE").filter(|p| !p.value.trim().is_empty()) {
            let rule = parse_rule(&p.value, start).map_err(|m| bad(p, m))?;
            starts.extend(expand(rule, first, &bounds).map_err(|m| bad(p, m))?);
        }
        for p in draft.all("RDATE") {
            for value in p.value.split(',').filter(|v| !v.trim().is_empty()) {
                // A PERIOD gives its start; the series' length applies.
                let value = value.split('/').next().unwrap_or(value);
                let when = self.when(p, value, last)?;
                starts.push(local_in(when, zone, floating));
            }
        }
        let mut excluded_times = HashSet::new();
        let mut excluded_days = HashSet::new();
        for p in draft.all("EXDATE") {
            for value in p.value.split(',').filter(|v| !v.trim().is_empty()) {
                match self.when(p, value, last)? {
                    When::Date(d) => {
                        excluded_days.insert(d);
                    }
                    when @ When::Time { .. } if zone.is_none() => {
                        excluded_days.insert(when.local().date());
                    }
                    when => {
                        excluded_times.insert(local_in(when, zone, floating));
                    }
                }
            }
        }
        starts.sort();
        starts.dedup();
        let overridden = uid.and_then(|u| self.overrides.get(u));
        let mut found = Vec::new();
        for local in starts {
            if excluded_times.contains(&local) || excluded_days.contains(&local.date()) {
                continue;
            }
            let occurrence = match zone {
                Some(zone) => When::Time { local, zone },
                None => When::Date(local.date()),
            };
            if overridden.is_some_and(|o| o.contains(&occurrence.key(floating))) {
                continue;
            }
            let occurrence_end = end.and_then(|e| shift_end(start, e, occurrence, floating));
            let keep = match window {
                Some((from, to)) => overlaps(occurrence, occurrence_end, from, to, floating),
                None => local >= bounds.from && local <= bounds.to,
            };
            if keep {
                found.push((occurrence, occurrence_end));
                if found.len() >= bounds.max {
                    break;
                }
            }
        }
        Ok(found)
    }
}

/// The end of the occurrence starting at `occurrence`, for a series from `start` to `end`:
/// the same wall-clock length when both are in the same zone, the same exact length otherwise.
/// All-day ends become the (inclusive) last day.
fn shift_end(start: When, end: When, occurrence: When, floating: Zone) -> Option<When> {
    match (start, end, occurrence) {
        (When::Date(s), When::Date(e), When::Date(o)) => {
            let days = (e - s).num_days();
            let last = if days > 0 { days - 1 } else { 0 };
            o.checked_add_days(Days::new(u64::try_from(last).ok()?))
                .map(When::Date)
        }
        (When::Time { zone: sz, .. }, When::Time { zone: ez, .. }, When::Time { local, .. })
            if sz == ez =>
        {
            Some(When::Time {
                local: local.checked_add_signed(end.local() - start.local())?,
                zone: ez,
            })
        }
        (_, When::Time { zone: ez, .. }, _) => {
            let exact = end.instant(floating) - start.instant(floating);
            let instant = occurrence.instant(floating).checked_add_signed(exact)?;
            Some(When::Time {
                local: ez.local(instant.with_timezone(&Utc)),
                zone: ez,
            })
        }
        _ => None,
    }
}

/// Whether an occurrence overlaps `[from, to)`. An all-day occurrence without end lasts its
/// day; a timed one without end is an instant, in the window if it starts in it.
fn overlaps(
    start: When,
    end: Option<When>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    floating: Zone,
) -> bool {
    let s = start.instant(floating).with_timezone(&Utc);
    let e = match (start, end) {
        (When::Date(_), Some(When::Date(last))) | (When::Date(last), None) => last
            .checked_add_days(Days::new(1))
            .map_or(s, |d| When::Date(d).instant(floating).with_timezone(&Utc)),
        (_, Some(end)) => end.instant(floating).with_timezone(&Utc),
        (_, None) => s,
    };
    if e <= s {
        s >= from && s < to
    } else {
        s < to && e > from
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
