"""Prints the occurrences of iCalendar files within a window, one per line, as
`<file>\t<UID>\t<start>`: the start in UTC (`20190302T090000Z`), or the date
(`20190302`) for all-day events. Floating times are read in `--timezone`.

Used by `ical_cross_check.rs` to compare the `ical` connector with the Python
libraries `icalendar` and `recurring-ical-events`:

    python3 ical_occurrences.py --start 2018-01-01T00:00:00Z \
        --end 2020-01-01T00:00:00Z a.ics b.ics
"""

import argparse
import datetime
import sys
import zoneinfo

import icalendar
import recurring_ical_events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True)
    parser.add_argument("--end", required=True)
    parser.add_argument("--timezone", default="Europe/Berlin")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    start = datetime.datetime.fromisoformat(args.start.replace("Z", "+00:00"))
    end = datetime.datetime.fromisoformat(args.end.replace("Z", "+00:00"))
    floating = zoneinfo.ZoneInfo(args.timezone)
    for path in args.files:
        with open(path, "rb") as f:
            calendar = icalendar.Calendar.from_ical(f.read())
        try:
            events = recurring_ical_events.of(calendar).between(start, end)
        except Exception as error:  # a file the library cannot expand at all
            print(f"{path}\t!error\t{error!r}")
            continue
        for event in events:
            uid = str(event.get("UID", ""))
            value = event["DTSTART"].dt
            if isinstance(value, datetime.datetime):
                if value.tzinfo is None:
                    value = value.replace(tzinfo=floating)
                text = value.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            else:
                text = value.strftime("%Y%m%d")
            print(f"{path}\t{uid}\t{text}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
