namespace Signalbook.Features.Portfolios.Performance;

/// <summary>Parameters of the risk-adjusted ratios, as daily rates (see <see cref="PerformanceMetrics.DailyRateFromAnnual"/>).</summary>
/// <param name="RiskFreeDailyRate">rf, subtracted from each daily return in Sharpe and Sortino.</param>
/// <param name="SortinoTargetDailyReturn">T, the return below which a day counts as downside in Sortino.</param>
public sealed record MetricsOptions(double RiskFreeDailyRate = 0, double SortinoTargetDailyReturn = 0)
{
    public static MetricsOptions Default { get; } = new();
}

/// <summary>Everything <see cref="PerformanceMetrics.Compute"/> reports for one portfolio.</summary>
public sealed record PerformanceReport(ReturnStats Returns, RiskStats Risk, DrawdownStats Drawdown, TradeStats Trades, ExposureStats Exposure);

/// <param name="Days">Trading days in the curve (= number of daily returns).</param>
/// <param name="StartingEquity">The starting cash (equity before the first day).</param>
/// <param name="NetExternalFlows">Σ deposits − Σ withdrawals over the curve.</param>
/// <param name="ContributedCapital">Starting cash + Σ deposits (withdrawals not netted): the denominator of <paramref name="TotalPnlPercent"/>.</param>
/// <param name="TotalPnl">Ending equity − starting equity − net external flows (= Σ daily P&amp;L).</param>
/// <param name="TotalPnlPercent">Total P&amp;L ÷ contributed capital; null when that is not positive.</param>
/// <param name="TimeWeightedReturn">Π(1 + r_t) − 1 over the daily returns; external flows excluded.</param>
/// <param name="AnnualisedReturn">(1 + TWR)^(252 / days) − 1; null with no days. Not meaningful over a few days, but computed.</param>
/// <param name="DailyReturns">r_t per day (see <see cref="PerformanceMetrics.DailyReturns(EquityCurve)"/>).</param>
public sealed record ReturnStats(
    int Days,
    decimal StartingEquity,
    decimal EndingEquity,
    decimal NetExternalFlows,
    decimal ContributedCapital,
    decimal TotalPnl,
    double? TotalPnlPercent,
    double TimeWeightedReturn,
    double? AnnualisedReturn,
    IReadOnlyList<double> DailyReturns);

/// <param name="Sharpe">mean(r − rf) ÷ sample sd(r) × √252; null with fewer than 2 days or zero volatility.</param>
/// <param name="Sortino">mean(r − rf) ÷ downside deviation × √252; null with fewer than 2 days or no day below the target.</param>
/// <param name="AnnualisedVolatility">sample sd(r) × √252; null with fewer than 2 days.</param>
/// <param name="DownsideDeviation">√(Σ min(0, r − T)² ÷ n) × √252 (annualised); null with fewer than 2 days.</param>
public sealed record RiskStats(double? Sharpe, double? Sortino, double? AnnualisedVolatility, double? DownsideDeviation);

/// <param name="MaxDrawdown">The deepest drawdown as a fraction ≤ 0 (−0.25 is 25 % below the peak); 0 when the curve never falls.</param>
/// <param name="PeakDate">The day of the peak before the deepest trough; null when that peak is the starting capital (before the first day) or there is no drawdown.</param>
/// <param name="TroughDate">The day of the deepest point (the first, if several); null when there is no drawdown.</param>
/// <param name="RecoveryDate">The first day after the trough back at or above the peak; null if not recovered.</param>
/// <param name="Series">Drawdown per day (≤ 0), for a chart.</param>
public sealed record DrawdownStats(double MaxDrawdown, DateOnly? PeakDate, DateOnly? TroughDate, DateOnly? RecoveryDate, IReadOnlyList<double> Series);

