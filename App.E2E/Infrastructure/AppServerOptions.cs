namespace Signalbook.E2E.Infrastructure;

/// <summary>How <see cref="AppServer.StartAsync"/> starts an app process; the defaults are the usual E2E server.</summary>
public sealed record AppServerOptions
{
    /// <summary>Join this database (another node's) instead of making a private cluster; the other node's server owns it.</summary>
    public string? JoinConnectionString { get; init; }

    /// <summary>Seed the demo data at start (Demo:Seed). A node that joins a seeded database needs no second seeding.</summary>
    public bool SeedDemo { get; init; } = true;

    /// <summary>More environment variables for the app process (for example Jobs__NodeName).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
