using Npgsql;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

/// <summary>
/// Turning two-factor sign-in off while something else writes the same user row. A trigger on <c>users</c> drops the next
/// updates of one user (Postgres then reports no row changed, which is what EF and Identity see when another writer got there
/// first), so the race is made on purpose instead of hoped for.
/// </summary>
public sealed class TwoFactorServiceTests : ServiceHarness
{
    [Fact]
    public async Task Disable_WhenAnotherWriteWinsTheFirstSave_TriesAgainOnAFreshRead_AndTwoFactorIsOff()
    {
        var user = await EnabledUserAsync("tara@example.com");
        var oldKey = (await WithAsync<TwoFactorService, AuthenticatorSetup>(t => t.SetupAsync(user.Id))).SharedKey;
        await LoseNextUpdatesAsync(user.Id, 1);

        await WithAsync<TwoFactorService, bool>(async t => { await t.DisableAsync(user.Id, ActorOf(user)); return true; });

        var status = await WithAsync<TwoFactorService, TwoFactorStatus>(t => t.StatusAsync(user.Id));
        Assert.False(status.Enabled);
        Assert.NotEqual(oldKey, (await WithAsync<TwoFactorService, AuthenticatorSetup>(t => t.SetupAsync(user.Id))).SharedKey); // the old app's codes stop working
        Assert.Equal(0, await LostUpdatesLeftAsync());
    }

    [Fact]
    public async Task Disable_WhenEverySaveIsLost_SaysSo_AndTwoFactorStaysOn()
    {
        var user = await EnabledUserAsync("tomas@example.com");
        await LoseNextUpdatesAsync(user.Id, 100);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => WithAsync<TwoFactorService, bool>(async t => { await t.DisableAsync(user.Id, ActorOf(user)); return true; }));
        Assert.StartsWith("Could not turn off two-factor sign-in", error.Message, StringComparison.Ordinal);
        Assert.Equal(97, await LostUpdatesLeftAsync()); // three tries, each lost

        await LoseNextUpdatesAsync(user.Id, 0);
        Assert.True((await WithAsync<TwoFactorService, TwoFactorStatus>(t => t.StatusAsync(user.Id))).Enabled);
    }

    private async Task<AppUser> EnabledUserAsync(string email)
    {
        var user = await CreateUserAsync(email);
        var setup = await WithAsync<TwoFactorService, AuthenticatorSetup>(t => t.SetupAsync(user.Id));
        var codes = await WithAsync<TwoFactorService, IReadOnlyList<string>?>(
            t => t.EnableAsync(user.Id, Totp.Code(setup.SharedKey, DateTimeOffset.UtcNow), ActorOf(user)));
        Assert.NotNull(codes);
        return user;
    }

    /// <summary>The next <paramref name="count"/> updates of the user's row change nothing.</summary>
    private async Task LoseNextUpdatesAsync(Guid userId, int count)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS lost_updates (user_id uuid PRIMARY KEY, remaining int NOT NULL);
            INSERT INTO lost_updates VALUES ('{userId}', {count}) ON CONFLICT (user_id) DO UPDATE SET remaining = excluded.remaining;
            CREATE OR REPLACE FUNCTION lose_update() RETURNS trigger AS $$
            BEGIN
                UPDATE lost_updates SET remaining = remaining - 1 WHERE user_id = OLD.id AND remaining > 0;
                IF FOUND THEN RETURN NULL; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE OR REPLACE TRIGGER lose_update BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lose_update();
            """, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<int> LostUpdatesLeftAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT coalesce(sum(remaining), 0)::int FROM lost_updates", conn);
        return (int)(await cmd.ExecuteScalarAsync())!;
    }
}