/// <param name="Trades">Closing fills (one closed trade each).</param>
/// <param name="Wins">Trades with realised P&amp;L &gt; 0.</param>
/// <param name="Losses">Trades with realised P&amp;L &lt; 0 (a trade at exactly 0 is neither, but counts in <paramref name="Trades"/>).</param>
/// <param name="WinRate">Wins ÷ trades; null with no trades.</param>
/// <param name="GrossProfit">Σ P&amp;L of the wins (≥ 0).</param>
/// <param name="GrossLoss">Σ P&amp;L of the losses (≤ 0).</param>
/// <param name="ProfitFactor">Gross profit ÷ |gross loss|; null when there are no losses (it would be infinite or 0 ÷ 0).</param>
/// <param name="AverageWin">Gross profit ÷ wins; null with no wins.</param>
/// <param name="AverageLoss">Gross loss ÷ losses (negative); null with no losses.</param>
public sealed record TradeStats(int Trades, int Wins, int Losses, double? WinRate, decimal GrossProfit, decimal GrossLoss, double? ProfitFactor, decimal? AverageWin, decimal? AverageLoss);

/// <param name="TimeInMarket">Share of days ending with at least one open position; null with no days.</param>
/// <param name="AverageGrossExposure">Mean over days with positive equity of gross exposure ÷ equity; null when there is no such day.</param>
public sealed record ExposureStats(double? TimeInMarket, double? AverageGrossExposure);

/// <summary>
/// Portfolio performance metrics from an <see cref="EquityCurve"/> and the closed trades of a <see cref="LotBook"/>.
/// Pure functions over arrays; each building block is public so it can be tested and reused on its own.
/// <para>
/// <b>Daily return and flow timing.</b> External flows are taken to arrive at the <i>end</i> of their day: they do not
/// earn that day's return. With E₋₁ = starting cash, r_t = (E_t − F_t) / E_{t−1} − 1 = P&amp;L_t / E_{t−1}. A day that
/// starts with no capital (E_{t−1} ≤ 0) has nothing at risk at the open, so its flow is taken as arriving at the start
/// instead: r_t = P&amp;L_t / (E_{t−1} + F_t) when that is positive, else r_t = 0. A return is never below −1 (equity
/// reaching zero is −100 %; losing more than the equity is still −100 %), so once equity is wiped out the chained TWR
/// stays at −100 %.
/// </para>
/// <b>Annualisation</b> uses 252 trading days a year: returns compound as (1 + TWR)^(252/n) − 1; ratios scale by √252.
/// </summary>
public static class PerformanceMetrics
{
    public const int TradingDaysPerYear = 252;

    /// <summary>Below this a daily standard or downside deviation counts as zero (the ratio would be ±∞ or noise).</summary>
    public const double ZeroVolatility = 1e-12;

    private static readonly double SqrtYear = Math.Sqrt(TradingDaysPerYear);

    /// <summary>The daily rate compounding to <paramref name="annualRate"/> over 252 days: (1 + a)^(1/252) − 1.</summary>
    public static double DailyRateFromAnnual(double annualRate) => Math.Pow(1 + annualRate, 1.0 / TradingDaysPerYear) - 1;

    /// <summary>All metrics of a portfolio: returns, risk, drawdown, trades and exposure.</summary>
    public static PerformanceReport Compute(EquityCurve curve, IReadOnlyList<ClosedTrade> trades, MetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(trades);
        options ??= MetricsOptions.Default;
        var returns = DailyReturns(curve);
        var twr = TimeWeightedReturn(returns);

        var netFlows = 0m;
        var deposits = 0m;
        foreach (var flow in curve.FlowArray)
        {
            netFlows += flow;
            if (flow > 0) deposits += flow;
        }
        var contributed = curve.StartingCash + deposits;
        var totalPnl = curve.EndingEquity - curve.StartingCash - netFlows;
        var returnStats = new ReturnStats(curve.Count, curve.StartingCash, curve.EndingEquity, netFlows, contributed, totalPnl,
            contributed > 0 ? (double)(totalPnl / contributed) : null, twr, Annualise(twr, returns.Length), returns);

        var sd = SampleStandardDeviation(returns);
        var downside = DownsideDeviation(returns, options.SortinoTargetDailyReturn);
        var risk = new RiskStats(
            Sharpe(returns, options.RiskFreeDailyRate),
            Sortino(returns, options.RiskFreeDailyRate, options.SortinoTargetDailyReturn),
            sd * SqrtYear,
            returns.Length < 2 ? null : downside * SqrtYear);

        return new PerformanceReport(returnStats, risk, Drawdown(curve.DayArray, returns), Trades(trades), Exposure(curve));
    }

    /// <summary>r_t per day of the curve, flows at the end of the day (see the class remarks).</summary>
    public static double[] DailyReturns(EquityCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var returns = new double[curve.Count];
        DailyReturns(curve.StartingCash, curve.EquityArray, curve.FlowArray, returns);
        return returns;
    }

