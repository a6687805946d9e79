namespace Signalbook.Bench;

/// <summary><c>bench train</c>: our gradient-boosted trees, LightGBM and Debian's xgboost side by side on one real split; <c>--pipeline</c> adds the walk-forward log loss of ours and LightGBM on the StockNet and demo data (see <see cref="Features.Models.TrainBench"/>).</summary>
public sealed class TrainBenchCommand : IBench
{
    public string Name => "train";

    public string Description => "GBDT training time, AUC and log loss: ours, LightGBM and xgboost (python3-xgboost) on the same stocknet split";

    public Task<int> RunAsync(string[] args, CancellationToken ct) => Features.Models.TrainBench.RunAsync(args, ct);
}
