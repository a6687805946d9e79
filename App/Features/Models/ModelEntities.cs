using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.MarketData;
using Signalbook.Features.Users;

namespace Signalbook.Features.Models;

/// <summary>Model kinds (multi-user seed): BUY/HOLD/SELL classifier and expected-return regressor.</summary>
public static class ModelTypes
{
    public const string VerdictClassifier = "verdict_classifier";
    public const string PriceRegressor = "price_regressor";
}

/// <summary>A training run started by an admin (multi-user seed's ml_training_jobs, plus hyperparameters, data window and progress).</summary>
public sealed class MlTrainingJob
{
    public long Id { get; set; }
    public Guid? StartedBy { get; set; }
    public string Status { get; set; } = "pending";
    public string ModelType { get; set; } = ModelTypes.VerdictClassifier;
    public string Algorithm { get; set; } = "gbdt";
    public string Hyperparameters { get; set; } = "{}";
    public DateTimeOffset? DataFrom { get; set; }
    public DateTimeOffset? DataTo { get; set; }
    public string FeatureVersion { get; set; } = "";
    public string? TrainingDataPath { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? ModelPath { get; set; }
    public double? Accuracy { get; set; }
    public double Progress { get; set; }
    public string? ErrorMessage { get; set; }
    public string? Logs { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A versioned model (multi-user seed's ml_models, Boursomatic's model_versions): at most one active per type, enforced by the database.</summary>
public sealed class MlModel
{
    public long Id { get; set; }
    public string ModelType { get; set; } = ModelTypes.VerdictClassifier;
    public string Version { get; set; } = "";
    public string Algorithm { get; set; } = "gbdt";
    /// <summary>Hash of algorithm, hyperparameters, feature_version and data window.</summary>
    public string ParamsHash { get; set; } = "";
    public string FeatureVersion { get; set; } = "";
    public string Metrics { get; set; } = "{}";
    public byte[]? Artifact { get; set; }
    public string? ModelPath { get; set; }
    public double? Accuracy { get; set; }
    public long? TrainingJobId { get; set; }
    public bool IsActive { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public Guid? CreatedBy { get; set; }
}

/// <summary>One recommendation for an instrument and risk profile (Boursomatic seed); at most one active per instrument and profile.</summary>
public sealed class Recommendation
{
    public long Id { get; set; }
    public long InstrumentId { get; set; }
    public long ModelVersionId { get; set; }
    public string Profile { get; set; } = "moderate";
    public string Label { get; set; } = "HOLD";
    public double Confidence { get; set; }
    public double? ExpectedReturnPct { get; set; }
    public int? HorizonDays { get; set; }
    public double? StopLoss { get; set; }
    public double? TakeProfit { get; set; }
    public string? Justification { get; set; }
    public string FeaturesSnapshot { get; set; } = "{}";
    public DateTimeOffset GeneratedAt { get; set; }
    public bool IsActive { get; set; } = true;
}

/// <summary>A prediction whose outcome is back-filled once its horizon has passed (trading-ai seed's ml_predictions).</summary>
public sealed class MlPrediction
{
    public long Id { get; set; }
    public string ModelName { get; set; } = "";
    public string? ModelVersion { get; set; }
    public string Symbol { get; set; } = "";
    public long? InstrumentId { get; set; }
    public long? RecommendationId { get; set; }
    public double? PredictedPrice { get; set; }
    public string? PredictedDirection { get; set; }
    public double? Confidence { get; set; }
    public string? FeatureImportance { get; set; }
    public DateTimeOffset PredictedAt { get; set; }
    /// <summary>Minutes ahead, as the seed has it.</summary>
    public int? PredictionHorizon { get; set; }
    public double? ActualPrice { get; set; }
    public double? PredictionError { get; set; }
    public bool? WasCorrect { get; set; }
    public DateTimeOffset? EvaluatedAt { get; set; }
}

internal sealed class MlTrainingJobConfiguration : IEntityTypeConfiguration<MlTrainingJob>
{
    public void Configure(EntityTypeBuilder<MlTrainingJob> b)
    {
        b.ToTable("ml_training_jobs", t =>
        {
            t.HasCheckConstraint("ck_ml_training_jobs_status", "status IN ('pending', 'running', 'completed', 'failed', 'cancelled')");
            t.HasCheckConstraint("ck_ml_training_jobs_model_type", "model_type IN ('verdict_classifier', 'price_regressor')");
            t.HasCheckConstraint("ck_ml_training_jobs_progress", "progress >= 0 AND progress <= 1");
        });
        b.Property(j => j.Id).UseIdentityAlwaysColumn();
        b.Property(j => j.Status).HasMaxLength(16);
        b.Property(j => j.ModelType).HasMaxLength(64);
        b.Property(j => j.Algorithm).HasMaxLength(32);
        b.Property(j => j.Hyperparameters).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(j => j.FeatureVersion).HasMaxLength(16);
        b.Property(j => j.TrainingDataPath).HasMaxLength(512);
        b.Property(j => j.ModelPath).HasMaxLength(512);
        b.Property(j => j.ErrorMessage).HasMaxLength(1024);
        b.Property(j => j.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(j => j.StartedBy).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(j => j.Status);
    }
}

internal sealed class MlModelConfiguration : IEntityTypeConfiguration<MlModel>
{
    public void Configure(EntityTypeBuilder<MlModel> b)
    {
        b.ToTable("ml_models", t => t.HasCheckConstraint("ck_ml_models_model_type", "model_type IN ('verdict_classifier', 'price_regressor')"));
        b.Property(m => m.Id).UseIdentityAlwaysColumn();
        b.Property(m => m.ModelType).HasMaxLength(64);
        b.Property(m => m.Version).HasMaxLength(16);
        b.Property(m => m.Algorithm).HasMaxLength(32);
        b.Property(m => m.ParamsHash).HasMaxLength(64);
        b.Property(m => m.FeatureVersion).HasMaxLength(16);
        b.Property(m => m.Metrics).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(m => m.ModelPath).HasMaxLength(512);
        b.Property(m => m.IsActive).HasDefaultValue(false);
        b.Property(m => m.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<MlTrainingJob>().WithMany().HasForeignKey(m => m.TrainingJobId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<AppUser>().WithMany().HasForeignKey(m => m.CreatedBy).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(m => m.ModelType);
        b.HasIndex(m => m.Version);
        b.HasIndex(m => m.IsActive);
        b.HasIndex(m => new { m.ModelType, m.Version }).IsUnique();
        // The one-active-model rule lives in the database, so two admins activating at once cannot break it.
        b.HasIndex(m => m.ModelType, "ux_ml_models_one_active_per_type").IsUnique().HasFilter("is_active");
    }
}

internal sealed class RecommendationConfiguration : IEntityTypeConfiguration<Recommendation>
{
    public void Configure(EntityTypeBuilder<Recommendation> b)
    {
        b.ToTable("recommendations", t =>
        {
            t.HasCheckConstraint("ck_recommendations_profile", "profile IN ('conservative', 'moderate', 'aggressive')");
            t.HasCheckConstraint("ck_recommendations_label", "label IN ('BUY', 'HOLD', 'SELL')");
            t.HasCheckConstraint("ck_recommendations_confidence", "confidence >= 0 AND confidence <= 1");
        });
        b.Property(r => r.Id).UseIdentityAlwaysColumn();
        b.Property(r => r.Profile).HasMaxLength(50);
        b.Property(r => r.Label).HasMaxLength(10);
        b.Property(r => r.FeaturesSnapshot).HasColumnType("jsonb");
        b.Property(r => r.GeneratedAt).HasDefaultValueSql("now()");
        b.Property(r => r.IsActive).HasDefaultValue(true);
        b.HasOne<Instrument>().WithMany().HasForeignKey(r => r.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<MlModel>().WithMany().HasForeignKey(r => r.ModelVersionId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(r => r.InstrumentId);
        b.HasIndex(r => r.ModelVersionId);
        b.HasIndex(r => r.Profile);
        b.HasIndex(r => r.Label);
        b.HasIndex(r => r.GeneratedAt);
        b.HasIndex(r => r.IsActive);
        b.HasIndex(r => new { r.IsActive, r.GeneratedAt }, "idx_recommendations_active_generated");
        b.HasIndex(r => new { r.InstrumentId, r.Profile, r.GeneratedAt }, "idx_recommendations_instrument_profile");
        // A new recommendation retires the previous one for the same instrument and profile (kept as history).
        b.HasIndex(r => new { r.InstrumentId, r.Profile }, "ux_recommendations_one_active").IsUnique().HasFilter("is_active");
    }
}

internal sealed class MlPredictionConfiguration : IEntityTypeConfiguration<MlPrediction>
{
    public void Configure(EntityTypeBuilder<MlPrediction> b)
    {
        b.ToTable("ml_predictions", t => t.HasCheckConstraint("ck_ml_predictions_direction", "predicted_direction IS NULL OR predicted_direction IN ('up', 'down', 'neutral')"));
        b.Property(p => p.Id).UseIdentityAlwaysColumn();
        b.Property(p => p.ModelName).HasMaxLength(100);
        b.Property(p => p.ModelVersion).HasMaxLength(50);
        b.Property(p => p.Symbol).HasMaxLength(20);
        b.Property(p => p.PredictedDirection).HasMaxLength(10);
        b.Property(p => p.FeatureImportance).HasColumnType("jsonb");
        b.Property(p => p.PredictedAt).HasDefaultValueSql("now()");
        b.HasOne<Instrument>().WithMany().HasForeignKey(p => p.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Recommendation>().WithMany().HasForeignKey(p => p.RecommendationId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(p => new { p.Symbol, p.PredictedAt }, "idx_prediction_symbol_time");
        b.HasIndex(p => p.ModelName, "idx_prediction_model");
    }
}
