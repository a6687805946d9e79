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

/// <summary>
/// This node's uploads (one per app host): made by <see cref="NewPath"/>, deleted by <see cref="Delete"/> when the page is
/// done with them. A page whose circuit is still kept for a reconnect when the node stops never gets to delete its files;
/// <see cref="DeleteAll"/> does it then (found leaving one file per browser-test run).
/// </summary>
public sealed class UploadFiles
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _paths = new();

    public string NewPath(string fileName)
    {
        var path = UploadFolder.NewPath(fileName);
        _paths[path] = 0;
        return path;
    }

    public void Delete(string path)
    {
        File.Delete(path);
        _paths.TryRemove(path, out _);
    }

    /// <summary>Deletes every upload of this node still on disk; returns how many.</summary>
    public int DeleteAll()
    {
        var removed = 0;
        foreach (var path in _paths.Keys)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                    removed++;
                }
                _paths.TryRemove(path, out _);
            }
            catch (IOException)
            {
                // Gone or in use: the start-up sweep of a later node removes it once it is old.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return removed;
    }
}

/// <summary>Removes abandoned uploads when the node starts, and this node's own when it stops.</summary>
internal sealed class UploadFolderCleanup(TimeProvider clock, UploadFiles uploads, ILogger<UploadFolderCleanup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var removed = UploadFolder.RemoveAbandoned(clock.GetUtcNow());
        if (removed > 0) logger.LogInformation("Removed {Count} abandoned upload(s) from the temp folder", removed);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        var removed = uploads.DeleteAll();
        if (removed > 0) logger.LogInformation("Removed {Count} upload(s) that open pages still held", removed);
        return Task.CompletedTask;
    }
}
