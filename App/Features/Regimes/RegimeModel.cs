using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.MarketData;

namespace Signalbook.Features.Regimes;

/// <summary>
/// One fitted regime model of an instrument and interval. <see cref="Parameters"/> holds the HMM
/// (initial distribution, transition matrix, per-state means and covariances in standardised space,
/// and the training standardisation); <see cref="StateNames"/>[i] names state i. Immutable once stored:
/// a refit stores a new row, and the latest row per (instrument, interval) is the one applied.
/// </summary>
public sealed class RegimeModel
{
    public string ModelId { get; set; } = "";
    public long InstrumentId { get; set; }
    public string Interval { get; set; } = Intervals.OneDay;
    public int NStates { get; set; }
    public string FeatureVersion { get; set; } = "";
    public List<string> Features { get; set; } = [];
    public string Parameters { get; set; } = "{}";
    public List<string> StateNames { get; set; } = [];
    /// <summary>Bars whose one-step predictive log-likelihood is below this are out of distribution (state −1).</summary>
    public double OodThreshold { get; set; }
    public DateTimeOffset TrainFrom { get; set; }
    public DateTimeOffset TrainTo { get; set; }
    public int TrainBars { get; set; }
    public double TrainLogLikelihood { get; set; }
    public int Iterations { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class RegimeModelConfiguration : IEntityTypeConfiguration<RegimeModel>
{
    public void Configure(EntityTypeBuilder<RegimeModel> b)
    {
        b.ToTable("regime_models", t =>
        {
            t.HasCheckConstraint("ck_regime_models_n_states", "n_states >= 2");
            t.HasCheckConstraint("ck_regime_models_state_names", "cardinality(state_names) = n_states");
        });
        b.HasKey(m => m.ModelId);
        b.Property(m => m.ModelId).HasMaxLength(50);
        b.Property(m => m.Interval).HasMaxLength(10);
        b.Property(m => m.NStates).HasColumnName("n_states");
        b.Property(m => m.FeatureVersion).HasMaxLength(20);
        b.Property(m => m.Parameters).HasColumnType("jsonb");
        b.Property(m => m.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<Instrument>().WithMany().HasForeignKey(m => m.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(m => new { m.InstrumentId, m.Interval, m.CreatedAt });
    }
}

/// <summary>Settings of the regime feature (section <c>Regimes</c>).</summary>
public sealed class RegimeOptions
{
    public const string Section = "Regimes";

    [Range(2, 8)] public int States { get; set; } = 3;
    public int Seed { get; set; } = 20261121;
    [Range(1, 20)] public int Restarts { get; set; } = 4;
    [Range(10, 10_000)] public int MaxIterations { get; set; } = 300;
    [Range(0.0, 1.0)] public double Tolerance { get; set; } = 1e-7;
    [Range(1e-9, 1.0)] public double VarianceFloor { get; set; } = 1e-3;
    [Range(0.0, 0.2)] public double OodQuantile { get; set; } = 0.005;
    /// <summary>A model is refitted once this many bars with features are newer than its training window.</summary>
    [Range(1, 100_000)] public int RefitAfterBars { get; set; } = 60;
    /// <summary>Fewer bars with complete features than this: no model is fitted.</summary>
    [Range(30, 100_000)] public int MinTrainBars { get; set; } = 120;
    /// <summary>The fit uses at most this many of the most recent bars.</summary>
    [Range(30, 1_000_000)] public int MaxTrainBars { get; set; } = 5000;

    public HmmOptions ToHmm() => new()
    {
        States = States, Seed = Seed, Restarts = Restarts, MaxIterations = MaxIterations, Tolerance = Tolerance,
        VarianceFloor = VarianceFloor, OodQuantile = OodQuantile, ReturnFeature = 0, VolatilityFeature = 1,
    };
}

/// <summary>The model's input per bar, from the <c>features</c> table.</summary>
public static class RegimeFeatures
{
    /// <summary>ret_1d as stored; the log of vol_20d, whose distribution is far closer to Gaussian than vol_20d's own (it is positive and right-skewed).</summary>
    public static readonly IReadOnlyList<string> Names = ["ret_1d", "log_vol_20d"];

    /// <summary>The observation of one bar, or null during warm-up or when a value is unusable.</summary>
    public static double[]? Vector(double? ret1d, double? vol20d)
        => ret1d is { } r && vol20d is { } v && double.IsFinite(r) && double.IsFinite(v) && v > 0 ? [r, Math.Log(v)] : null;

    public const string Unusual = "unusual";

    /// <summary>The display name of a state id under a model's names; −1 is "unusual".</summary>
    public static string? NameOf(int? stateId, IReadOnlyList<string>? names)
        => stateId switch
        {
            null => null,
            -1 => Unusual,
            { } s when names is not null && s >= 0 && s < names.Count => names[s],
            _ => null,
        };
}
