using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Signalbook.Data;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Data;

/// <summary>
/// The shared key ring of several app nodes (data_protection_keys): nodes starting together on an empty ring agree on
/// one key (each node's own first key would be used by it at once, and refused by the others once their short
/// refresh-on-unknown-key window after start-up has passed), and each reads what the others protected.
/// </summary>
public sealed class DataProtectionKeyRingTests
{
    [Fact]
    public async Task TwoNodesStartingTogether_OnAnEmptyRing_CreateOneKey_AndReadEachOthersPayloads()
    {
        var connection = await TestPostgres.CreateDatabaseAsync();
        try
        {
            await using var node1 = Node(connection);
            await using var node2 = Node(connection);
            using var together = new Barrier(2);
            await Task.WhenAll(
                Task.Run(async () => { together.SignalAndWait(); await node1.EnsureDataProtectionKeyAsync(); }),
                Task.Run(async () => { together.SignalAndWait(); await node2.EnsureDataProtectionKeyAsync(); }));
            Assert.Equal(1, await KeysAsync(connection));

            var fromNode1 = node1.GetDataProtector("two-nodes").Protect("signed in on node 1");
            var fromNode2 = node2.GetDataProtector("two-nodes").Protect("signed in on node 2");
            Assert.Equal("signed in on node 1", node2.GetDataProtector("two-nodes").Unprotect(fromNode1));
            Assert.Equal("signed in on node 2", node1.GetDataProtector("two-nodes").Unprotect(fromNode2));
            Assert.Equal(1, await KeysAsync(connection)); // using the ring made no key of its own

            // A restart finds the current key and adds none.
            await using var restarted = Node(connection);
            await restarted.EnsureDataProtectionKeyAsync();
            Assert.Equal("signed in on node 1", restarted.GetDataProtector("two-nodes").Unprotect(fromNode1));
            Assert.Equal(1, await KeysAsync(connection));
        }
        finally
        {
            await using var pooled = new NpgsqlConnection(connection);
            NpgsqlConnection.ClearPool(pooled);
        }
    }

    /// <summary>One app node's Data Protection, registered as the app registers it, on the shared database.</summary>
    private static ServiceProvider Node(string connection)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connection));
        services.AddSingleton(new DatabaseConnection(connection));
        services.AddSignalbookDataProtection();
        return services.BuildServiceProvider();
    }

    private static async Task<int> KeysAsync(string connection)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM data_protection_keys", conn);
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
