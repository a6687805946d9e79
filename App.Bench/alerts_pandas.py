"""Alert-rule evaluation in pandas/numpy, for `bench alerts` (App.Bench/AlertsBench.cs).

Reads snapshot.csv (one row per instrument slot: the two newest closes, RSI, distance from the 52-week high as the stored
fraction, volume z-score, regime state, and per profile the newest and previous recommendation label codes and the newest
one's bar), rules.csv (kind, slot, indicator, direction, threshold, profile, cooldown_ticks, last_fired, last_bar) and now.txt
from the folder given as argv[1]. Loading is not timed. The evaluation (a pandas join of the rules to their instrument,
then numpy masks) is timed with time.perf_counter, the median of the runs in repeats.txt (the bench's --kernel-repeats; 3 without it) after a warm-up. Writes p_fired.bin (int64 indexes
of the rules that fire, ascending) and prints `PANDAS kernel_seconds=… fired=… pandas=… numpy=…`.

The checks are AlertKernel's (App/Features/Alerts/AlertKernel.cs):
- due: the instrument has a newest bar and it is later than the rule's last bar;
- price_cross_above: previous close < level <= close; below: previous close > level >= close;
- pct_move_day: move = (close / previous close - 1) * 100; up: move >= t; down: move <= -t; either: |move| >= t;
- indicator_cross: the chosen indicator (RSI, distance from the 52-week high in percent = fraction * 100, volume z-score)
  crosses above (previous < t <= newest) or below (previous > t >= newest); a missing value never crosses;
- regime_change: both states known and different;
- recommendation_change: the profile's newest recommendation is for the newest bar and its label differs from the one before;
- cooling: fired before and now - last fired < cooldown; a rule fires when due, its condition holds and it is not cooling.
"""
import sys
import time

import numpy as np
import pandas as pd

MIN = np.iinfo(np.int64).min
PRICE_ABOVE, PRICE_BELOW, PCT_MOVE, INDICATOR, REGIME, RECOMMENDATION = 1, 2, 3, 4, 5, 6
RSI, DIST, VOLZ = 1, 2, 3
ABOVE, BELOW, UP, DOWN, EITHER = 1, 2, 3, 4, 5


def evaluate(snap, rules, now):
    j = rules.join(snap, on="slot")
    f = lambda c: j[c].to_numpy()
    kind, t, direction, indicator = f("kind"), f("threshold"), f("direction"), f("indicator")
    cur, prev = f("cur_close"), f("prev_close")
    with np.errstate(invalid="ignore", divide="ignore"):
        due = (f("cur_ts") != 0) & (f("cur_ts") > f("last_bar"))
        above = (prev < t) & (cur >= t)
        below = (prev > t) & (cur <= t)
        move = np.where((prev > 0) & ~np.isnan(cur), (cur / prev - 1.0) * 100.0, np.nan)
        moved = np.select([direction == UP, direction == DOWN], [move >= t, move <= -t], np.abs(move) >= t)
        ind_prev = np.select([indicator == RSI, indicator == DIST, indicator == VOLZ],
                             [f("prev_rsi"), f("prev_dist_frac") * 100.0, f("prev_volz")], np.nan)
        ind_cur = np.select([indicator == RSI, indicator == DIST, indicator == VOLZ],
                            [f("cur_rsi"), f("cur_dist_frac") * 100.0, f("cur_volz")], np.nan)
        crossed = np.where(direction == BELOW, (ind_prev > t) & (ind_cur <= t), (ind_prev < t) & (ind_cur >= t))
        ps, cs = f("prev_state"), f("cur_state")
        regime = ~np.isnan(ps) & ~np.isnan(cs) & (ps != cs)
        rows = np.arange(len(j))
        p = f("profile").astype(np.int64)
        label = np.stack([f("rec_label0"), f("rec_label1"), f("rec_label2")])[p, rows]
        before = np.stack([f("prev_rec_label0"), f("prev_rec_label1"), f("prev_rec_label2")])[p, rows]
        rec_ts = np.stack([f("rec_ts0"), f("rec_ts1"), f("rec_ts2")])[p, rows]
        recommendation = (rec_ts == f("cur_ts")) & (label != 0) & (label != before)
        condition = np.select(
            [kind == PRICE_ABOVE, kind == PRICE_BELOW, kind == PCT_MOVE, kind == INDICATOR, kind == REGIME, kind == RECOMMENDATION],
            [above, below, moved, crossed, regime, recommendation], False)
        last_fired = f("last_fired")
        fired_before = last_fired != MIN
        cooling = fired_before & ((now - np.where(fired_before, last_fired, 0)) < f("cooldown_ticks"))
    return np.flatnonzero(due & condition & ~cooling).astype(np.int64)


def main():
    folder = sys.argv[1]
    snap = pd.read_csv(f"{folder}/snapshot.csv", dtype={"cur_state": np.float64, "prev_state": np.float64})
    rules = pd.read_csv(f"{folder}/rules.csv", dtype={"threshold": np.float64})
    with open(f"{folder}/now.txt") as fh:
        now = np.int64(int(fh.read().strip()))
    try:
        with open(f"{folder}/repeats.txt") as fh:
            repeats = max(1, int(fh.read().strip()))
    except FileNotFoundError:
        repeats = 3
    fired = evaluate(snap, rules, now)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fired = evaluate(snap, rules, now)
        times.append(time.perf_counter() - start)
    times.sort()
    fired.tofile(f"{folder}/p_fired.bin")
    print(f"{len(rules)} rules over {len(snap)} instruments; {len(fired)} fire; median of {repeats} runs")
    print(f"PANDAS kernel_seconds={times[len(times) // 2]:.6f} fired={len(fired)} pandas={pd.__version__} numpy={np.__version__}")


if __name__ == "__main__":
    main()
