using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.Indicators;

namespace Signalbook.Features.Regimes;

public sealed record RegimePoint(DateTimeOffset Ts, int StateId, string StateName, double StateProb);

public sealed record RegimeModelSummary(string ModelId, long InstrumentId, string Interval, IReadOnlyList<string> StateNames, double OodThreshold,
    DateTimeOffset TrainFrom, DateTimeOffset TrainTo, int TrainBars, double TrainLogLikelihood, int Iterations, DateTimeOffset CreatedAt);

public sealed record RegimeUpdate(bool Refitted, string? ModelId, int Written);

/// <summary>
/// Fits a Gaussian HMM per instrument and interval on its stored features, stores it in
/// <c>regime_models</c>, and writes the forward-filtered regime of every bar into the regime columns of
/// <c>features</c>. Filtering only: a bar's regime depends on that bar and earlier ones, so the values
/// written never change when later bars arrive (until a refit stores a new model, whose values then
/// replace them).
/// </summary>
public sealed class RegimeService(IDbContextFactory<AppDbContext> factory, DatabaseConnection connection, TimeProvider clock, IOptions<RegimeOptions> options)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly RegimeOptions _options = options.Value;

    /// <summary>Fits a model on the instrument's latest features and stores it; null when there are too few bars.</summary>
    public async Task<RegimeModelSummary?> FitAsync(long instrumentId, string interval, CancellationToken ct = default)
    {
        var rows = (await LoadAsync(instrumentId, interval, ct)).Where(r => r.X is not null).TakeLast(_options.MaxTrainBars).ToList();
        if (rows.Count < _options.MinTrainBars) return null;
        var model = GaussianHmm.Fit(rows.Select(r => r.X!).ToList(), _options.ToHmm());
        var parameters = JsonSerializer.Serialize(new StoredParameters("diagonal", model.Initial, model.Transition, model.Means,
            model.Variances.Select(Diagonal).ToArray(), new StoredScaling(model.ScaleMean, model.ScaleStd)), Json);
        var (from, to) = (rows[0].Ts, rows[^1].Ts);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{instrumentId}|{interval}|{FeatureCalculator.Version}|{from:O}|{to:O}|{parameters}"));
        var entity = new RegimeModel
        {
            ModelId = $"hmm{model.States}-{Convert.ToHexStringLower(hash)[..12]}",
            InstrumentId = instrumentId,
            Interval = interval,
            NStates = model.States,
            FeatureVersion = FeatureCalculator.Version,
            Features = [.. RegimeFeatures.Names],
            Parameters = parameters,
            StateNames = [.. model.StateNames],
            OodThreshold = model.OodThreshold,
            TrainFrom = from,
            TrainTo = to,
            TrainBars = rows.Count,
            TrainLogLikelihood = model.LogLikelihood,
            Iterations = model.Iterations,
            CreatedAt = clock.GetUtcNow(),
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        // The same data and settings give the same model, hence the same id: keep the stored one.
        if (await db.RegimeModels.AsNoTracking().SingleOrDefaultAsync(m => m.ModelId == entity.ModelId, ct) is { } existing) return Summary(existing);
        db.RegimeModels.Add(entity);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent fit of the same data stored the same model first.
            return Summary(await db.RegimeModels.AsNoTracking().SingleAsync(m => m.ModelId == entity.ModelId, ct));
        }
        return Summary(entity);
    }

    /// <summary>
    /// Filters the instrument's features with its latest model and writes the regime columns of the
    /// bars that have none or another model's. Returns the number of rows written.
    /// </summary>
    public async Task<int> ApplyAsync(long instrumentId, string interval, CancellationToken ct = default)
    {
        var stored = await LatestEntityAsync(instrumentId, interval, ct);
        if (stored is null) return 0;
        var model = ToModel(stored);
        var rows = (await LoadAsync(instrumentId, interval, ct)).Where(r => r.X is not null).ToList();
        if (!rows.Any(r => r.ModelId != stored.ModelId)) return 0;
        // The filter runs over the whole history (each bar's posterior depends on all earlier bars); only changed rows are written.
        var filtered = GaussianHmm.Filter(model, rows.Select(r => r.X!).ToList());

        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var create = new NpgsqlCommand(
            "CREATE TEMP TABLE regime_staging (ts timestamptz NOT NULL, state_id integer NOT NULL, state_prob float8 NOT NULL, log_likelihood float8) ON COMMIT DROP",
            conn, tx))
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        await using (var copy = await conn.BeginBinaryImportAsync("COPY regime_staging (ts, state_id, state_prob, log_likelihood) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < rows.Count; i++)
            {
                if (rows[i].ModelId == stored.ModelId) continue;
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(rows[i].Ts.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(filtered.StateId[i], NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(filtered.StateProb[i], NpgsqlDbType.Double, ct);
                if (double.IsFinite(filtered.LogLikelihood[i])) await copy.WriteAsync(filtered.LogLikelihood[i], NpgsqlDbType.Double, ct);
                else await copy.WriteNullAsync(ct);
            }
            await copy.CompleteAsync(ct);
        }
        int written;
        await using (var update = new NpgsqlCommand("""
            UPDATE features f SET model_id = @model, state_id = s.state_id, state_prob = s.state_prob, log_likelihood = s.log_likelihood
            FROM regime_staging s
            WHERE f.instrument_id = @instrument AND f.interval = @interval AND f.ts = s.ts
            """, conn, tx))
        {
            update.Parameters.AddWithValue("model", stored.ModelId);
            update.Parameters.AddWithValue("instrument", instrumentId);
            update.Parameters.AddWithValue("interval", interval);
            written = await update.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return written;
    }

    /// <summary>Fits when there is no model or <see cref="RegimeOptions.RefitAfterBars"/> bars arrived after its training window, then applies.</summary>
    public async Task<RegimeUpdate> UpdateAsync(long instrumentId, string interval, CancellationToken ct = default)
    {
        var latest = await LatestEntityAsync(instrumentId, interval, ct);
        var refit = latest is null;
        if (latest is not null)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            var newer = await db.Features.CountAsync(f => f.InstrumentId == instrumentId && f.Interval == interval && f.FeatureVersion == FeatureCalculator.Version
                                                          && f.Ts > latest.TrainTo && f.Ret1d != null && f.Vol20d != null, ct);
            refit = newer >= _options.RefitAfterBars;
        }
        string? modelId = latest?.ModelId;
        if (refit) modelId = (await FitAsync(instrumentId, interval, ct))?.ModelId ?? modelId;
        var written = await ApplyAsync(instrumentId, interval, ct);
        return new RegimeUpdate(refit && modelId != latest?.ModelId, modelId, written);
    }

    /// <summary>The latest model of an instrument and interval, or null.</summary>
    public async Task<RegimeModelSummary?> LatestModelAsync(long instrumentId, string interval, CancellationToken ct = default)
        => await LatestEntityAsync(instrumentId, interval, ct) is { } m ? Summary(m) : null;

    /// <summary>The state names of a model (index = state id), or null for an unknown id.</summary>
    public async Task<IReadOnlyList<string>?> StateNamesAsync(string modelId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.RegimeModels.AsNoTracking().Where(m => m.ModelId == modelId).Select(m => m.StateNames).SingleOrDefaultAsync(ct);
    }

    /// <summary>The stored regime of each bar in [from, to], oldest first, for chart shading; bars without a regime are left out.</summary>
    public async Task<IReadOnlyList<RegimePoint>> RegimeSeriesAsync(long instrumentId, string interval, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Features.AsNoTracking()
            .Where(f => f.InstrumentId == instrumentId && f.Interval == interval && f.Ts >= from && f.Ts <= to && f.StateId != null && f.ModelId != null)
            .OrderBy(f => f.Ts).Select(f => new { f.Ts, StateId = f.StateId!.Value, f.StateProb, ModelId = f.ModelId! }).ToListAsync(ct);
        var ids = rows.Select(r => r.ModelId).Distinct().ToList();
        var names = await db.RegimeModels.AsNoTracking().Where(m => ids.Contains(m.ModelId)).ToDictionaryAsync(m => m.ModelId, m => m.StateNames, ct);
        return rows.Select(r => new RegimePoint(r.Ts, r.StateId, RegimeFeatures.NameOf(r.StateId, names.GetValueOrDefault(r.ModelId)) ?? $"state {r.StateId}",
            r.StateProb ?? 0)).ToList();
    }

    /// <summary>A stored model back as the kernel's model: the filter then gives exactly what the fitted one gave (JSON keeps doubles round-trip exact).</summary>
    public static HmmModel ToModel(RegimeModel stored)
    {
        var p = JsonSerializer.Deserialize<StoredParameters>(stored.Parameters, Json) ?? throw new InvalidOperationException($"Model {stored.ModelId} has no parameters.");
        return new HmmModel(p.Initial, p.Transition, p.Means, p.Covariances.Select(c => c.Select((row, j) => row[j]).ToArray()).ToArray(),
            p.Standardisation.Mean, p.Standardisation.Std, [.. stored.StateNames], stored.OodThreshold, stored.TrainLogLikelihood, stored.Iterations, []);
    }

    private sealed record StoredScaling(double[] Mean, double[] Std);

    /// <summary>The stored HMM. Covariances are d×d matrices (diagonal in this model) so that a full-covariance model keeps the format.</summary>
    private sealed record StoredParameters(string CovarianceType, double[] Initial, double[][] Transition, double[][] Means, double[][][] Covariances,
        StoredScaling Standardisation);

    private static double[][] Diagonal(double[] variances)
        => variances.Select((v, i) => variances.Select((_, j) => i == j ? v : 0.0).ToArray()).ToArray();

    private sealed record FeaturePoint(DateTimeOffset Ts, double[]? X, string? ModelId);

    private async Task<List<FeaturePoint>> LoadAsync(long instrumentId, string interval, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Features.AsNoTracking()
            .Where(f => f.InstrumentId == instrumentId && f.Interval == interval && f.FeatureVersion == FeatureCalculator.Version)
            .OrderBy(f => f.Ts).Select(f => new { f.Ts, f.Ret1d, f.Vol20d, f.ModelId }).ToListAsync(ct);
        return rows.Select(r => new FeaturePoint(r.Ts, RegimeFeatures.Vector(r.Ret1d, r.Vol20d), r.ModelId)).ToList();
    }

    private async Task<RegimeModel?> LatestEntityAsync(long instrumentId, string interval, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.RegimeModels.AsNoTracking().Where(m => m.InstrumentId == instrumentId && m.Interval == interval)
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.TrainTo).ThenByDescending(m => m.TrainBars).FirstOrDefaultAsync(ct);
    }

    private static RegimeModelSummary Summary(RegimeModel m) => new(m.ModelId, m.InstrumentId, m.Interval, m.StateNames, m.OodThreshold, m.TrainFrom,
        m.TrainTo, m.TrainBars, m.TrainLogLikelihood, m.Iterations, m.CreatedAt);
}

public static class RegimesSetup
{
    public static IServiceCollection AddSignalbookRegimes(this IServiceCollection services)
    {
        services.AddOptions<RegimeOptions>().BindConfiguration(RegimeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<RegimeService>();
        return services;
    }
}
