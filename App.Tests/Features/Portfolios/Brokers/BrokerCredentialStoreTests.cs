using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Brokers;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Brokers;

/// <summary>The harness with the broker plugins registered and a throwaway data-protection key ring.</summary>
public sealed class BrokersHarness : ServiceHarness
{
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddBrokerPlugins();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
    }

    public Task<T> Store<T>(Func<BrokerCredentialStore, Task<T>> act) => WithAsync(act);

    public Task<T> Factory<T>(Func<BrokerClientFactory, Task<T>> act) => WithAsync(act);
}

/// <summary>The encrypted credential store and the broker factory over the real database.</summary>
public sealed class BrokerCredentialStoreTests(BrokersHarness h) : IClassFixture<BrokersHarness>
{
    private const string KeyId = "AKLIVEKEY00000001234";
    private const string Secret = "live-Secret-Key-abcdefghijklmnopqrstuvwx";

    private static int _users;

    private async Task<Guid> UserAsync() => (await h.CreateUserAsync($"trader{Interlocked.Increment(ref _users)}@brokers.test")).Id;

    private Task<BrokerCredentialSummary> SaveAsync(Guid user, string environment = BrokerEnvironments.Paper, string label = "My Alpaca",
        string keyId = KeyId, string secret = Secret) =>
        h.Store(s => s.SaveAsync(user, BrokerPlugins.Alpaca, environment, label, keyId, secret));

