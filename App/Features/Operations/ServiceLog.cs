namespace Signalbook.Features.Operations;

/// <summary>Log levels as the multi-user seed spells them.</summary>
public static class ServiceLogLevels
{
    public const string Debug = "DEBUG";
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";
    public const string Critical = "CRITICAL";

    public static readonly IReadOnlyList<string> All = [Debug, Info, Warning, Error, Critical];
}

/// <summary>A structured service log line (multi-user seed's service_logs), scoped to a user when there is one; kept 30 days.</summary>
public sealed class ServiceLog
{
    public long Id { get; set; }
    public Guid? UserId { get; set; }
    public string Level { get; set; } = ServiceLogLevels.Info;
    /// <summary>Module or component (the logger category).</summary>
    public string Module { get; set; } = "";
    public string Message { get; set; } = "";
    /// <summary>jsonb: symbol, order id, portfolio id, …</summary>
    public string? Context { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}