    /// <summary>
    /// r_t = P&amp;L_t ÷ E_{t−1} with P&amp;L_t = E_t − E_{t−1} − F_t and E₋₁ = <paramref name="startingEquity"/>; when
    /// E_{t−1} ≤ 0, P&amp;L_t ÷ (E_{t−1} + F_t) if that base is positive, else 0; never below −1.
    /// </summary>
    public static void DailyReturns(decimal startingEquity, ReadOnlySpan<decimal> equity, ReadOnlySpan<decimal> flows, Span<double> returns)
    {
        if (flows.Length != equity.Length || returns.Length != equity.Length)
        {
            throw new ArgumentException($"Equity ({equity.Length}), flows ({flows.Length}) and returns ({returns.Length}) must have the same length.");
        }
        var previous = startingEquity;
        for (var t = 0; t < equity.Length; t++)
        {
            var pnl = equity[t] - previous - flows[t];
            var basis = previous > 0 ? previous : previous + flows[t];
            var r = basis > 0 ? (double)pnl / (double)basis : 0.0;
            returns[t] = r < -1 ? -1 : r;
            previous = equity[t];
        }
    }

    /// <summary>Chained: Π(1 + r_t) − 1; 0 for no days.</summary>
    public static double TimeWeightedReturn(ReadOnlySpan<double> dailyReturns)
    {
        var growth = 1.0;
        foreach (var r in dailyReturns) growth *= 1 + r;
        return growth - 1;
    }

    /// <summary>(1 + total)^(252 / days) − 1; null for no days; −1 once the total is −100 %.</summary>
    public static double? Annualise(double totalReturn, int days) =>
        days <= 0 ? null : totalReturn <= -1 ? -1 : Math.Pow(1 + totalReturn, (double)TradingDaysPerYear / days) - 1;

    /// <summary>Sample standard deviation (n − 1) of the daily returns; null with fewer than 2.</summary>
    public static double? SampleStandardDeviation(ReadOnlySpan<double> dailyReturns)
    {
        var n = dailyReturns.Length;
        if (n < 2) return null;
        var mean = Mean(dailyReturns);
        var sum = 0.0;
        foreach (var r in dailyReturns) sum += (r - mean) * (r - mean);
        return Math.Sqrt(sum / (n - 1));
    }

    /// <summary>Daily downside deviation below <paramref name="target"/>: √(Σ min(0, r_t − T)² ÷ n), over all n days (Sortino &amp; Price).</summary>
    public static double DownsideDeviation(ReadOnlySpan<double> dailyReturns, double target = 0)
    {
        if (dailyReturns.Length == 0) return 0;
        var sum = 0.0;
        foreach (var r in dailyReturns)
        {
            var shortfall = r - target;
            if (shortfall < 0) sum += shortfall * shortfall;
        }
        return Math.Sqrt(sum / dailyReturns.Length);
    }

    /// <summary>
    /// Sharpe ratio, annualised: mean(r_t − rf) ÷ s × √252, s the sample (n − 1) standard deviation of r_t (that of
    /// r_t − rf is the same). Null with fewer than 2 days or s &lt; <see cref="ZeroVolatility"/>.
    /// </summary>
    public static double? Sharpe(ReadOnlySpan<double> dailyReturns, double riskFreeDailyRate = 0)
    {
        var sd = SampleStandardDeviation(dailyReturns);
        if (sd is not { } s || !(s >= ZeroVolatility)) return null;
        return (Mean(dailyReturns) - riskFreeDailyRate) / s * SqrtYear;
    }

    /// <summary>
    /// Sortino ratio, annualised: mean(r_t − rf) ÷ DD_T × √252 with DD_T = √(Σ min(0, r_t − T)² ÷ n). Null with fewer than
    /// 2 days or DD_T &lt; <see cref="ZeroVolatility"/> (no day below the target: the ratio would be infinite).
    /// </summary>
    public static double? Sortino(ReadOnlySpan<double> dailyReturns, double riskFreeDailyRate = 0, double targetDailyReturn = 0)
    {
        if (dailyReturns.Length < 2) return null;
        var dd = DownsideDeviation(dailyReturns, targetDailyReturn);
        if (!(dd >= ZeroVolatility)) return null;
        return (Mean(dailyReturns) - riskFreeDailyRate) / dd * SqrtYear;
    }

