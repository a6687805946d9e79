"""The portfolio kernels' computations in pandas, for `bench portfolio` (App.Bench/PortfolioBench.cs).

Reads the inputs the C# bench wrote to the folder given as argv[1] (raw little-endian int64/float64 arrays, one column
after another; params.txt holds the sizes and execution settings as key=value lines), times each computation with
time.perf_counter (the median of `repeats` runs; loading the files is not timed), writes what the C# side compares and
prints one line `PANDAS matching_seconds=… marking_seconds=… metrics_seconds=… matching_fills=… …`.

matching   m_bar_lengths.bin (bars per instrument), m_bar_start.bin (bar start, unix s), m_bars.bin (open, high, low,
           close, volume), m_orders_int.bin (instrument, placed at (unix s), type 0 market / 1 limit / 2 stop, side
           0 buy / 1 sell, tif 0 day / 1 gtc), m_orders_float.bin (quantity, limit, stop; NaN where none)
           -> m_filled.bin (filled quantity per order)
marking    k_positions.bin (quantity, average cost, price) -> k_out.bin (unrealised P&L, unrealised %)
metrics    g_closes.bin (instrument x day closes, NaN where missing), g_fills_int.bin (portfolio, day, instrument row),
           g_fills_float.bin (signed quantity, price, fees), g_flows_int.bin (portfolio, day), g_flows_float.bin
           (amount), g_starting_cash.bin -> g_out.bin (every figure of FastPerformanceSummary per portfolio, the
           columns METRICS); timed over all portfolios at once (the figure compared) and, for information, one
           portfolio at a time (a groupby loop over the first 100, scaled to all)

The matching rules are the subset of MatchingEngine's that the bench's orders use (daily bars, market, limit and stop
orders, day and good-till-cancelled), implemented the same way:
- an order first trades on the first bar of its instrument starting at or after the time it was placed;
- market: the open plus slippage, on every bar until filled (good-till-cancelled) or on that one bar (day);
- limit L (buy; a sell mirrors): open <= L fills at the open plus slippage, never above L; else low <= L fills at L;
- stop S (buy; a sell mirrors): open >= S gapped: the open plus slippage; else high >= S: S plus slippage; once
  triggered, what the volume cap left is a market order from the next bar;
- a day order lives for its first eligible bar only; a good-till-cancelled one until filled or the bars end;
- each fill takes at most max_volume_share x the bar's volume, rounded down to whole quantity increments when that cuts
  the remainder (a bar without volume fills nothing); the rest keeps working from the next bar;
- slippage: price x bps / 10 000 + range_share x (high - low), against the order, kept inside the bar's range and, for
  a limit, never beyond it; commission: max(per_share x q + percent x notional + per_order on the first fill, minimum),
  then at most max_percent x notional.
Vectorised in rounds: each round gives every working order its next bar that can change it (good-till-cancelled limits
and untriggered stops find it with a binary search over sparse tables of the bars' lowest lows and highest highs),
fills the round's orders at once, and drops those that are done.
"""
import sys
import time

import numpy as np
import pandas as pd

import zero_crossing

SQRT_YEAR = np.sqrt(252.0)
ZERO_VOLATILITY = 1e-12
MARKET, LIMIT, STOP = 0, 1, 2
GTC = 1
LOOP_PORTFOLIOS = 100
# The columns of g_out.bin, in PortfolioBench.CompareMetrics' order.
METRICS = ["twr", "max_drawdown", "sharpe", "sortino", "ending", "total_pnl", "annualised", "peak_day", "trough_day",
           "recovery_day", "trades", "wins", "losses", "gross_profit", "gross_loss", "win_rate", "profit_factor",
           "time_in_market", "exposure"]


def read_params(folder):
    params = {}
    with open(f"{folder}/params.txt") as f:
        for line in f:
            key, value = line.strip().split("=", 1)
            params[key] = value
    return params


