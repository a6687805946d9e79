using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public class CalibrationTests
{
    /// <summary>True probabilities q from random logits; labels drawn from q; the "model" reports p ∝ q^power.</summary>
    private static (int[] Labels, double[][] Reported) Sample(int n, double power, int seed)
    {
        var rng = new Random(seed);
        var labels = new int[n];
        var reported = new double[n][];
        for (var i = 0; i < n; i++)
        {
            var logits = Enumerable.Range(0, 3).Select(_ => 1.2 * (rng.NextDouble() * 2 - 1)).ToArray();
            var q = Softmax(logits);
            var u = rng.NextDouble();
            labels[i] = u < q[0] ? 0 : u < q[0] + q[1] ? 1 : 2;
            reported[i] = Softmax(logits.Select(l => l * power).ToArray());
        }
        return (labels, reported);
    }

    private static double[] Softmax(double[] z)
    {
        var e = z.Select(v => Math.Exp(v - z.Max())).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Fact]
    public void Fit_OverconfidentModel_LearnsTheInverseTemperature_AndImprovesHeldOutCalibration()
    {
        var (trainLabels, trainReported) = Sample(6000, power: 3, seed: 1);
        var (testLabels, testReported) = Sample(6000, power: 3, seed: 2);

        var calibrator = ProbabilityCalibrator.Fit(trainLabels, trainReported, 3);
        var calibrated = calibrator.Apply(testReported);

        // p ∝ q³ is undone by a slope of 1/3.
        Assert.InRange(calibrator.Slope, 0.28, 0.39);
        Assert.True(Metrics.LogLoss(testLabels, calibrated) < Metrics.LogLoss(testLabels, testReported) - 0.05);
        var before = Metrics.ExpectedCalibrationError(Metrics.Calibration(testLabels, testReported));
        var after = Metrics.ExpectedCalibrationError(Metrics.Calibration(testLabels, calibrated));
        Assert.True(after < before / 2, $"ECE {before:F4} -> {after:F4}");
        Assert.True(after < 0.03, $"ECE after calibration {after:F4}");
    }

    [Fact]
    public void Fit_AlreadyCalibratedModel_StaysCloseToIdentity()
    {
        var (labels, reported) = Sample(8000, power: 1, seed: 3);
        var calibrator = ProbabilityCalibrator.Fit(labels, reported, 3);
        Assert.InRange(calibrator.Slope, 0.9, 1.1);
        Assert.All(calibrator.Bias, b => Assert.InRange(b, -0.08, 0.08));
    }

    [Fact]
    public void Apply_SumsToOne_KeepsTheOrderWithinAClass_AndNeverReachesZero()
    {
        var calibrator = new ProbabilityCalibrator(0.5, [0.2, 0, -0.2]);
        var a = calibrator.Apply([0.7, 0.2, 0.1]);
        var b = calibrator.Apply([0.5, 0.3, 0.2]);
        var c = calibrator.Apply([1.0, 0.0, 0.0]);
        Assert.Equal(1.0, a.Sum(), 12);
        Assert.True(a[0] > b[0]);
        Assert.True(a[0] < 0.7); // a slope below 1 softens
        Assert.All(c, p => Assert.True(p > 0));
        // Hand-worked: z = 0.5·ln p + b → for [0.7, 0.2, 0.1]: exp(z) ∝ [√0.7·e^0.2, √0.2, √0.1·e^-0.2].
        var e = new[] { Math.Sqrt(0.7) * Math.Exp(0.2), Math.Sqrt(0.2), Math.Sqrt(0.1) * Math.Exp(-0.2) };
        Assert.Equal(e[0] / e.Sum(), a[0], 12);
    }

    [Fact]
    public void Identity_ChangesNothing()
    {
        var p = ProbabilityCalibrator.Identity(3).Apply([0.6, 0.3, 0.1]);
        Assert.Equal(0.6, p[0], 12);
        Assert.Equal(0.3, p[1], 12);
    }
}
