#!/usr/bin/env python3
"""test_ingest_crash.py -- `greenmine ingest` killed, starved of disk, or
pointed at a read-only folder (issue 15, docs/robustness.md).

1. SIGKILL at KILLS random moments of an ingest (uniform over the time a
   whole ingest takes here): every time, the registry passes PRAGMA
   integrity_check, holds exactly the snapshots it held before -- or those
   plus the new one, complete, when the ingest had committed -- every
   snapshot holds as many parcel versions as its source had features, and
   once the registry has been opened again no live journal is left behind
   (an empty one, from a kill before the journal held anything, is harmless).
2. A file-size limit hit mid-write (RLIMIT_FSIZE with SIGXFSZ ignored), a
   real full disk (the registry on a small tmpfs, when mount is allowed) and a
   read-only folder (run as nobody): exit 1, one line naming the registry
   file, the registry as it was, no file left beside it.
Usage: test_ingest_crash.py GREENMINE WORKDIR [KILLS]
"""
import os
import random
import resource
import shutil
import hashlib
import signal
import sqlite3
import subprocess
import sys
import time

GM, WORK = sys.argv[1], sys.argv[2]
KILLS = int(sys.argv[3]) if len(sys.argv) > 3 else 50
HERE = os.path.dirname(os.path.abspath(__file__))
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
os.chdir(WORK)
failures = []
random.seed(15)
JOURNAL_MAGIC = bytes.fromhex("d9d505f920a163d7")  # a rollback journal's header: it is hot


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def state(db):
    """(snapshots as (as_of, parcel versions, parcel source features, digest of
    every row the snapshot owns) -- opening the registry also rolls back a hot
    journal, as greenmine's next open would."""
    c = sqlite3.connect(db)
    ok = c.execute("PRAGMA integrity_check").fetchone()[0]
    snaps = []
    for sid, as_of in c.execute("SELECT snapshot_id, as_of FROM snapshot ORDER BY as_of").fetchall():
        versions = c.execute("SELECT count(*) FROM parcel_version WHERE snapshot_id = ?",
                             (sid,)).fetchone()[0]
        features = c.execute("SELECT features FROM source WHERE snapshot_id = ? AND layer = "
                             "'parcels'", (sid,)).fetchone()
        h = hashlib.sha256()
        for table in ("snapshot", "source", "parcel_version", "mine_version", "zone_version",
                      "redline_version"):
            for row in c.execute(f"SELECT * FROM {table} WHERE snapshot_id = ? ORDER BY rowid",
                                 (sid,)):
                h.update(repr(row).encode())
        snaps.append((as_of, versions, features[0] if features else None, h.hexdigest()))
    c.close()
    return ok, snaps


subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "registry", "fixture.py"), "make", "."],
               check=True, stdout=subprocess.DEVNULL)
base = ["--parcels", "parcels_2018.gpkg", "--zones", "zones.gpkg", "--mines", "mines.gpkg",
        "--redlines", "redlines.gpkg"]
subprocess.run([GM, "ingest", "-q", "--db", "r.sqlite", "--as-of", "2018-12-31", *base], check=True)

# how long one ingest of the next snapshot takes here: the fastest of three, so
# that a machine that gets less busy during the kills still has most of them
# land before the commit (a slower one only moves them earlier)
whole = None
for _ in range(3):
    shutil.copy("r.sqlite", "timing.sqlite")
    t0 = time.monotonic()
    # (parcels_2019 repeats P1 on purpose: kept as a 'duplicate' version)
    subprocess.run([GM, "ingest", "-q", "--db", "timing.sqlite", "--as-of", "2019-12-31",
                    "--parcels", "parcels_2019.gpkg", "--allow-duplicate-ids"], check=True)
    t = time.monotonic() - t0
    whole = t if whole is None else min(whole, t)

