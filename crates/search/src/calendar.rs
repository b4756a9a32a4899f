//! When and where things happen: every subject's `schema:startDate` and `schema:location`, in
//! memory beside the R-tree (docs/search.md, "Events"), so that "in June, near Erfurt" is a
//! binary search and a set intersection instead of thousands of lookups in the store.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// An instant as the index and the feeds compare starts: a date is its midnight in UTC, a
/// date-time has its offset (`+0200` read as `+02:00`), a date-time without one is read as UTC.
pub fn instant(lexical: &str) -> Option<DateTime<Utc>> {
    let lexical = lexical.trim();
    if lexical.len() == 10 {
        let day = NaiveDate::parse_from_str(lexical, "%Y-%m-%d").ok()?;
        return Some(day.and_hms_opt(0, 0, 0)?.and_utc());
    }
    let mut fixed = lexical.to_owned();
    let n = fixed.len();
    if n > 5
        && matches!(fixed.as_bytes()[n - 5], b'+' | b'-')
        && fixed.as_bytes()[n - 4..].iter().all(u8::is_ascii_digit)
    {
        fixed.insert(n - 2, ':');
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(&fixed) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(lexical, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc())
}

/// [`instant`] in milliseconds since 1970 (UTC), as the calendar keeps starts.
pub fn millis(lexical: &str) -> Option<i64> {
    instant(lexical).map(|t| t.timestamp_millis())
}

/// A dated or located subject of a graph: its IRI, starts (milliseconds, [`millis`]) and
/// locations (IRIs).
pub type Dated = (String, Vec<i64>, Vec<String>);

/// The dated and located subjects of one graph.
#[derive(Debug, Default)]
pub struct GraphCalendar {
    /// (start, number of the subject), in order.
    starts: Vec<(i64, u32)>,
    /// Each subject's IRI, by number.
    subjects: Vec<String>,
    /// The subjects at each location, by number.
    at: FxHashMap<String, Vec<u32>>,
}

impl GraphCalendar {
    /// The calendar of `subjects`.
    pub fn new(subjects: Vec<Dated>) -> Self {
        let mut this = Self::default();
        for (n, (iri, starts, locations)) in subjects.into_iter().enumerate() {
            let n = n as u32;
            this.starts.extend(starts.into_iter().map(|s| (s, n)));
            for l in locations {
                this.at.entry(l).or_default().push(n);
            }
            this.subjects.push(iri);
        }
        this.starts.sort_unstable();
        this
    }

    /// How many subjects it has.
    pub fn len(&self) -> usize {
        self.subjects.len()
    }

    /// Whether it has none.
    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }
}

/// Every graph's calendar. Cheap to clone (graphs are shared), like [`crate::geo::Places`].
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    graphs: FxHashMap<String, Arc<GraphCalendar>>,
}

impl Calendar {
    /// Replaces the calendar of `graph` (an empty one removes the graph).
    pub fn set(&mut self, graph: &str, calendar: GraphCalendar) {
        if calendar.is_empty() {
            self.graphs.remove(graph);
        } else {
            self.graphs.insert(graph.to_owned(), Arc::new(calendar));
        }
    }

