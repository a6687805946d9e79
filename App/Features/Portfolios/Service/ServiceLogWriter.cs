using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Operations;

namespace Signalbook.Features.Portfolios.Service;

/// <summary>Writes a trader's service log lines (service_logs, scoped to the user) for the trading service page.</summary>
public sealed class ServiceLogWriter(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const string Module = "trading-service";

    public async Task WriteAsync(Guid userId, string level, string message, object? context = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.ServiceLogs.Add(new ServiceLog
        {
            UserId = userId, Level = level, Module = Module, Message = message.Length > 1024 ? message[..1024] : message,
            Context = context is null ? null : JsonSerializer.Serialize(context), Timestamp = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
    }
}