    /// <summary>
    /// Drawdown of the time-weighted wealth index W_t = Π_{s≤t}(1 + r_s), W₋₁ = 1 (the starting capital), so deposits and
    /// withdrawals neither hide nor cause a drawdown: D_t = W_t ÷ max_{s≤t} W_s − 1 (the running peak includes W₋₁).
    /// The maximum drawdown is min_t D_t. Recovery is the first day after the trough with W back at the peak
    /// (relative tolerance 1e-12, so a return to exactly the peak equity counts despite rounding).
    /// </summary>
    public static DrawdownStats Drawdown(ReadOnlySpan<DateOnly> days, ReadOnlySpan<double> dailyReturns)
    {
        if (days.Length != dailyReturns.Length) throw new ArgumentException($"{days.Length} days for {dailyReturns.Length} returns.", nameof(days));
        var n = dailyReturns.Length;
        var series = new double[n];
        var wealth = 1.0;
        var peak = 1.0;
        var peakDay = -1;
        var maxDrawdown = 0.0;
        int troughDay = -1, troughPeakDay = -1;
        var troughPeak = 1.0;
        for (var t = 0; t < n; t++)
        {
            wealth *= 1 + dailyReturns[t];
            if (wealth >= peak * (1 - 1e-12))
            {
                if (wealth > peak)
                {
                    peak = wealth;
                    peakDay = t;
                }
                series[t] = 0;
                continue;
            }
            var drawdown = wealth / peak - 1;
            series[t] = drawdown;
            if (drawdown < maxDrawdown)
            {
                maxDrawdown = drawdown;
                troughDay = t;
                troughPeakDay = peakDay;
                troughPeak = peak;
            }
        }
        if (troughDay < 0) return new DrawdownStats(0, null, null, null, series);

        DateOnly? recovery = null;
        wealth = 1.0;
        for (var t = 0; t < n; t++)
        {
            wealth *= 1 + dailyReturns[t];
            if (t > troughDay && wealth >= troughPeak * (1 - 1e-12))
            {
                recovery = days[t];
                break;
            }
        }
        return new DrawdownStats(maxDrawdown, troughPeakDay < 0 ? null : days[troughPeakDay], days[troughDay], recovery, series);
    }

    /// <summary>Win rate, profit factor, average win and loss over closed trades (one per closing fill).</summary>
    public static TradeStats Trades(IReadOnlyList<ClosedTrade> trades)
    {
        ArgumentNullException.ThrowIfNull(trades);
        int wins = 0, losses = 0;
        decimal grossProfit = 0, grossLoss = 0;
        for (var i = 0; i < trades.Count; i++)
        {
            var pnl = trades[i].RealisedPnl;
            if (pnl > 0)
            {
                wins++;
                grossProfit += pnl;
            }
            else if (pnl < 0)
            {
                losses++;
                grossLoss += pnl;
            }
        }
        var count = trades.Count;
        return new TradeStats(
            count,
            wins,
            losses,
            count == 0 ? null : (double)wins / count,
            grossProfit,
            grossLoss,
            losses == 0 ? null : (double)(grossProfit / -grossLoss),
            wins == 0 ? null : grossProfit / wins,
            losses == 0 ? null : grossLoss / losses);
    }

    /// <summary>
    /// Time in market = days with an open position at the close ÷ days. Average gross exposure = mean of
    /// gross exposure_t ÷ equity_t over the days with equity_t &gt; 0 (1.0 is fully invested, 2.0 is 2× levered).
    /// </summary>
    public static ExposureStats Exposure(EquityCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var n = curve.Count;
        if (n == 0) return new ExposureStats(null, null);
        var inMarket = 0;
        var ratioSum = 0.0;
        var ratioDays = 0;
        for (var t = 0; t < n; t++)
        {
            if (curve.OpenArray[t] > 0) inMarket++;
            var equity = curve.EquityArray[t];
            if (equity > 0)
            {
                ratioSum += (double)curve.GrossArray[t] / (double)equity;
                ratioDays++;
            }
        }
        return new ExposureStats((double)inMarket / n, ratioDays == 0 ? null : ratioSum / ratioDays);
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return sum / values.Length;
    }
}
