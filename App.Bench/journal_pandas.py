"""FIFO zero-crossing campaigns in pandas/numpy, for `bench journal` (App.Bench/JournalBench.cs).

Reads fills.csv (id,symbol,side,quantity,price,fees,executed_at) from the folder given as argv[1]. Loading (read_csv with
categories, parsing the timestamps, signing the quantities) is not timed, as the C# side's parsing is timed apart; the
campaign building is timed with time.perf_counter, the median of argv[2] (3) runs. Writes p_gid.bin (int64 group ids) and
p_pnl.bin (float64 realised P&L after fees), one per campaign, and prints
`PANDAS campaigns_seconds=… campaigns=… realised=… pandas=… numpy=…`.

The rules are CampaignBuilder's (App/Features/Journal/Campaigns/CampaignBuilder.cs), vectorised:
- order rows by (symbol, time, id): when the ledger is already in (time, id) order (checked), a stable sort on the symbol
  codes keeps it; otherwise a lexsort on the three keys (the C# fast path makes the same check);
- position = per-symbol cumulative sum of signed quantity; a row whose previous position is 0 opens a campaign, a row
  against the position is an exit of min(|q|, |previous|), and when it is larger the rest opens the next campaign (a flip),
  its fees split pro rata by quantity;
- campaign index = cumulative count of openings; a flip's exit part belongs to the campaign before;
- per campaign (bincount): entry and exit quantity, notional and fees; group id = the opening row's id;
- realised P&L: closed campaigns ±(exit notional − entry notional) − all fees; open ones with exits the FIFO cost and entry
  fees of the first X entry units (X = exited quantity), found by a binary search in the running sums of entry rows.
"""
import sys
import time

import numpy as np
import pandas as pd

import zero_crossing


def load(folder):
    df = pd.read_csv(f"{folder}/fills.csv", dtype={"id": np.int64, "symbol": "category", "side": "category",
                                                   "quantity": np.int64, "price": np.float64, "fees": np.float64})
    t = pd.to_datetime(df["executed_at"], utc=True, format="%Y-%m-%dT%H:%M:%SZ").dt.tz_convert(None).to_numpy().astype("int64")
    q = df["quantity"].to_numpy()
    signed = np.where((df["side"] == "buy").to_numpy(), q, -q)
    return (df["id"].to_numpy(), df["symbol"].cat.codes.to_numpy().astype(np.int32), t, signed,
            df["price"].to_numpy(), df["fees"].to_numpy())


def campaigns(ids, code, t, signed, price, fees):
    dt = np.diff(t)
    in_order = bool(np.all((dt > 0) | ((dt == 0) & (np.diff(ids) > 0))))
    order = np.argsort(code, kind="stable") if in_order else np.lexsort((ids, t, code))
    code, ids, s, price, fees = code[order], ids[order], signed[order], price[order], fees[order]

    prev, absq, exit_q, entry_q, start, cid, exit_cid = zero_crossing.split(code, s)
    exit_fees = fees * exit_q / absq
    entry_fees = fees - exit_fees
    nc = int(cid[-1]) + 1

    entry_qty = np.bincount(cid, weights=entry_q, minlength=nc)
    entry_notional = np.bincount(cid, weights=entry_q * price, minlength=nc)
    entry_fee_sum = np.bincount(cid, weights=entry_fees, minlength=nc)
    has_exit = exit_q > 0
    ec = exit_cid[has_exit]
    exit_qty = np.bincount(ec, weights=exit_q[has_exit], minlength=nc)
    exit_notional = np.bincount(ec, weights=exit_q[has_exit] * price[has_exit], minlength=nc)
    exit_fee_sum = np.bincount(ec, weights=exit_fees[has_exit], minlength=nc)
    start_rows = np.flatnonzero(start)
    direction = np.where(s[start_rows] > 0, 1.0, -1.0)
    group_id = ids[start_rows]

    # FIFO cost and entry fees of the first `exit_qty` entry units, for open campaigns with exits.
    closed = exit_qty == entry_qty
    partial = np.flatnonzero(~closed & (exit_qty > 0))
    matched_cost = np.where(closed, entry_notional, 0.0)
    matched_fees = np.where(closed, entry_fee_sum, 0.0)
    if len(partial):
        rows = np.flatnonzero(entry_q > 0)
        eq, ep, ef = entry_q[rows], price[rows], entry_fees[rows]
        gq, gc, gf = np.cumsum(eq), np.cumsum(eq * ep), np.cumsum(ef)
        first = np.searchsorted(rows, start_rows[partial])
        base_q, base_c, base_f = gq[first] - eq[first], gc[first] - eq[first] * ep[first], gf[first] - ef[first]
        target = base_q + exit_qty[partial].astype(np.int64)
        k = np.searchsorted(gq, target, side="left")
        before_q = gq[k] - eq[k]
        matched_cost[partial] = gc[k] - eq[k] * ep[k] + (target - before_q) * ep[k] - base_c
        matched_fees[partial] = gf[k] - ef[k] + (target - before_q) / eq[k] * ef[k] - base_f
    realised = direction * (exit_notional - matched_cost) - exit_fee_sum - matched_fees
    entry_avg = entry_notional / entry_qty
    with np.errstate(invalid="ignore", divide="ignore"):
        exit_avg = exit_notional / exit_qty
    return group_id, realised, entry_avg, exit_avg


def main():
    folder = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    data = load(folder)
    print(f"pandas: {len(data[0]):,} fills loaded")
    campaigns(*data)  # warm-up
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = campaigns(*data)
        times.append(time.perf_counter() - began)
    group_id, realised, _, _ = result
    group_id.astype(np.int64).tofile(f"{folder}/p_gid.bin")
    realised.astype(np.float64).tofile(f"{folder}/p_pnl.bin")
    print(f"PANDAS campaigns_seconds={float(np.median(times))!r} campaigns={len(group_id)} realised={float(realised.sum())!r} "
          f"pandas={pd.__version__} numpy={np.__version__}")


if __name__ == "__main__":
    main()
