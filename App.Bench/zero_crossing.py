"""FIFO zero-crossing runs of signed fills, vectorised: shared by journal_pandas.py and portfolio_pandas.py.

A position's run goes from zero back to zero; a fill against the position that is larger than it (a flip) closes the
run and opens the next with the rest (CampaignBuilder's rules, App/Features/Journal/Campaigns/CampaignBuilder.cs).
"""
import numpy as np


def split(series, signed):
    """For fills ordered by series (then execution order), `series` a key per fill and `signed` the signed quantity:
    returns (prev, size, exit_q, entry_q, opens, run, exit_run) per fill: the series' position before it, |quantity|,
    the part that reduces the position and the part that adds to it (or opens it), whether it opens a run, the run it
    belongs to (numbered across all series from 0), and the run its exit part closes (the run before, for a flip)."""
    n = len(signed)
    starts = np.flatnonzero(np.r_[True, series[1:] != series[:-1]])
    cs = np.cumsum(signed)
    prev = cs - np.repeat(cs[starts] - signed[starts], np.diff(np.r_[starts, n])) - signed
    size, held = np.abs(signed), np.abs(prev)
    opposite = (prev != 0) & ((prev > 0) != (signed > 0))
    exit_q = np.where(opposite, np.minimum(size, held), 0)
    entry_q = size - exit_q
    opens = (prev == 0) | (opposite & (size > held))
    run = np.cumsum(opens) - 1
    exit_run = run - (opens & opposite)
    return prev, size, exit_q, entry_q, opens, run, exit_run
