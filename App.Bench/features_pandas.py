"""The Signalbook feature set (FeatureCalculator, version f1) in pandas, for `bench features`.

Reads the bars the C# bench wrote (bars.bin: float64 open, high, low, close, volume columns of all series one after
another; lengths.bin: int64 bars per series), computes every feature series by series with pandas (numpy's
sliding windows for the CCI's mean absolute deviation, which pandas has no rolling form of), prints
`PANDAS seconds=<compute time> bars=<n>` and writes the features of the first series to first.bin (float64,
one column after another in NAMES order) so the C# side can check both compute the same numbers.
Definitions follow FeatureCalculator: SMA-seeded EMAs, Wilder smoothing seeded with the mean of the first n values.
"""
import sys
import time

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

NAMES = ["ret_1d", "ret_5d", "ret_20d", "rsi_14", "momentum_5d", "vol_20d", "atr_14", "volume_zscore",
         "macd", "macd_signal", "macd_hist", "bb_percent_b", "bb_width", "ema_9", "ema_20", "ema_50", "sma_50", "sma_200",
         "adx_14", "obv", "stoch_k", "stoch_d", "cci_20", "mfi_14", "dist_52w_high"]


def seeded(x: pd.Series, n: int, first: int, alpha: float) -> pd.Series:
    """x smoothed with y = y_prev + alpha (x - y_prev), seeded at first+n-1 with the mean of x[first..first+n-1]."""
    seed_at = first + n - 1
    out = pd.Series(np.nan, index=x.index)
    if seed_at >= len(x):
        return out
    y = x.iloc[seed_at:].copy()
    y.iloc[0] = x.iloc[first:seed_at + 1].mean()
    out.iloc[seed_at:] = y.ewm(alpha=alpha, adjust=False).mean().to_numpy()
    return out


def ema(x, n, first=0):
    return seeded(x, n, first, 2.0 / (n + 1))


def wilder(x, n, first):
    return seeded(x, n, first, 1.0 / n)


def features(o, h, l, c, v):
    c1 = c.shift(1)
    f = {}
    f["ret_1d"] = c / c1 - 1
    f["ret_5d"] = c / c.shift(5) - 1
    f["ret_20d"] = c / c.shift(20) - 1
    change = c.diff()
    gain = wilder(change.clip(lower=0), 14, 1)
    loss = wilder((-change).clip(lower=0), 14, 1)
    rsi = 100 - 100 / (1 + gain / loss)
    f["rsi_14"] = rsi.where(loss > 0, np.where(gain.notna(), 100.0, np.nan))
    f["momentum_5d"] = c - c.shift(5)
    f["vol_20d"] = np.log(c / c1).rolling(20).std(ddof=1) * np.sqrt(252)
    tr = pd.concat([h - l, (h - c1).abs(), (l - c1).abs()], axis=1).max(axis=1, skipna=False)
    f["atr_14"] = wilder(tr, 14, 1)
    vmean = v.rolling(20).mean()
    vsd = v.rolling(20).std(ddof=0)
    f["volume_zscore"] = ((v - vmean) / vsd).where(vsd > 0)

    fast, slow = ema(c, 12), ema(c, 26)
    macd = fast - slow
    signal = ema(macd, 9, 25)
    f["macd"], f["macd_signal"], f["macd_hist"] = macd, signal, macd - signal
    mid = c.rolling(20).mean()
    sd = c.rolling(20).std(ddof=0)
    upper, lower = mid + 2 * sd, mid - 2 * sd
    f["bb_percent_b"] = ((c - lower) / (upper - lower)).where(upper - lower != 0)
    f["bb_width"] = ((upper - lower) / mid).where(mid != 0)
    f["ema_9"], f["ema_20"], f["ema_50"] = ema(c, 9), ema(c, 20), ema(c, 50)
    f["sma_50"], f["sma_200"] = c.rolling(50).mean(), c.rolling(200).mean()

    up = h - h.shift(1)
    down = l.shift(1) - l
    pdm = up.where((up > down) & (up > 0), 0.0)
    mdm = down.where((down > up) & (down > 0), 0.0)
    tr_avg = wilder(tr, 14, 1)
    pdi = 100 * wilder(pdm, 14, 1) / tr_avg
    mdi = 100 * wilder(mdm, 14, 1) / tr_avg
    dsum = pdi + mdi
    dx = (100 * (pdi - mdi).abs() / dsum).where(dsum != 0, 0.0).where(pdi.notna())
    f["adx_14"] = wilder(dx, 14, 14)

    f["obv"] = (np.sign(change).fillna(0) * v).where(change.notna(), 0.0).cumsum()
    hh, ll = h.rolling(14).max(), l.rolling(14).min()
    raw = (100 * (c - ll) / (hh - ll)).where(hh - ll != 0, 0.0).where(hh.notna())
    k = raw.rolling(3).mean()
    f["stoch_k"], f["stoch_d"] = k, k.rolling(3).mean()

    tp = (h + l + c) / 3
    cci = pd.Series(np.nan, index=c.index)
    if len(tp) >= 20:
        w = sliding_window_view(tp.to_numpy(), 20)
        mean = w.mean(axis=1)
        mad = np.abs(w - mean[:, None]).mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            values = np.where(mad == 0, np.nan, (tp.to_numpy()[19:] - mean) / (0.015 * mad))
        cci.iloc[19:] = values
    f["cci_20"] = cci
    flow = tp * v
    tp_change = tp.diff()
    pos = flow.where(tp_change > 0, 0.0).rolling(14).sum()
    neg = flow.where(tp_change < 0, 0.0).rolling(14).sum()
    mfi = (100 - 100 / (1 + pos / neg)).where(neg != 0, 100.0)
    mfi.iloc[:14] = np.nan
    f["mfi_14"] = mfi
    f["dist_52w_high"] = c / h.rolling(252).max() - 1
    return f


def main():
    folder = sys.argv[1]
    lengths = np.fromfile(f"{folder}/lengths.bin", dtype=np.int64)
    total = int(lengths.sum())
    data = np.fromfile(f"{folder}/bars.bin", dtype=np.float64).reshape(5, total)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    first = None
    began = time.perf_counter()
    for start, n in zip(starts, lengths):
        cols = [pd.Series(data[j, start:start + n]) for j in range(5)]
        f = features(*cols)
        if first is None:
            first = np.stack([f[name].to_numpy(dtype=np.float64) for name in NAMES])
    seconds = time.perf_counter() - began
    first.tofile(f"{folder}/first.bin")
    print(f"PANDAS seconds={seconds:.3f} bars={total} pandas={pd.__version__}")


if __name__ == "__main__":
    main()
