#!/usr/bin/python3
"""Regenerate every golden fixture in test/golden/ with Debian's python3-torch (1.13).

Run: npm run golden   (or /usr/bin/python3 tools/golden/gen_all.py)
Each tools/golden/<name>.py writes test/golden/<name>.json; the JSON is committed so CI needs no Python.
"""
import pathlib
import subprocess
import sys

here = pathlib.Path(__file__).resolve().parent
scripts = sorted(p for p in here.glob("*.py") if p.name not in ("gen_all.py", "common.py"))
failed = []
for s in scripts:
    print(f"== {s.name}", flush=True)
    r = subprocess.run([sys.executable, str(s)], cwd=here.parent.parent)
    if r.returncode != 0:
        failed.append(s.name)
if failed:
    sys.exit(f"failed: {', '.join(failed)}")
print(f"{len(scripts)} generators ran")