ok, before = state("r.sqlite")
check(ok == "ok" and len(before) == 1, f"first ingest: {ok} {before}")
completed = 0
day = 0
for i in range(KILLS):
    day += 1
    as_of = f"2019-{1 + day // 28:02d}-{1 + day % 28:02d}"
    p = subprocess.Popen([GM, "ingest", "-q", "--db", "r.sqlite", "--as-of", as_of, "--parcels",
                          "parcels_2019.gpkg", "--allow-duplicate-ids"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.uniform(0, whole * 1.1))
    p.send_signal(signal.SIGKILL)
    rc = p.wait()
    # killed, or done before the kill: an ingest that failed by itself tests nothing
    check(rc in (-signal.SIGKILL, 0), f"kill {i}: the ingest exited {rc} by itself")
    ok, after = state("r.sqlite")
    check(ok == "ok", f"kill {i} at {as_of}: integrity_check says {ok}")
    if after == before:
        pass
    elif after[:-1] == before and after[-1][0] == as_of:
        completed += 1
    else:
        check(False, f"kill {i} (rc {rc}): snapshots {before} became {after}")
    for as_of_, versions, features, _ in after:
        check(versions == features, f"kill {i}: snapshot {as_of_} holds {versions} parcel versions "
                                    f"of {features} features")
    # once the registry has been opened again, no journal that matters is left:
    # a killed writer's hot journal has been rolled back; only an empty or
    # zeroed one (killed before it held anything) may stay, which SQLite
    # ignores and the next writer replaces
    for f in os.listdir("."):
        if f.startswith("r.sqlite") and f != "r.sqlite":
            head = open(f, "rb").read(8)
            check(f == "r.sqlite-journal" and head != JOURNAL_MAGIC,
                  f"kill {i}: left behind {f} ({os.path.getsize(f)} bytes, header {head.hex()})")
    before = after
print(f"{KILLS} ingests killed at random: {completed} had committed first")
check(KILLS - completed >= KILLS // 3, f"only {KILLS - completed} of {KILLS} kills came before the commit")

# a write that fails mid-way (the registry grows past RLIMIT_FSIZE): nothing recorded
size = os.path.getsize("r.sqlite")
_, before = state("r.sqlite")


def limit_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 4096, size + 4096))


p = subprocess.run([GM, "ingest", "-q", "--db", "r.sqlite", "--as-of", "2020-12-31", "--parcels",
                    "parcels_2020.gpkg", "--mines", "mines_2020.gpkg"], capture_output=True,
                   preexec_fn=limit_size)
err = p.stderr.decode()
check(p.returncode == 1, f"disk full: exit {p.returncode}, expected 1: {err}")
check(len(err.strip().splitlines()) == 1 and "r.sqlite: cannot write" in err,
      f"disk full: one line naming the registry: {err}")
ok, after = state("r.sqlite")
check(ok == "ok" and after == before, f"disk full: registry changed: {before} -> {after}")

# a real full disk: the registry on a tmpfs with room for it and two pages more (when this
# machine lets us mount one; the file-size limit above stands in for it otherwise)
mnt = os.path.abspath("full")
os.makedirs(mnt)
size_kib = (os.path.getsize("r.sqlite") + 4095) // 4096 * 4 + 8
if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", mnt],
                  capture_output=True).returncode != 0:
    print("SKIP: cannot mount a tmpfs here; the file-size limit above stands in for it")
else:
    try:
        shutil.copy("r.sqlite", f"{mnt}/r.sqlite")
        _, before = state(f"{mnt}/r.sqlite")
        p = subprocess.run([GM, "ingest", "-q", "--db", f"{mnt}/r.sqlite", "--as-of", "2020-12-31",
                            "--parcels", "parcels_2020.gpkg", "--mines", "mines_2020.gpkg"],
                           capture_output=True)
        err = p.stderr.decode()
        check(p.returncode == 1, f"full tmpfs: exit {p.returncode}, expected 1: {err}")
        check(len(err.strip().splitlines()) == 1 and f"{mnt}/r.sqlite: cannot write" in err,
              f"full tmpfs: one line naming the registry: {err}")
        ok, after = state(f"{mnt}/r.sqlite")
        check(ok == "ok" and after == before, f"full tmpfs: registry changed: {before} -> {after}")
        check(sorted(os.listdir(mnt)) == ["r.sqlite"], f"full tmpfs: files left: {os.listdir(mnt)}")
        print(f"full tmpfs ({size_kib} KiB): {err.strip()}")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)

# a read-only folder (as nobody: root writes anywhere)
os.makedirs("ro")
shutil.copy("r.sqlite", "ro/r.sqlite")
os.chmod("ro/r.sqlite", 0o644)
os.chmod("ro", 0o555)
for d in [os.getcwd()] + [os.path.dirname(os.getcwd())]:
    os.chmod(d, os.stat(d).st_mode | 0o005)
for f in os.listdir("."):
    if f.endswith(".gpkg"):
        os.chmod(f, 0o644)
p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", GM, "ingest",
                    "-q", "--db", "ro/r.sqlite", "--as-of", "2020-12-31", "--parcels",
                    "parcels_2020.gpkg"], capture_output=True)
err = p.stderr.decode()
check(p.returncode == 1, f"read-only: exit {p.returncode}, expected 1: {err}")
check(len(err.strip().splitlines()) == 1 and "ro/r.sqlite: cannot write (read-only" in err,
      f"read-only: one line naming the registry: {err}")
ok, after = state("ro/r.sqlite")
check(ok == "ok" and after == before, "read-only: registry changed")
check(sorted(os.listdir("ro")) == ["r.sqlite"], f"read-only: files appeared: {os.listdir('ro')}")

print(f"test_ingest_crash: {len(failures)} failed")
sys.exit(1 if failures else 0)