    private async Task<BrokerCredential> RowAsync(long id)
    {
        await using var db = await h.DbAsync();
        return await db.BrokerCredentials.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    [Fact]
    public async Task Save_StoresKeyIdAndSecretEncrypted_WithOnlyTheLastFourOfTheKeyIdInClear()
    {
        var user = await UserAsync();
        var saved = await SaveAsync(user, BrokerEnvironments.Live);

        var row = await RowAsync(saved.Id);
        Assert.Equal("1234", row.KeyHint);
        Assert.Equal("1234", saved.KeyHint);
        Assert.Equal((BrokerPlugins.Alpaca, BrokerEnvironments.Live, "My Alpaca", user), (row.Plugin, row.Environment, row.Label, row.UserId));
        Assert.NotEmpty(row.ProtectedSecret);
        Assert.DoesNotContain(Secret, row.ProtectedSecret);
        Assert.DoesNotContain(KeyId, row.ProtectedSecret);
        Assert.DoesNotContain("Secret", row.ProtectedSecret, StringComparison.OrdinalIgnoreCase);

        // And nowhere else in the row either: the table's text as PostgreSQL stores it.
        await using var db = await h.DbAsync();
        var asText = await db.Database.SqlQuery<string>($"SELECT row_to_json(c)::text AS \"Value\" FROM broker_credentials c WHERE id = {saved.Id}").SingleAsync();
        Assert.DoesNotContain(Secret, asText);
        Assert.DoesNotContain(KeyId, asText);
    }

    [Fact]
    public async Task List_ShowsLabelEnvironmentHintAndDates_ButNeverTheSecretOrKeyId()
    {
        var user = await UserAsync();
        var first = await SaveAsync(user, label: "Paper keys");
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = await SaveAsync(user, BrokerEnvironments.Live, label: "Live keys", keyId: "AKOTHERKEY0000005678");
        await h.Store(s => s.RevokeAsync(user, first.Id));

        var list = await h.Store(s => s.ListAsync(user));

        Assert.Equal([second.Id, first.Id], list.Select(c => c.Id)); // newest first, revoked last
        Assert.Equal(("Live keys", BrokerEnvironments.Live, "5678", false), (list[0].Label, list[0].Environment, list[0].KeyHint, list[0].IsRevoked));
        Assert.True(list[1].IsRevoked);
        var json = JsonSerializer.Serialize(list);
        Assert.DoesNotContain(Secret, json);
        Assert.DoesNotContain(KeyId, json);
        Assert.DoesNotContain("AKOTHERKEY0000005678", json);
        Assert.DoesNotContain(typeof(BrokerCredentialSummary).GetProperties(), p => p.Name.Contains("Secret") || p.Name == "KeyId");
    }

    [Fact]
    public async Task Open_DecryptsTheKeyPair_AndMarksItUsed()
    {
        var user = await UserAsync();
        var saved = await SaveAsync(user);
        Assert.Null(saved.LastUsedAt);

        var opened = await h.Store(s => s.OpenAsync(user, saved.Id));

        Assert.Equal((KeyId, Secret, BrokerEnvironments.Paper, BrokerPlugins.Alpaca, user), (opened.KeyId, opened.Secret, opened.Environment, opened.Plugin, opened.UserId));
        Assert.Equal(h.Clock.GetUtcNow(), (await RowAsync(saved.Id)).LastUsedAt);
    }

    [Fact]
    public async Task Revoke_ByTheOwner_RevokesAndErasesTheCiphertext_ThenOpenRefusesClearly()
    {
        var user = await UserAsync();
        var saved = await SaveAsync(user);

        Assert.True(await h.Store(s => s.RevokeAsync(user, saved.Id)));

        var row = await RowAsync(saved.Id);
        Assert.Equal(h.Clock.GetUtcNow(), row.RevokedAt);
        Assert.Equal("", row.ProtectedSecret);
        var error = await Assert.ThrowsAsync<BrokerCredentialException>(() => h.Store(s => s.OpenAsync(user, saved.Id)));
        Assert.StartsWith("Broker keys 'My Alpaca' (…1234) were revoked on", error.Message);
        Assert.True(await h.Store(s => s.RevokeAsync(user, saved.Id))); // revoking again is harmless
    }

    [Fact]
    public async Task AnotherUsersId_IsNotFound_ForRevokeAndOpen_AndNothingChanges()
    {
        var owner = await UserAsync();
        var intruder = await UserAsync();
        var saved = await SaveAsync(owner);
        var before = await RowAsync(saved.Id);

        Assert.False(await h.Store(s => s.RevokeAsync(intruder, saved.Id)));
        var error = await Assert.ThrowsAsync<BrokerCredentialException>(() => h.Store(s => s.OpenAsync(intruder, saved.Id)));
        Assert.Equal($"Broker keys {saved.Id} were not found for this user; add keys in the portfolio's settings.", error.Message);
        Assert.Null(await h.Store(s => s.FindAsync(intruder, saved.Id)));
        Assert.Empty(await h.Store(s => s.ListAsync(intruder)));

        var after = await RowAsync(saved.Id);
        Assert.Equal((before.RevokedAt, before.LastUsedAt, before.ProtectedSecret), (after.RevokedAt, after.LastUsedAt, after.ProtectedSecret));
        Assert.Equal(Secret, (await h.Store(s => s.OpenAsync(owner, saved.Id))).Secret);
    }

    [Fact]
    public async Task Ciphertext_IsBoundToItsOwner_SoACopiedRowDoesNotOpen()
    {
        var owner = await UserAsync();
        var other = await UserAsync();
        var original = await SaveAsync(owner);
        var copy = await SaveAsync(other, keyId: "PKOTHER0000000009999", secret: "other-secret");
        await using (var db = await h.DbAsync())
        {
            var stolen = (await db.BrokerCredentials.SingleAsync(c => c.Id == original.Id)).ProtectedSecret;
            await db.BrokerCredentials.Where(c => c.Id == copy.Id).ExecuteUpdateAsync(u => u.SetProperty(c => c.ProtectedSecret, stolen));
        }

        var error = await Assert.ThrowsAsync<BrokerCredentialException>(() => h.Store(s => s.OpenAsync(other, copy.Id)));
        Assert.Contains("cannot be decrypted", error.Message);
    }

    [Theory]
    [InlineData("alpaca", "paper", "", "secret", "keyId", "Key id is empty")]
    [InlineData("alpaca", "paper", "PKKEY", "  ", "secret", "Secret key is empty")]
    [InlineData("alpaca", "demo", "PKKEY", "secret", "environment", "Environment 'demo' is unknown: choose paper or live.")]
    [InlineData("paper", "paper", "PKKEY", "secret", "plugin", "Broker 'paper' needs no keys")]
    [InlineData("ibkr", "live", "PKKEY", "secret", "plugin", "Broker 'ibkr' is unknown")]
    [InlineData("alpaca", "live", "PK KEY", "secret", "keyId", "Key id does not look like an API key id")]
    public async Task Save_InvalidInput_IsRefused_NamingTheField(string plugin, string environment, string keyId, string secret, string field, string message)
    {
        var user = await UserAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => h.Store(s => s.SaveAsync(user, plugin, environment, "label", keyId, secret)));

        Assert.Equal(field, error.ParamName);
        Assert.StartsWith(message, error.Message);
        Assert.Empty(await h.Store(s => s.ListAsync(user)));
    }