def columns(path, dtype, count):
    data = np.fromfile(path, dtype=dtype)
    return data.reshape(count, len(data) // count) if count > 1 else data


def median_time(run, repeats):
    times, result = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return float(np.median(times)), result


# --- matching ---------------------------------------------------------------------------------------------------------

def sparse_tables(x, op, levels):
    """tables[k][i] = op over x[i : i + 2^k] (cut at the array's end; the search never reads past an instrument's end)."""
    tables = [x]
    for k in range(1, levels):
        prev, half = tables[-1], 1 << (k - 1)
        table = prev.copy()
        table[:-half] = op(prev[:-half], prev[half:])
        tables.append(table)
    return tables


def first_reaching(pos, end, level, tables, below):
    """Per order, the first bar j in [pos, end) with low[j] <= level (below) or high[j] >= level (above); end if none."""
    last = len(tables[0]) - 1
    for k in range(len(tables) - 1, -1, -1):
        step = 1 << k
        block = tables[k][np.minimum(pos, last)]
        skip = (pos + step <= end) & ((block > level) if below else (block < level))
        pos = pos + np.where(skip, step, 0)
    return pos


def matching(lengths, start, bars, orders_int, orders_float, s):
    bar_frame = pd.DataFrame({"instrument": np.repeat(np.arange(len(lengths)), lengths), "start": start,
                              "open": bars[0], "high": bars[1], "low": bars[2], "close": bars[3], "volume": bars[4]})
    orders = pd.DataFrame({"instrument": orders_int[0], "placed": orders_int[1], "type": orders_int[2],
                           "side": orders_int[3], "tif": orders_int[4],
                           "quantity": orders_float[0], "limit": orders_float[1], "stop": orders_float[2]})
    op, hi, lo, vol = (bar_frame[c].to_numpy() for c in ("open", "high", "low", "volume"))
    first_bar = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    inst = orders["instrument"].to_numpy()
    typ = orders["type"].to_numpy()
    buy = orders["side"].to_numpy() == 0
    gtc = orders["tif"].to_numpy() == GTC
    quantity = orders["quantity"].to_numpy()
    level = np.where(typ == LIMIT, orders["limit"].to_numpy(), orders["stop"].to_numpy())
    # A buy limit or a sell stop waits for the price to come down to its level; a sell limit or a buy stop, up.
    waits_below = ((typ == LIMIT) & buy) | ((typ == STOP) & ~buy)

    # First eligible bar: bars are sorted by (instrument, start), so one search over that composite key finds every order's.
    key = bar_frame["instrument"].to_numpy() * (np.int64(1) << 34) + bar_frame["start"].to_numpy()
    first = np.searchsorted(key, inst * (np.int64(1) << 34) + orders["placed"].to_numpy(), side="left")
    end = first_bar[inst] + lengths[inst]

    levels = max(1, int(np.ceil(np.log2(max(2, lengths.max())))) + 1)
    low_tables = sparse_tables(lo, np.minimum, levels)
    high_tables = sparse_tables(hi, np.maximum, levels)

    share, increment = float(s["max_volume_share"]), float(s["quantity_increment"])
    bps, range_share = float(s["adverse_bps"]), float(s["range_share"])
    per_share, percent, per_order = float(s["per_share"]), float(s["percent_of_notional"]), float(s["per_order"])
    minimum = float(s["minimum_per_fill"])
    max_percent = None if s["max_percent_of_notional"] == "none" else float(s["max_percent_of_notional"])
    through = s["trade_through"] == "1"

    def slip(price, is_buy, h, l, limit=None):
        move = price * bps / 10_000 + range_share * (h - l)
        up = np.minimum(price + move, np.maximum(h, price))
        down = np.maximum(price - move, np.minimum(l, price))
        if limit is not None:
            up = np.minimum(up, np.maximum(limit, price))
            down = np.maximum(down, np.minimum(limit, price))
        return np.where(is_buy, up, down)

    def at_or_below(a, b):
        return a < b if through else a <= b

    remaining = quantity.copy()
    triggered = np.zeros(len(orders), dtype=bool)
    has_fill = np.zeros(len(orders), dtype=bool)
    rounds = []
    active = np.nonzero(first < end)[0]
    pos = first[active]
    while active.size:
        # The bar each working order trades on next: its next bar, or for a good-till-cancelled limit or untriggered stop
        # the next bar that reaches its level.
        t = typ[active]
        bar = pos.copy()
        search = gtc[active] & ((t == LIMIT) | ((t == STOP) & ~triggered[active]))
        for below, tables in ((True, low_tables), (False, high_tables)):
            sub = np.nonzero(search & (waits_below[active] == below))[0]
            if sub.size:
                bar[sub] = first_reaching(pos[sub], end[active[sub]], level[active[sub]], tables, below)
        live = bar < end[active]  # no such bar left: the order stays working
        active, bar, t = active[live], bar[live], t[live]
        if not active.size:
            break

        b, lv, trig = buy[active], level[active], triggered[active]
        o, h, l, v = op[bar], hi[bar], lo[bar], vol[bar]
        price = np.full(active.size, np.nan)
        market = (t == MARKET) | ((t == STOP) & trig)
        price[market] = slip(o, b, h, l)[market]
        limit = t == LIMIT
        limit_open = limit & np.where(b, at_or_below(o, lv), at_or_below(lv, o))
        limit_touch = limit & ~limit_open & np.where(b, at_or_below(l, lv), at_or_below(lv, h))
        price[limit_open] = slip(o, b, h, l, lv)[limit_open]
        price[limit_touch] = lv[limit_touch]
        stop = (t == STOP) & ~trig
        gapped = stop & np.where(b, o >= lv, o <= lv)
        touched = stop & ~gapped & np.where(b, h >= lv, l <= lv)
        price[gapped] = slip(o, b, h, l)[gapped]
        price[touched] = slip(lv, b, h, l)[touched]
        triggered[active[gapped | touched]] = True
        hit = market | limit_open | limit_touch | gapped | touched

        rem = remaining[active]
        qty = np.minimum(rem, share * v) if share > 0 else rem.copy()
        if increment > 0:
            cut = qty < rem
            qty[cut] = np.floor(np.round(qty[cut] / increment, 9)) * increment
        qty = np.where(hit, qty, 0.0)
        done = qty > 0
        q, p = qty[done], price[done]
        notional = q * p
        commission = per_share * q + percent / 100 * notional + np.where(has_fill[active[done]], 0.0, per_order)
        commission = np.maximum(commission, minimum)
        if max_percent is not None:
            commission = np.minimum(commission, max_percent / 100 * notional)
        rounds.append((active[done], bar[done], q, p, commission))
        remaining[active] = rem - qty
        has_fill[active[done]] = True

        # A day order had its one bar; a good-till-cancelled one goes on from the next bar while it has shares left.
        keep = gtc[active] & (remaining[active] > 0)
        active, pos = active[keep], bar[keep] + 1
        inside = pos < end[active]
        active, pos = active[inside], pos[inside]

    fills = pd.DataFrame({name: np.concatenate([r[i] for r in rounds]) if rounds else np.array([])
                          for i, name in enumerate(("order", "bar", "quantity", "price", "commission"))})
    working = int(((remaining > 0) & (gtc | (first >= end))).sum())
    summary = {"fills": len(fills), "quantity": fills["quantity"].sum(), "notional": (fills["quantity"] * fills["price"]).sum(),
               "commission": fills["commission"].sum(), "working": working, "rounds": len(rounds)}
    return summary, quantity - remaining


# --- marking ----------------------------------------------------------------------------------------------------------

def mark(positions):
    diff = positions["price"] - positions["cost"]
    pnl = positions["quantity"] * diff
    percent = (np.sign(positions["quantity"]) * diff / positions["cost"]).where(positions["quantity"] != 0)
    return pnl, percent


# --- metrics ----------------------------------------------------------------------------------------------------------

def metrics(closes, fills_int, fills_float, flows_int, flows_float, starting_cash):
    """All portfolios at once: every step is one vectorised operation over (portfolio, instrument, day)."""
    marks = pd.DataFrame(closes.T).ffill()  # day x instrument, a missing close carried forward
    fills = pd.DataFrame({"portfolio": fills_int[0], "day": fills_int[1], "instrument": fills_int[2],
                          "quantity": fills_float[0], "price": fills_float[1], "fees": fills_float[2]})
    flows = pd.DataFrame({"portfolio": flows_int[0], "day": flows_int[1], "amount": flows_float})
    return portfolio_metrics(marks, fills, flows, starting_cash)


def metrics_one_by_one(closes, fills_int, fills_float, flows_int, flows_float, starting_cash):
    """The same, one portfolio at a time (a groupby over portfolios), for information."""
    marks = pd.DataFrame(closes.T).ffill()
    fills = pd.DataFrame({"portfolio": fills_int[0], "day": fills_int[1], "instrument": fills_int[2],
                          "quantity": fills_float[0], "price": fills_float[1], "fees": fills_float[2]})
    flows = pd.DataFrame({"portfolio": flows_int[0], "day": flows_int[1], "amount": flows_float})
    flow_groups = dict(tuple(flows.groupby("portfolio")))
    empty = flows.iloc[:0]
    results = []
    for p, own in fills.groupby("portfolio"):
        result = portfolio_metrics(marks, own.assign(portfolio=0), flow_groups.get(p, empty).assign(portfolio=0), starting_cash[p:p + 1])
        results.append(result.set_axis([p]))
    return pd.concat(results).reindex(pd.RangeIndex(len(starting_cash)))


def portfolio_metrics(marks, fills, flows, starting_cash):
    """FastPerformanceSummary's figures for every portfolio: returns, risk, drawdown with its dates, trades, exposure."""
    portfolios, days = len(starting_cash), len(marks)
    all_portfolios, all_days = pd.RangeIndex(portfolios), pd.RangeIndex(days)
    fills = fills.assign(cash=-fills["quantity"] * fills["price"] - fills["fees"])
    start = pd.Series(starting_cash, index=all_portfolios)

    # Positions: the cumulative signed quantity of each (portfolio, instrument) at each day's close, marked at that close.
    held = (fills.groupby(["portfolio", "instrument", "day"])["quantity"].sum()
            .unstack("day", fill_value=0.0).reindex(columns=all_days, fill_value=0.0).cumsum(axis=1))
    rows = held.index.get_level_values("instrument").to_numpy()
    owner = held.index.get_level_values("portfolio")
    value = pd.DataFrame(held.to_numpy() * marks.to_numpy().T[rows], index=owner)
    market_value = value.groupby(level=0).sum().reindex(index=all_portfolios, fill_value=0.0)
    gross = value.abs().groupby(level=0).sum().reindex(index=all_portfolios, fill_value=0.0)
    in_market = (pd.DataFrame(held.to_numpy() != 0, index=owner).groupby(level=0).any()
                 .reindex(index=all_portfolios, fill_value=False).to_numpy())

    def per_day(frame, column):
        return (frame.groupby(["portfolio", "day"])[column].sum().unstack("day", fill_value=0.0)
                .reindex(index=all_portfolios, columns=all_days, fill_value=0.0))

    flow = per_day(flows, "amount")
    cash = (per_day(fills, "cash") + flow).cumsum(axis=1).add(start, axis=0)
    equity = cash + market_value.to_numpy()

    # Daily returns, flows at the end of the day (PerformanceMetrics.DailyReturns).
    previous = equity.shift(1, axis=1)
    previous[0] = start
    pnl = equity - previous - flow
    basis = previous.where(previous > 0, previous + flow)
    r = (pnl / basis).where(basis > 0, 0.0).clip(lower=-1.0)

    twr = (1 + r).prod(axis=1) - 1
    annualised = np.where(twr <= -1, -1.0, (1 + twr) ** (252.0 / days) - 1)
    ending = equity.iloc[:, -1]
    total_pnl = ending - start - flow.sum(axis=1)
    mean = r.mean(axis=1)
    sd = r.std(axis=1, ddof=1)
    sharpe = (mean / sd * SQRT_YEAR).where(sd >= ZERO_VOLATILITY)
    downside = np.sqrt((r.clip(upper=0.0) ** 2).mean(axis=1))
    sortino = (mean / downside * SQRT_YEAR).where(downside >= ZERO_VOLATILITY)

    # Drawdown: a day is in drawdown when the index is below its peak so far (the start counts as a peak of 1) by more
    # than 1e-12 of it; the trough is the first lowest day; its peak day the last new peak before it; its recovery the
    # first day after it out of drawdown.
    wealth = (1 + r).cumprod(axis=1).to_numpy()
    peak_before = np.maximum.accumulate(np.hstack([np.ones((portfolios, 1)), wealth[:, :-1]]), axis=1)
    down = wealth < peak_before * (1 - 1e-12)
    depth = np.where(down, wealth / peak_before - 1, 0.0)
    trough = depth.argmin(axis=1)
    everyone = np.arange(portfolios)
    has = depth[everyone, trough] < 0
    day = np.arange(days)
    last_peak = np.maximum.accumulate(np.where(wealth > peak_before, day, -1), axis=1)
    peak_day = np.where(has & (trough > 0), last_peak[everyone, np.maximum(trough - 1, 0)], -1)
    back = (wealth >= peak_before * (1 - 1e-12)) & (day > trough[:, None])
    recovery_day = np.where(has & back.any(axis=1), back.argmax(axis=1), -1)

    # Exposure: days holding anything, and gross exposure / equity averaged over the days with positive equity.
    positive = equity.to_numpy() > 0
    ratio = np.where(positive, gross.to_numpy() / np.where(positive, equity.to_numpy(), 1.0), 0.0)
    counted = positive.sum(axis=1)
    exposure = np.where(counted > 0, ratio.sum(axis=1) / np.maximum(counted, 1), np.nan)

    trades, wins, losses, gross_profit, gross_loss = trade_stats(fills, portfolios)
    return pd.DataFrame({
        "twr": twr, "max_drawdown": np.where(has, depth[everyone, trough], 0.0), "sharpe": sharpe, "sortino": sortino,
        "ending": ending, "total_pnl": total_pnl, "annualised": annualised,
        "peak_day": peak_day, "trough_day": np.where(has, trough, -1), "recovery_day": recovery_day,
        "trades": trades, "wins": wins, "losses": losses, "gross_profit": gross_profit, "gross_loss": gross_loss,
        "win_rate": np.where(trades > 0, wins / np.maximum(trades, 1), np.nan),
        "profit_factor": np.where(losses > 0, gross_profit / np.where(losses > 0, -gross_loss, 1.0), np.nan),
        "time_in_market": in_market.sum(axis=1) / days, "exposure": exposure,
    }, index=all_portfolios)


def trade_stats(fills, portfolios):
    """FIFO realised P&L of each fill that closes (part of) a position, as FastPerformance's lot queue books it, counted
    per portfolio: trades, wins and losses (beyond ±1e-9), gross profit and loss.

    Vectorised over the fills of every (portfolio, instrument) in their order: a position's run from zero back to zero
    (a flip closes one run and opens the next with the rest) has entry units taken first in, first out, so the exit
    units [E, E + x) of a run cost the stretch [E, E + x) of the run's running entry quantity, priced by a binary search
    in the running sums of entry quantity, cost and fees. Each fill's fees are per unit of its whole quantity; an exit
    bears its own units' share and the entry fees of the units it takes."""
    key = fills["portfolio"].to_numpy() * (int(fills["instrument"].max()) + 1 if len(fills) else 1) + fills["instrument"].to_numpy()
    order = np.argsort(key, kind="stable")
    key, owner = key[order], fills["portfolio"].to_numpy()[order]
    q, price, fees = (fills[c].to_numpy()[order] for c in ("quantity", "price", "fees"))
    n = len(q)
    if n == 0:
        zeros = np.zeros(portfolios)
        return zeros, zeros, zeros, zeros, zeros
    prev, size, exit_q, entry_q, opens, run, exit_run = zero_crossing.split(key, q)
    fee_per_unit = fees / size
    open_rows = np.flatnonzero(opens)

    lots = np.flatnonzero(entry_q > 0)
    lq, lp, lf = entry_q[lots], price[lots], fee_per_unit[lots]
    sum_q, sum_cost, sum_fees = np.cumsum(lq), np.cumsum(lq * lp), np.cumsum(lq * lf)

    exits = np.flatnonzero(exit_q > 0)
    runs = exit_run[exits]
    first = np.searchsorted(lots, open_rows[runs])
    taken = np.cumsum(exit_q)
    low = sum_q[first] - lq[first] + taken[exits] - exit_q[exits] - taken[open_rows[runs]]
    high = low + exit_q[exits]

    def running(total, per_unit, at):
        k = np.searchsorted(sum_q, at, side="left")
        return total[k] - lq[k] * per_unit[k] + (at - (sum_q[k] - lq[k])) * per_unit[k]

    cost = running(sum_cost, lp, high) - running(sum_cost, lp, low)
    entry_fees = running(sum_fees, lf, high) - running(sum_fees, lf, low)
    direction = np.sign(prev[exits])
    realised = direction * (price[exits] * exit_q[exits] - cost) - entry_fees - exit_q[exits] * fee_per_unit[exits]

    who = owner[exits]
    won, lost = realised > 1e-9, realised < -1e-9
    count = lambda weights=None: np.bincount(who, weights=weights, minlength=portfolios)
    return (count().astype(np.float64), count(won.astype(np.float64)), count(lost.astype(np.float64)),
            count(np.where(won, realised, 0.0)), count(np.where(lost, realised, 0.0)))


def main():
    folder = sys.argv[1]
    s = read_params(folder)
    repeats = int(s["repeats"])

    lengths = np.fromfile(f"{folder}/m_bar_lengths.bin", dtype=np.int64)
    start = np.fromfile(f"{folder}/m_bar_start.bin", dtype=np.int64)
    bars = columns(f"{folder}/m_bars.bin", np.float64, 5)
    orders_int = columns(f"{folder}/m_orders_int.bin", np.int64, 5)
    orders_float = columns(f"{folder}/m_orders_float.bin", np.float64, 3)
    print(f"pandas matching: {orders_int.shape[1]:,} orders …", flush=True)
    matching_seconds, (summary, filled) = median_time(lambda: matching(lengths, start, bars, orders_int, orders_float, s), repeats)
    filled.astype(np.float64).tofile(f"{folder}/m_filled.bin")
    print(f"pandas matching: {matching_seconds:.3f} s, {summary['fills']:,} fills in {summary['rounds']} rounds", flush=True)

    k = columns(f"{folder}/k_positions.bin", np.float64, 3)
    positions = pd.DataFrame({"quantity": k[0], "cost": k[1], "price": k[2]})
    reps = int(s["marking_reps"])

    def mark_many():
        result = None
        for _ in range(reps):
            result = mark(positions)
        return result
    mark(positions)
    marking_total, (pnl, percent) = median_time(mark_many, repeats)
    marking_seconds = marking_total / reps
    np.stack([pnl.to_numpy(dtype=np.float64), percent.to_numpy(dtype=np.float64)]).tofile(f"{folder}/k_out.bin")
    print(f"pandas marking: {marking_seconds * 1e6:.1f} µs per call", flush=True)

    grid_instruments = int(s["grid_instruments"])
    closes = columns(f"{folder}/g_closes.bin", np.float64, grid_instruments)
    fills_int = columns(f"{folder}/g_fills_int.bin", np.int64, 3)
    fills_float = columns(f"{folder}/g_fills_float.bin", np.float64, 3)
    flows_int = columns(f"{folder}/g_flows_int.bin", np.int64, 2)
    flows_float = np.fromfile(f"{folder}/g_flows_float.bin", dtype=np.float64)
    starting_cash = np.fromfile(f"{folder}/g_starting_cash.bin", dtype=np.float64)
    metrics_seconds, result = median_time(
        lambda: metrics(closes, fills_int, fills_float, flows_int, flows_float, starting_cash), max(5, repeats))
    result[METRICS].to_numpy(dtype=np.float64).T.copy().tofile(f"{folder}/g_out.bin")
    # One at a time is slow: time the first LOOP_PORTFOLIOS and scale to all of them.
    some = min(LOOP_PORTFOLIOS, len(starting_cash))
    keep_fills, keep_flows = fills_int[0] < some, flows_int[0] < some
    loop_seconds, loop_result = median_time(
        lambda: metrics_one_by_one(closes, fills_int[:, keep_fills], fills_float[:, keep_fills], flows_int[:, keep_flows],
                                   flows_float[keep_flows], starting_cash[:some]), 1)
    loop_seconds *= len(starting_cash) / some
    loop_diff = float(np.nanmax(np.abs(loop_result.to_numpy() - result.to_numpy()[:some])))
    print(f"pandas metrics: {metrics_seconds * 1e3:.1f} ms over all portfolios at once; one portfolio at a time "
          f"{loop_seconds * 1e3:.0f} ms (the first {some} timed and scaled; largest difference {loop_diff:.1e})", flush=True)

    print(f"PANDAS matching_seconds={matching_seconds:.6f} marking_seconds={marking_seconds:.9f} metrics_seconds={metrics_seconds:.6f} metrics_loop_seconds={loop_seconds:.6f} "
          f"matching_fills={summary['fills']} matching_quantity={summary['quantity']:.0f} matching_notional={summary['notional']:.6f} "
          f"matching_commission={summary['commission']:.6f} matching_working={summary['working']} "
          f"pandas={pd.__version__} numpy={np.__version__}")


if __name__ == "__main__":
    main()
