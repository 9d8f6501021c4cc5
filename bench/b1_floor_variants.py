#!/usr/bin/env python3
"""What B1's floor would be if linli stored less (docs/PERFORMANCE.md, "B1: the floor").

The B1 benchmark (bench/linli_bench.cc, RunB1) writes bench/out/<tier>/floor_import.sql: the
`sqlite3` CLI re-writing the rows linli's import left in linli.db into a fresh file with linli's
schema, pragmas and one transaction, with no parsing, validation, encryption or statement overhead.
This script runs that script and variants of it that store less, interleaved, and prints the median
time and the file size of each, beside the limit's script (limit_import.sql) run the same way:

  floor           linli's schema and rows, as the bench's floor
  no_events       without the 'registered' history row per person
  binary_crypto   ciphertexts, blind and tail indexes at their binary sizes (the text cut to the
                  byte length a BLOB would have: 58/51 bytes for ID/phone, 16 per digest)
  fewer_indexes   persons without 8 of its 11 secondary indexes (keeps the unique ID digest,
                  (community, status) and (community, name, birth date))
  all_three       the three together
  bare            all three, and no name grams, address grams or full-text index: the registry
                  rows with nothing for search (not a design linli could ship; a bound)

With --statements, it also runs the floor script once with the CLI's timer on and prints the time
of each statement of the transaction, COMMIT (WAL write, fsync, checkpoint) included.

Usage: bench/b1_floor_variants.py [--out bench/out/S] [--rounds 3] [--statements]
Requires a B1 run in that directory first (bench/run.sh --tier S, or linli_bench b1).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

DROPPED_INDEXES = ["persons_grid", "persons_household", "persons_room", "persons_id_number_tail",
                   "persons_phone_digest", "persons_phone_tail", "persons_pinyin", "persons_initials"]

BINARY_PERSONS = (
    "INSERT INTO main.persons SELECT id, community_id, grid_id, substr(id_number, 1, 58), "
    "substr(id_number_digest, 1, 16), substr(id_number_tail, 1, 16), name, name_pinyin, "
    "name_initials, gender, birth_date, ethnicity, political_status, education, marital_status, "
    "occupation, substr(phone, 1, 51), substr(phone_digest, 1, 16), substr(phone_tail, 1, 16), "
    "hukou_address, room_id, address, residence_status, household_id, relation, status, "
    "status_date, status_reason, merged_into, created_at, updated_at FROM src.persons;")


def no_events(s):
    return s.replace("INSERT INTO main.person_events SELECT * FROM src.person_events;\n", "")


def binary_crypto(s):
    return s.replace("INSERT INTO main.persons SELECT * FROM src.persons;", BINARY_PERSONS)


def fewer_indexes(s):
    for name in DROPPED_INDEXES:
        s = re.sub(r"CREATE INDEX " + name + r" ON [^;]*;\n", "", s)
    return s


def bare(s):
    s = no_events(binary_crypto(fewer_indexes(s)))
    for table in ["person_grams", "place_grams"]:
        s = s.replace("INSERT INTO main.%s SELECT * FROM src.%s;\n" % (table, table), "")
    # The bulk fill of the full-text index (the line, not the insert trigger's body).
    s = re.sub(r"^INSERT INTO person_fts\(rowid, name, address\) SELECT [^;]*;\n", "", s, flags=re.M)
    return s


def run(script, db):
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    start = time.monotonic()
    done = subprocess.run(["sqlite3", "-bail", db], input=script, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if done.returncode != 0 or done.stderr:
        sys.exit("sqlite3 failed: " + done.stderr[:500])
    return seconds, os.path.getsize(db)


def statement_times(script, db):
    """(seconds, first line) of each statement between BEGIN and COMMIT, COMMIT included."""
    head, body = script.split("BEGIN;\n", 1)
    statements, current = [], ""
    for line in body.splitlines(keepends=True):
        current += line
        text = current.strip()
        if text.endswith(";") and (not text.startswith("CREATE TRIGGER") or text.endswith("END;")):
            statements.append(text)
            current = ""
    timed = head + "BEGIN;\n.timer on\n" + "\n".join(statements) + "\n"
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    done = subprocess.run(["sqlite3", "-bail", db], input=timed, capture_output=True, text=True)
    if done.returncode != 0 or done.stderr:
        sys.exit("sqlite3 failed: " + done.stderr[:500])
    reals = [float(m) for m in re.findall(r"Run Time: real ([0-9.]+)", done.stdout)]
    return list(zip(reals, [st.splitlines()[0][:100] for st in statements]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="bench/out/S")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--statements", action="store_true")
    args = ap.parse_args()
    floor = open(os.path.join(args.out, "floor_import.sql"), encoding="utf-8").read()
    limit = open(os.path.join(args.out, "limit_import.sql"), encoding="utf-8").read()
    if "INSERT INTO main.persons SELECT * FROM src.persons;" not in floor:
        sys.exit("floor_import.sql is not the bench's floor script")
    variants = [
        ("limit", limit),
        ("floor", floor),
        ("no_events", no_events(floor)),
        ("binary_crypto", binary_crypto(floor)),
        ("fewer_indexes", fewer_indexes(floor)),
        ("all_three", no_events(binary_crypto(fewer_indexes(floor)))),
        ("bare", bare(floor)),
    ]
    times = {name: [] for name, _ in variants}
    sizes = {}
    db = os.path.join(args.out, "variant.db")
    for _ in range(args.rounds):
        for name, script in variants:
            seconds, size = run(script, db)
            times[name].append(seconds)
            sizes[name] = size
    if args.statements:
        for seconds, statement in statement_times(floor, db):
            if seconds >= 0.001:
                print("B1 floor_statement s=%.3f %s" % (seconds, statement))
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    limit_s = statistics.median(times["limit"])
    for name, _ in variants:
        s = statistics.median(times[name])
        print("B1 floor_variant=%s s=%.3f mb=%.1f limit_s=%.3f ratio_bound=%.3f rounds=%d" %
              (name, s, sizes[name] / 1e6, limit_s, limit_s / s, args.rounds))


if __name__ == "__main__":
    main()