    [Fact]
    public async Task Save_WithoutLabel_NamesTheKeysByBrokerEnvironmentAndHint()
    {
        var user = await UserAsync();
        var saved = await SaveAsync(user, label: "  ");
        Assert.Equal("alpaca paper …1234", saved.Label);
    }

    // ---- the factory -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Factory_LiveKeysOnAPortfolioWithLiveTradingOff_AreRefusedWithTheUiMessage_AndNotOpened()
    {
        var user = await UserAsync();
        var live = await SaveAsync(user, BrokerEnvironments.Live);
        var portfolio = new Portfolio { Id = 5, UserId = user, BrokerPlugin = BrokerPlugins.Alpaca, LiveTradingEnabled = false, BrokerCredentialId = live.Id, IsPaper = false };

        var error = await Assert.ThrowsAsync<BrokerSetupException>(() => h.Factory(f => f.CreateAsync(portfolio)));

        Assert.Equal(BrokerSetupProblem.LiveTradingOff, error.Problem);
        Assert.Equal("Live trading is off for this portfolio: turn it on in the portfolio's settings and confirm", error.Message);
        Assert.Null((await RowAsync(live.Id)).LastUsedAt); // the keys were not decrypted
    }

    [Fact]
    public async Task Factory_LiveKeysWithLiveTradingOn_GiveALiveAlpacaClient_AndMarkTheKeysUsed()
    {
        var user = await UserAsync();
        var live = await SaveAsync(user, BrokerEnvironments.Live);

        var client = await h.Factory(f => f.CreateAsync(new BrokerPortfolio(5, user, BrokerPlugins.Alpaca, LiveTradingEnabled: true, live.Id)));

        Assert.Equal((BrokerPlugins.Alpaca, BrokerEnvironments.Live), (client.Plugin, client.Environment));
        Assert.NotNull((await RowAsync(live.Id)).LastUsedAt);
    }

    [Fact]
    public async Task Factory_PaperKeys_NeedNoLiveSwitch()
    {
        var user = await UserAsync();
        var paper = await SaveAsync(user);
        var client = await h.Factory(f => f.CreateAsync(new BrokerPortfolio(5, user, BrokerPlugins.Alpaca, LiveTradingEnabled: false, paper.Id)));
        Assert.Equal(BrokerEnvironments.Paper, client.Environment);
    }

    [Fact]
    public async Task Factory_RefusesPaperPortfoliosMissingKeysRevokedKeysAndOtherUsersKeys_SayingWhich()
    {
        var user = await UserAsync();
        var other = await UserAsync();
        var revoked = await SaveAsync(user);
        await h.Store(s => s.RevokeAsync(user, revoked.Id));
        var othersKeys = await SaveAsync(other);

        async Task<BrokerSetupException> Refusal(BrokerPortfolio p) => await Assert.ThrowsAsync<BrokerSetupException>(() => h.Factory(f => f.CreateAsync(p)));

        var paper = await Refusal(new BrokerPortfolio(1, user, BrokerPlugins.Paper, false, null));
        Assert.Equal(BrokerSetupProblem.PaperPortfolio, paper.Problem);
        Assert.Equal(BrokerClientFactory.PaperPortfolioMessage, paper.Message);

        Assert.Equal(BrokerSetupProblem.NoCredential, (await Refusal(new BrokerPortfolio(2, user, BrokerPlugins.Alpaca, true, null))).Problem);

        var gone = await Refusal(new BrokerPortfolio(3, user, BrokerPlugins.Alpaca, true, revoked.Id));
        Assert.Equal(BrokerSetupProblem.CredentialUnusable, gone.Problem);
        Assert.Contains("were revoked on", gone.Message);

        var foreign = await Refusal(new BrokerPortfolio(4, user, BrokerPlugins.Alpaca, true, othersKeys.Id));
        Assert.Equal(BrokerSetupProblem.CredentialUnusable, foreign.Problem);
        Assert.Null((await RowAsync(othersKeys.Id)).LastUsedAt);
    }
}
