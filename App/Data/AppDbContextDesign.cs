using Microsoft.EntityFrameworkCore;

namespace Signalbook.Data;

/// <summary>
/// Design-time helpers that need no database: the EF package for design time cannot be restored
/// here, so new migrations are written by hand, starting from this script's DDL.
/// </summary>
public static class AppDbContextDesign
{
    public static AppDbContext CreateOffline() => new(new DbContextOptionsBuilder<AppDbContext>()
        .UseNpgsql("Host=offline;Database=design").Options);

    public static string CreateScript()
    {
        using var db = CreateOffline();
        return db.Database.GenerateCreateScript();
    }
}
