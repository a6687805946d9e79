using Signalbook.Features.Users;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// How one risk profile turns the model's calibrated probabilities into a recommendation (docs/recommendations.md).
/// <list type="bullet">
/// <item>A BUY or SELL needs the calibrated probability of that direction to reach <see cref="MinConfidence"/>, to be
/// the likelier direction, and the expected return to agree in sign; otherwise, or in an avoided regime, HOLD.</item>
/// <item>Stop distance = <see cref="StopAtrMultiple"/> × ATR(14), kept between <see cref="MinStopPct"/> and
/// <see cref="MaxStopPct"/> of the entry (the multi-user seed's min_stop_loss_pct 3 %, tight 6 %, default 8 %).</item>
/// <item>Take profit = entry ± reward × stop distance, reward = <see cref="RiskReward"/>, or <see cref="StrongRiskReward"/>
/// when the confidence reaches <see cref="StrongConfidence"/> (the seed's buy 2.5, strong-buy 3.0, excellent 3.5).</item>
/// </list>
/// </summary>
public sealed record ProfileRule(string Profile, double MinConfidence, double StopAtrMultiple, double MinStopPct, double MaxStopPct,
    double RiskReward, double StrongRiskReward, double StrongConfidence, IReadOnlyList<string> AvoidedRegimes);

public static class ProfileRules
{
    public const string Stressed = "stressed";
    public const string Unusual = "unusual";

    /// <summary>Capital first: only well-supported calls, tight stops, and nothing in stressed or unusual markets.</summary>
    public static readonly ProfileRule Conservative = new(RiskProfiles.Conservative, MinConfidence: 0.50, StopAtrMultiple: 1.5, MinStopPct: 0.03,
        MaxStopPct: 0.06, RiskReward: 2.5, StrongRiskReward: 3.0, StrongConfidence: 0.70, AvoidedRegimes: [Stressed, Unusual]);

    /// <summary>The default: a 2-ATR stop capped at the seed's 8 % default, no unusual markets.</summary>
    public static readonly ProfileRule Moderate = new(RiskProfiles.Moderate, MinConfidence: 0.42, StopAtrMultiple: 2.0, MinStopPct: 0.03,
        MaxStopPct: 0.08, RiskReward: 2.5, StrongRiskReward: 3.0, StrongConfidence: 0.65, AvoidedRegimes: [Unusual]);

    /// <summary>More calls on thinner evidence, wide stops, larger targets, every regime.</summary>
    public static readonly ProfileRule Aggressive = new(RiskProfiles.Aggressive, MinConfidence: 0.36, StopAtrMultiple: 3.0, MinStopPct: 0.03,
        MaxStopPct: 0.12, RiskReward: 3.0, StrongRiskReward: 3.5, StrongConfidence: 0.60, AvoidedRegimes: []);

    public static readonly IReadOnlyList<ProfileRule> All = [Conservative, Moderate, Aggressive];

    public static ProfileRule For(string profile) => All.FirstOrDefault(r => r.Profile == profile)
        ?? throw new ArgumentException($"Unknown risk profile '{profile}'; use conservative, moderate or aggressive.", nameof(profile));
}
