#!/usr/bin/env python3
"""Runs Morph-KGC on legacy-vocabulary test cases, for the cross-check in tests/legacy.rs.

    python3 run_morph_kgc.py OUT_FOLDER CASE_FOLDER...

For each case folder, maps its mapping.ttl with Morph-KGC in this one process (importing it
takes longer than mapping a case) and writes OUT_FOLDER/<case>.nq, the quads in N-Quads, or
OUT_FOLDER/<case>.error, why Morph-KGC failed. Morph-KGC reads relative source paths from its
working directory, so it runs in the case folder. Exits 2 if Morph-KGC cannot be imported
(`pip install morph-kgc`).
"""

import logging
import os
import sys

try:
    import morph_kgc
except ImportError as e:
    print(f"run_morph_kgc.py: cannot import morph_kgc ({e}): pip install morph-kgc", file=sys.stderr)
    sys.exit(2)

CONFIG = """[CONFIGURATION]
output_format=N-QUADS
number_of_processes=1
logging_level=CRITICAL

[DataSource1]
mappings={mapping}
"""


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = os.path.abspath(sys.argv[1])
    # Morph-KGC configures its logger from each configuration; rdflib and pandas are quieted too.
    logging.disable(logging.CRITICAL)
    for folder in [os.path.abspath(f) for f in sys.argv[2:]]:
        case = os.path.basename(folder)
        os.chdir(folder)
        try:
            quads = morph_kgc.materialize_set(
                CONFIG.format(mapping=os.path.join(folder, "mapping.ttl")))
        # Morph-KGC ends the process on some mapping errors: that is the case's outcome too.
        except (Exception, SystemExit) as e:
            message = " ".join(f"{type(e).__name__}: {e}".split())
            with open(os.path.join(out, case + ".error"), "w", encoding="utf-8") as f:
                f.write(message + "\n")
            continue
        with open(os.path.join(out, case + ".nq"), "w", encoding="utf-8", newline="\n") as f:
            for quad in sorted(quads):
                f.write(quad + " .\n")


if __name__ == "__main__":
    main()
