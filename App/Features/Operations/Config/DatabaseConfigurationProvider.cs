using Microsoft.Extensions.Primitives;
using Npgsql;
using Signalbook.Data;

namespace Signalbook.Features.Operations.Config;

/// <summary>The config_entries layer of configuration; see <see cref="DatabaseConfigurationProvider"/>.</summary>
public sealed class DatabaseConfigurationSource(string? connectionString) : IConfigurationSource
{
    public DatabaseConfigurationProvider Provider { get; } = new(connectionString);

    public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;
}

/// <summary>
/// Configuration from the config_entries table, added last so an admin's value overrides appsettings, environment
/// variables and the command line. It loads when added and again on <see cref="Reload"/>: after migrations (before them the
/// table may not exist, which reads as no entries), when any node announces a change (<see cref="PgTopics.Config"/>) and
/// after the event listener reconnected. A reload raises the configuration's change token, so
/// <c>IOptionsMonitor</c>/<c>IOptionsSnapshot</c> consumers see the new values without a restart.
/// A database that cannot be read keeps the last values loaded (<see cref="LastError"/> says why).
/// </summary>
public sealed class DatabaseConfigurationProvider(string? connectionString) : ConfigurationProvider
{
    private readonly Lock _reloadLock = new();

    public string? ConnectionString { get; } = connectionString;

    /// <summary>Why the last load failed, or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>How many loads have completed (tests wait on it).</summary>
    public int Loads { get; private set; }

    public override void Load()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString)) return;
        try
        {
            Data = Read(ConnectionString);
            LastError = null;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LastError = e.Message; // keep the previous values: a database hiccup must not flip settings back to their file values
        }
        Loads++;
    }

    /// <summary>Re-reads the table and tells configuration consumers (options monitors, change tokens) that it changed.</summary>
    /// <remarks>
    /// The read and the notice are one step under the lock. Consumers re-register for the next change token only after
    /// their callback returns (<c>ChangeToken.OnChange</c>); a second reload that swapped the data and fired in the middle of
    /// that callback went unnoticed, and an options monitor kept the value read before it (seen as a reset setting that
    /// stayed in force on the node that reset it, when a NOTIFY-driven reload and the local reload overlapped).
    /// </remarks>
    public void Reload()
    {
        lock (_reloadLock)
        {
            Load();
            OnReload();
        }
    }

    private static Dictionary<string, string?> Read(string connectionString)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        using (var exists = new NpgsqlCommand("SELECT to_regclass('config_entries') IS NOT NULL", conn))
        {
            if (exists.ExecuteScalar() is not true) return data;
        }
        using var cmd = new NpgsqlCommand("SELECT key, value FROM config_entries", conn);
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) data[reader.GetString(0)] = reader.GetString(1);
        return data;
    }

    /// <summary>A change token of this layer alone (the configuration root's fires too).</summary>
    public IChangeToken Watch() => GetReloadToken();

    public override string ToString() => "Database (config_entries)";
}

public static class DatabaseConfigurationExtensions
{
    /// <summary>Adds the config_entries layer last, over the connection string configured so far (ConnectionStrings:Default).</summary>
    public static IConfigurationBuilder AddSignalbookDatabaseConfiguration(this IConfigurationBuilder builder, string? connectionString)
        => builder.Add(new DatabaseConfigurationSource(connectionString));

    /// <summary>The config_entries provider of a configuration, if it has one.</summary>
    public static DatabaseConfigurationProvider? DatabaseProvider(this IConfiguration configuration)
        => (configuration as IConfigurationRoot)?.Providers.OfType<DatabaseConfigurationProvider>().LastOrDefault();
}
