using Signalbook.Features.Models;
using Xunit.Abstractions;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// The training pipeline admins run (<see cref="ModelTrainer"/>) on real prices: StockNet's 87 usable US stocks,
/// 2012–2017, H = 5, GBDT, three purged walk-forward folds. Asserted: what must hold whatever the market did — the
/// out-of-sample rows are exactly the folds' test rows, metrics are finite and in range, the baselines are
/// evaluated on the same rows, and the calibration decision follows its rule. The edge (or its absence) is printed.
/// </summary>
[RunsLong(14)]
public class StocknetTrainerTests(ITestOutputHelper output)
{
    [Fact]
    public void Train_OnStocknet_ReportsOutOfSampleMetricsAgainstBaselines()
    {
        var spec = new TrainingSpec
        {
            Hyperparameters = new Dictionary<string, double> { ["trees"] = 60, ["max_depth"] = 3, ["min_samples_leaf"] = 100, ["learning_rate"] = 0.1 },
            Horizon = 5, Folds = 3,
        };
        var log = new List<string>();
        var result = ModelTrainer.Train(Stocknet.Instruments, spec, log: log.Add);
        foreach (var line in log) output.WriteLine(line);

        var folds = (List<Dictionary<string, object?>>)result.Metrics["folds"]!;
        Assert.Equal(folds.Sum(f => (int)f["test_rows"]!), (int)result.Metrics["oos_rows"]!);
        var wf = (Dictionary<string, object?>)result.Metrics["walk_forward"]!;
        var model = (Dictionary<string, object?>)wf["model"]!;
        var hold = (Dictionary<string, object?>)wf["always_hold"]!;
        var momentum = (Dictionary<string, object?>)wf["momentum"]!;
        Assert.All(new[] { model, hold, momentum }, e => Assert.Equal(result.Metrics["oos_rows"], e["rows"]));
        Assert.InRange((double)model["macro_auc"]!, 0.4, 0.7);
        Assert.InRange((double)model["up_auc"]!, 0.4, 0.7);
        Assert.InRange((double)model["accuracy"]!, 0.25, 0.6);
        Assert.InRange((double)model["log_loss"]!, 0.9, 1.3);

        var calibration = (Dictionary<string, object?>)result.Metrics["calibration"]!;
        var calibrator = (Dictionary<string, object?>)result.Metrics["calibrator"]!;
        Assert.Equal((double)calibration["log_loss_calibrated"]! < (double)calibration["log_loss_raw"]!, (bool)calibrator["kept"]!);
        output.WriteLine($"model: acc={model["accuracy"]} macro_auc={model["macro_auc"]} up_auc={model["up_auc"]} ic={model["ic"]} sharpe={model["sharpe"]} log_loss={model["log_loss"]}");
        output.WriteLine($"always HOLD: acc={hold["accuracy"]} log_loss={hold["log_loss"]}");
        output.WriteLine($"momentum: acc={momentum["accuracy"]} up_auc={momentum["up_auc"]} ic={momentum["ic"]} sharpe={momentum["sharpe"]}");
        output.WriteLine($"calibration: ece raw {calibration["ece_raw"]} -> {calibration["ece_calibrated"]}, log loss {calibration["log_loss_raw"]} -> {calibration["log_loss_calibrated"]}, kept={calibrator["kept"]}");
    }
}
