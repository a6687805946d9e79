namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// One bar the matching engine trades against.
/// </summary>
/// <param name="Start">
/// The instant trading in this bar begins. For a daily bar the caller converts the trading date to the exchange's
/// session open (the stored 00:00 UTC timestamp of a daily bar is not when it traded), so an order placed during a
/// session never fills against that session's daily bar (see the no-look-ahead rule on <see cref="MatchingEngine"/>).
/// </param>
/// <param name="Vwap">The bar's volume-weighted average price when the source has one; TWAP/VWAP slices fill at it.</param>
/// <param name="IsIntraday">False for a daily bar: the whole session in one bar.</param>
/// <param name="Length">
/// How long an intraday bar lasts (e.g. 5 minutes). TWAP/VWAP orders need it on intraday bars to count the slices left
/// in their window; other orders ignore it. Leave it default for daily bars.
/// </param>
/// <param name="Session">
/// The trading date of the session the bar belongs to. Default: the date of <see cref="Start"/> in its own offset,
/// which is right when <see cref="Start"/> carries the exchange's local offset. Set it when bars carry UTC instants
/// of an exchange whose session crosses UTC midnight. Day orders and default algo windows end with this session.
/// </param>
public readonly record struct MatchBar(
    DateTimeOffset Start,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Volume,
    decimal? Vwap,
    bool IsIntraday,
    TimeSpan Length = default,
    DateOnly Session = default)
{
    /// <summary><see cref="Session"/> when set, otherwise the date of <see cref="Start"/> in its own offset.</summary>
    public DateOnly SessionDate => Session != default ? Session : DateOnly.FromDateTime(Start.DateTime);

    /// <summary>The typical price (H+L+C)/3, used by algo slices when the bar has no <see cref="Vwap"/>.</summary>
    public decimal TypicalPrice => (High + Low + Close) / 3m;
}
