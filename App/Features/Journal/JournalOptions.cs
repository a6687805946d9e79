using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.Journal;

/// <summary>Journal limits (section "Journal").</summary>
public sealed class JournalOptions
{
    /// <summary>The largest broker file an upload may be.</summary>
    [Range(1024, 1L << 31)]
    public long MaxImportBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>How many parsed fills the import preview shows.</summary>
    [Range(1, 1000)]
    public int PreviewRows { get; set; } = 50;
}

/// <summary>Limits of the journal's bulk SQL.</summary>
internal static class JournalSql
{
    /// <summary>A million-fill import merges and rebuilds its campaigns in statements that can outlast Npgsql's 30 s default.</summary>
    public const int BulkTimeoutSeconds = 900;
}
