using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>Bars and orders for the matching tests. Day 0 is Monday 4 March 2024; times are New York (UTC−5).</summary>
internal static class T
{
    public static readonly TimeSpan NewYork = TimeSpan.FromHours(-5);

    /// <summary>The session open (09:30) of day <paramref name="day"/>.</summary>
    public static DateTimeOffset Open(int day) => At(day, 9, 30);

    public static DateTimeOffset At(int day, int hour, int minute) => new DateTimeOffset(2024, 3, 4, hour, minute, 0, NewYork).AddDays(day);

    public static MatchBar Daily(int day, decimal o, decimal h, decimal l, decimal c, decimal volume = 1_000_000m, decimal? vwap = null) =>
        new(Open(day), o, h, l, c, volume, vwap, IsIntraday: false);

    /// <summary>A 30-minute bar (unless told otherwise) of day <paramref name="day"/> starting at hour:minute.</summary>
    public static MatchBar Bar(int day, int hour, int minute, decimal o, decimal h, decimal l, decimal c, decimal volume = 1_000_000m, decimal? vwap = null, int minutes = 30) =>
        new(At(day, hour, minute), o, h, l, c, volume, vwap, IsIntraday: true, TimeSpan.FromMinutes(minutes));

    public static MatchOrder Order(OrderSide side, OrderType type, decimal quantity, decimal? limit = null, decimal? stop = null,
        TimeInForce tif = TimeInForce.Gtc, DateTimeOffset? placedAt = null, long id = 1) =>
        new()
        {
            Id = id,
            Side = side,
            Type = type,
            Quantity = quantity,
            LimitPrice = limit,
            StopPrice = stop,
            TimeInForce = tif,
            PlacedAt = placedAt ?? Open(0),
        };

    public static List<MatchFill> Run(MatchOrder order, ExecutionSettings settings, params MatchBar[] bars)
    {
        var fills = new List<MatchFill>();
        MatchingEngine.Run(order, bars, settings, fills);
        return fills;
    }

    public static List<MatchFill> Run(MatchOrder order, params MatchBar[] bars) => Run(order, ExecutionSettings.Default, bars);
}
