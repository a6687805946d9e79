using Signalbook.Features.MarketData.Admin;

namespace Signalbook.Tests.Features.MarketData;

public sealed class UploadFolderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("uploads-test-").FullName;

    [Fact]
    public void RemoveAbandoned_DeletesOnlyOldUploads_AndNothingElse()
    {
        var now = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var old = Path.Combine(_folder, UploadFolder.Prefix + "old.csv");
        var fresh = Path.Combine(_folder, UploadFolder.Prefix + "fresh.csv");
        var other = Path.Combine(_folder, "someone-else.csv");
        foreach (var f in new[] { old, fresh, other }) File.WriteAllText(f, "Date,Open\n");
        File.SetLastWriteTimeUtc(old, now.UtcDateTime.AddHours(-7));
        File.SetLastWriteTimeUtc(fresh, now.UtcDateTime.AddMinutes(-5));
        File.SetLastWriteTimeUtc(other, now.UtcDateTime.AddDays(-30));

        Assert.Equal(1, UploadFolder.RemoveAbandoned(now, _folder));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(fresh));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void UploadFiles_DeleteAll_RemovesThisNodesUploadsStillOnDisk_AndNoOneElses()
    {
        var node = new UploadFiles();
        var kept = node.NewPath("held-by-a-page.csv");
        var done = node.NewPath("imported.csv");
        File.WriteAllText(kept, "Date,Open\n");
        File.WriteAllText(done, "Date,Open\n");
        node.Delete(done);
        var otherNode = new UploadFiles().NewPath("another-node.csv");
        File.WriteAllText(otherNode, "Date,Open\n");
        try
        {
            Assert.StartsWith(Path.Combine(Path.GetTempPath(), UploadFolder.Prefix), kept);
            Assert.Equal(1, node.DeleteAll());
            Assert.False(File.Exists(kept));
            Assert.True(File.Exists(otherNode));
            Assert.Equal(0, node.DeleteAll());
        }
        finally
        {
            File.Delete(otherNode);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
