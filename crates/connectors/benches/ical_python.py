"""The Python peer of the `ical` connector in `connectors_vs_python.rs`: parses an
iCalendar feed with `icalendar` and expands its occurrences within a window with
`recurring_ical_events`, as the connector does (without writing RDF).

    python3 ical_python.py --start 2025-01-01T00:00:00Z --end 2026-07-01T00:00:00Z feed.ics

Prints `events=<VEVENTs> occurrences=<occurrences> maxrss_kb=<peak RSS> cpu_us=<CPU time>`
on stderr.
"""

import argparse
import datetime
import resource
import sys

import icalendar
import recurring_ical_events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("file")
    args = parser.parse_args()
    start = datetime.datetime.fromisoformat(args.start.replace("Z", "+00:00"))
    end = datetime.datetime.fromisoformat(args.end.replace("Z", "+00:00"))
    with open(args.file, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    events = sum(1 for c in calendar.walk("VEVENT"))
    occurrences = 0
    for occurrence in recurring_ical_events.of(calendar).between(start, end):
        # Touch what the connector maps, so that lazy parsing is paid for as well.
        occurrence.get("SUMMARY")
        occurrence.get("DTSTART")
        occurrences += 1
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_us = round((usage.ru_utime + usage.ru_stime) * 1e6)
    print(
        f"events={events} occurrences={occurrences} maxrss_kb={usage.ru_maxrss} cpu_us={cpu_us}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
