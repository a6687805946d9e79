using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public sealed class ModelVersionViewTests
{
    private const string Metrics = """
        {"horizon": 5, "rows": 1200, "oos_rows": 600, "rmse": null,
         "walk_forward": {
           "model": {"rows": 600, "accuracy": 0.45, "macro_auc": 0.58, "sharpe": 1.2, "ece": null,
                     "per_class": {"SELL": {"f1": 0.3}, "HOLD": {"f1": 0.5}, "BUY": {"f1": 0.4}}, "predicted_share": {"SELL": 0.2}},
           "always_hold": {"accuracy": 0.40, "sharpe": null},
           "momentum": {"accuracy": 0.33, "sharpe": 0.8}},
         "calibration": {"ece_calibrated": 0.03, "raw": [{"mean_confidence": 0.4, "observed": 0.35, "count": 10}, {"mean_confidence": null, "observed": 0.1, "count": 3}],
                         "calibrated": [{"mean_confidence": 0.41, "observed": 0.4, "count": 0}]},
         "feature_importance": {"rsi_14": 0.2, "ret_5d": 0.5, "vol_20d": null},
         "hyperparameters": {"trees": 20, "horizon": 5},
         "data_from": "2023-12-19T05:00:00+00:00", "data_to": "2026-11-20T05:00:00+00:00"}
        """;

    [Fact]
    public void Parse_ReadsTheModelAndBaselines_KeepsMissingNumbersMissing_AndSortsImportance()
    {
        var v = ModelVersionView.Parse(7, ModelTypes.VerdictClassifier, "v3", "gbdt", "abc", "f1", true, DateTimeOffset.UnixEpoch, 12, Metrics);

        Assert.Equal((5, 1200, 600, (long?)12), (v.Horizon!.Value, v.Rows!.Value, v.OosRows!.Value, v.TrainingJobId));
        Assert.Equal(0.45, v.Model["accuracy"]);
        Assert.Null(v.Model["ece"]);
        Assert.Equal(0.5, v.Model["f1_HOLD"]);
        Assert.False(v.Model.ContainsKey("predicted_share"));
        Assert.Equal(0.40, v.AlwaysHold["accuracy"]);
        Assert.Null(v.AlwaysHold["sharpe"]);
        Assert.Equal(0.8, v.Momentum["sharpe"]);
        Assert.Null(v.Rmse);
        Assert.Equal(0.03, v.EceCalibrated);
        Assert.Equal(["ret_5d", "rsi_14", "vol_20d"], v.FeatureImportance.Select(p => p.Key));
        Assert.Equal(new CalibrationPoint(0.4, 0.35, 10), Assert.Single(v.CalibrationRaw)); // the bucket without a confidence is left out
        Assert.Empty(v.CalibrationCalibrated); // an empty bucket says nothing
        Assert.Equal("20", v.Hyperparameters["trees"]);
        Assert.Equal(new DateTimeOffset(2023, 12, 19, 5, 0, 0, TimeSpan.Zero), v.DataFrom);
    }

    [Fact]
    public void Parse_OfEmptyMetrics_GivesAnEmptyView()
    {
        var v = ModelVersionView.Parse(1, ModelTypes.PriceRegressor, "v1", "ridge", "h", "f1", false, DateTimeOffset.UnixEpoch, null, "{}");
        Assert.Empty(v.Model);
        Assert.Empty(v.FeatureImportance);
        Assert.Null(v.Horizon);
    }
}
