namespace Signalbook.Features.MarketData.Admin;

/// <summary>
/// Where the Data page streams uploaded bar files before the review (never into the circuit's memory). The page deletes
/// its files when it is done or closed; a node that was killed cannot, so at start-up each node removes uploads older
/// than <see cref="Abandoned"/> left in the folder.
/// </summary>
public static class UploadFolder
{
    public const string Prefix = "signalbook-upload-";

    public static readonly TimeSpan Abandoned = TimeSpan.FromHours(6);

    public static string NewPath(string fileName) => Path.Combine(Path.GetTempPath(), $"{Prefix}{Guid.NewGuid():N}{Path.GetExtension(fileName)}");

    /// <summary>Deletes uploads last written before <paramref name="now"/> minus <see cref="Abandoned"/>; returns how many.</summary>
    public static int RemoveAbandoned(DateTimeOffset now, string? folder = null)
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(folder ?? Path.GetTempPath(), $"{Prefix}*"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < (now - Abandoned).UtcDateTime)
                {
                    File.Delete(file);
                    removed++;
                }
            }
            catch (IOException)
            {
                // In use or gone already: the next start looks again.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }
}

/// <summary>Removes abandoned uploads when the node starts.</summary>
internal sealed class UploadFolderCleanup(TimeProvider clock, ILogger<UploadFolderCleanup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var removed = UploadFolder.RemoveAbandoned(clock.GetUtcNow());
        if (removed > 0) logger.LogInformation("Removed {Count} abandoned upload(s) from the temp folder", removed);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