    /// How many dated or located subjects there are (counted once per graph).
    pub fn len(&self) -> usize {
        self.graphs.values().map(|g| g.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The subjects with a start in `[from, to)` (milliseconds; `None`: open), each once with its
    /// first start there, earliest first, then by IRI.
    pub fn starting(&self, from: Option<i64>, to: Option<i64>) -> Vec<(&str, i64)> {
        let (from, to) = (from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX));
        let mut found: Vec<(i64, &str)> = Vec::new();
        let mut graphs = 0;
        for g in self.graphs.values() {
            let first = g.starts.partition_point(|(s, _)| *s < from);
            let before = found.len();
            let mut seen = vec![false; g.subjects.len()];
            for &(start, n) in g.starts[first..].iter().take_while(|(s, _)| *s < to) {
                if !std::mem::replace(&mut seen[n as usize], true) {
                    found.push((start, g.subjects[n as usize].as_str()));
                }
            }
            graphs += usize::from(found.len() > before);
        }
        found.sort_unstable();
        if graphs > 1 {
            // A subject in two graphs is kept at its earliest start.
            let mut seen = FxHashSet::default();
            found.retain(|(_, iri)| seen.insert(*iri));
        }
        found.into_iter().map(|(start, iri)| (iri, start)).collect()
    }

    /// The subjects whose `schema:location` is one of `places`, in the order of `places` (a
    /// subject at two of them comes at the first), then by IRI.
    pub fn located_at<'a>(&self, places: impl IntoIterator<Item = &'a str>) -> Vec<&str> {
        let graphs: Vec<&GraphCalendar> = self
            .graphs
            .values()
            .filter(|g| !g.at.is_empty())
            .map(Arc::as_ref)
            .collect();
        let mut seen: Vec<Vec<bool>> = graphs.iter().map(|g| vec![false; g.len()]).collect();
        let mut out = Vec::new();
        let mut here = Vec::new();
        for place in places {
            here.clear();
            for (g, seen) in graphs.iter().zip(&mut seen) {
                for &n in g.at.get(place).into_iter().flatten() {
                    if !std::mem::replace(&mut seen[n as usize], true) {
                        here.push(g.subjects[n as usize].as_str());
                    }
                }
            }
            here.sort_unstable();
            out.extend_from_slice(&here);
        }
        if graphs.len() > 1 {
            let mut once = FxHashSet::default();
            out.retain(|s| once.insert(*s));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lexical: &str) -> i64 {
        millis(lexical).expect("an instant")
    }

    #[test]
    fn instants_of_dates_and_date_times() {
        assert_eq!(at("2025-06-01"), at("2025-06-01T00:00:00Z"));
        assert_eq!(at("2025-06-01T02:00:00+02:00"), at("2025-06-01T00:00:00Z"));
        assert_eq!(at("2025-06-01T02:00:00+0200"), at("2025-06-01T00:00:00Z"));
        assert_eq!(at("2025-06-01T00:00:00"), at("2025-06-01T00:00:00Z"));
        assert_eq!(
            at("2025-06-01T00:00:00.250Z") - at("2025-06-01T00:00:00Z"),
            250
        );
        assert_eq!(millis("June"), None);
    }

    #[test]
    fn starting_and_located_at_across_graphs() {
        let mut c = Calendar::default();
        c.set(
            "g1",
            GraphCalendar::new(vec![
                (
                    "e1".into(),
                    vec![at("2025-06-02"), at("2025-06-09")],
                    vec!["v1".into()],
                ),
                (
                    "e2".into(),
                    vec![at("2025-05-31T23:00:00Z")],
                    vec!["v2".into()],
                ),
                ("e3".into(), vec![at("2025-07-01T00:00:00+02:00")], vec![]),
                ("offer".into(), vec![], vec!["v2".into()]),
            ]),
        );
        c.set(
            "g2",
            GraphCalendar::new(vec![(
                "e4".into(),
                vec![at("2025-06-02")],
                vec!["v1".into()],
            )]),
        );
        let june = c.starting(Some(at("2025-06-01")), Some(at("2025-07-01")));
        let iris: Vec<&str> = june.iter().map(|(i, _)| *i).collect();
        // e1 once, at its first start in June; e3 starts on 30 June at 22:00 UTC.
        assert_eq!(iris, ["e1", "e4", "e3"]);
        assert_eq!(june[0].1, at("2025-06-02"));
        assert_eq!(c.starting(None, Some(at("2025-06-01"))).len(), 1);
        assert_eq!(
            c.located_at(["v2", "v1", "v9"]),
            ["e2", "offer", "e1", "e4"]
        );
        c.set("g2", GraphCalendar::default());
        assert_eq!(c.located_at(["v1"]), ["e1"]);
        assert_eq!(c.len(), 4);
    }
}
