namespace Signalbook.Bench;

/// <summary><c>bench train</c>: our gradient-boosted trees against Debian's xgboost on one real split (see <see cref="Features.Models.TrainBench"/>).</summary>
public sealed class TrainBenchCommand : IBench
{
    public string Name => "train";

    public string Description => "GBDT training time and AUC, ours against xgboost (python3-xgboost) on the same stocknet split";

    public Task<int> RunAsync(string[] args, CancellationToken ct) => Features.Models.TrainBench.RunAsync(args, ct);
}
