"""Print the baseline's key medians for a few parameter overrides (calibration aid).

Usage: python scripts/explore_baseline.py [REPS] key=value ...   (keys as dotted paths)
"""

import sys

import numpy as np

from kabulsim.model import simulate
from kabulsim.scenario.schema import Scenario

reps = int(sys.argv[1]) if len(sys.argv) > 1 else 60
data = Scenario().model_dump()
for arg in sys.argv[2:]:
    key, value = arg.split("=")
    *parts, last = key.split(".")
    node = data
    for p in parts:
        node = node[p]
    node[last] = float(value)
sc = Scenario.model_validate(data)
rows = [simulate(sc, 1, i).summary for i in range(reps)]


def q(key, scale=24.0):
    v = np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float) / scale
    lo, med, hi = np.nanpercentile(v, [5, 50, 95])
    return f"{key}: med {med:6.2f} [{lo:6.2f},{hi:6.2f}] miss {np.isnan(v).mean():.2f}"


# day 0 = 7 Oct; 9 Nov = day 33, 12 Nov = day 36, 13 Nov = day 37
for k in [
    "mazar_falls",
    "shamali_start",
    "kabul_evacuated",
    "alliance_enters_kabul",
    "atef_strike_time",
]:
    print(q(k))
print(q("shamali_duration_h", 1.0))
print(q("vacuum_h", 1.0))
for k in ["atef_killed", "resistance_in_city", "treasury_emptied", "entry_despite_orders"]:
    print(k, np.mean([bool(r[k]) for r in rows]))
for k in [
    "killed_in_city",
    "weapons_abandoned",
    "control_breadth",
    "vengeance_incidents",
    "stragglers",
    "taliban_killed",
    "civilian_casualties",
    "alliance_killed",
]:
    print(q(k, 1.0))
