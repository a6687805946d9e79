using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Features.Portfolios;

/// <summary>A portfolio's cost and fill settings as the matching engine takes them (one formula for estimates and fills).</summary>
public static class PaperExecution
{
    public static ExecutionSettings SettingsFor(Portfolio p) => new()
    {
        MaxVolumeShare = p.MaxVolumeShare,
        Commission = new CommissionModel
        {
            PerShare = p.CommissionPerShare,
            PercentOfNotional = p.CommissionPercent,
            PerOrder = p.CommissionPerOrder,
            MinimumPerFill = p.CommissionMinimum,
        },
        Slippage = new SlippageModel { AdverseBps = p.SlippageBps },
    };

    /// <summary>The commission of a whole order filled at once (what estimates and cash reservations use).</summary>
    public static decimal EstimatedCommission(Portfolio p, decimal quantity, decimal price) =>
        quantity <= 0 ? 0 : SettingsFor(p).Commission.For(quantity, price, firstFillOfOrder: true);
}
