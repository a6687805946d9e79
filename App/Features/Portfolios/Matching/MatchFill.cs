namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// One execution produced by the engine.
/// </summary>
/// <param name="Ts">
/// When it happened: the <see cref="MatchBar.Start"/> of the bar it filled on. Bars carry no intrabar timing, so a fill
/// at a stop or limit price reached inside the bar is also stamped with the bar's start.
/// </param>
/// <param name="Price">The execution price, slippage included.</param>
/// <param name="Commission">The commission charged on this fill (see <see cref="CommissionModel"/>).</param>
/// <param name="Rule">Which rule filled it, e.g. "market at next open", "stop gapped through: open", "limit touched".</param>
public readonly record struct MatchFill(long OrderId, DateTimeOffset Ts, decimal Quantity, decimal Price, decimal Commission, string Rule)
{
    public decimal Notional => Quantity * Price;
}
