using Signalbook.Features.Portfolios.Brokers.Alpaca;

namespace Signalbook.Features.Portfolios.Brokers;

/// <summary>What the factory needs of a portfolio (a projection, so callers need not load the entity).</summary>
public sealed record BrokerPortfolio(long PortfolioId, Guid OwnerId, string BrokerPlugin, bool LiveTradingEnabled, long? BrokerCredentialId)
{
    public static BrokerPortfolio Of(Portfolio p) => new(p.Id, p.UserId, p.BrokerPlugin, p.LiveTradingEnabled, p.BrokerCredentialId);
}

/// <summary>Why a portfolio has no broker client.</summary>
public enum BrokerSetupProblem
{
    /// <summary>A paper portfolio: the matching engine fills it; there is no broker client.</summary>
    PaperPortfolio,
    UnknownPlugin,
    NoCredential,
    /// <summary>The credential is missing for the owner, revoked, undecryptable, or for another plugin.</summary>
    CredentialUnusable,
    /// <summary>A live credential on a portfolio whose LiveTradingEnabled switch is off.</summary>
    LiveTradingOff,
}

/// <summary>A portfolio that cannot be given a broker client; <see cref="Exception.Message"/> is what the UI shows.</summary>
public sealed class BrokerSetupException(BrokerSetupProblem problem, string message, Exception? inner = null) : InvalidOperationException(message, inner)
{
    public BrokerSetupProblem Problem { get; } = problem;
}

/// <summary>
/// The broker client for a portfolio's orders: the plugin it routes to, with its owner's stored keys. Refuses a live
/// key pair unless the portfolio's LiveTradingEnabled switch is on. Paper portfolios are not handled here: the lead's
/// matching engine fills them.
/// </summary>
public sealed class BrokerClientFactory(BrokerCredentialStore credentials, AlpacaBrokerClientFactory alpaca)
{
    public const string LiveTradingOffMessage = "Live trading is off for this portfolio: turn it on in the portfolio's settings and confirm";

    public const string PaperPortfolioMessage =
        "Paper portfolios are filled by the paper broker (the matching engine), not by a broker client; only live broker plugins (alpaca) are created here.";

    public Task<IBrokerClient> CreateAsync(Portfolio portfolio, CancellationToken ct = default) => CreateAsync(BrokerPortfolio.Of(portfolio), ct);

    /// <summary>The portfolio's broker client; <see cref="BrokerSetupException"/> with the reason when it cannot have one.</summary>
    public async Task<IBrokerClient> CreateAsync(BrokerPortfolio portfolio, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        if (portfolio.BrokerPlugin == BrokerPlugins.Paper) throw new BrokerSetupException(BrokerSetupProblem.PaperPortfolio, PaperPortfolioMessage);
        if (portfolio.BrokerPlugin != BrokerPlugins.Alpaca)
            throw new BrokerSetupException(BrokerSetupProblem.UnknownPlugin, $"Broker '{portfolio.BrokerPlugin}' is not available; choose paper or alpaca in the portfolio's settings.");
        if (portfolio.BrokerCredentialId is not { } credentialId)
        {
            throw new BrokerSetupException(BrokerSetupProblem.NoCredential,
                "This portfolio routes orders to Alpaca but has no API keys: add Alpaca keys and choose them in the portfolio's settings.");
        }

        // Checked on the summary first, so a refused portfolio does not decrypt the keys nor mark them used.
        var summary = await credentials.FindAsync(portfolio.OwnerId, credentialId, ct)
                      ?? throw new BrokerSetupException(BrokerSetupProblem.CredentialUnusable,
                          "The API keys chosen for this portfolio no longer exist; choose other keys in the portfolio's settings.");
        if (summary.Plugin != portfolio.BrokerPlugin)
        {
            throw new BrokerSetupException(BrokerSetupProblem.CredentialUnusable,
                $"The keys '{summary.Label}' are for {summary.Plugin}, but this portfolio routes to {portfolio.BrokerPlugin}; choose matching keys.");
        }
        if (summary.Environment == BrokerEnvironments.Live && !portfolio.LiveTradingEnabled)
            throw new BrokerSetupException(BrokerSetupProblem.LiveTradingOff, LiveTradingOffMessage);

        BrokerCredentials opened;
        try
        {
            opened = await credentials.OpenAsync(portfolio.OwnerId, credentialId, ct);
        }
        catch (BrokerCredentialException ex)
        {
            throw new BrokerSetupException(BrokerSetupProblem.CredentialUnusable, ex.Message, ex);
        }
        return alpaca.Create(opened);
    }
}
