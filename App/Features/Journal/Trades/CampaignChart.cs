using System.Globalization;
using Signalbook.Components.Shared.Charts;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal.Trades;

/// <summary>
/// The campaign's price chart: daily candles around the holding period, each fill marked at its bar and price (buys and
/// sells as two marker series, so the legend names them), and horizontal lines at the entry average, the exit average
/// and the opening context's stop when there is one.
/// </summary>
public static class CampaignChart
{
    public const string BuyColor = "#2e7d32";
    public const string SellColor = "#c62828";

    /// <summary>Null when there are no bars to draw.</summary>
    public static ChartOptions? Build(CampaignDetail detail)
    {
        var bars = detail.Bars;
        if (bars.Count == 0) return null;
        var labels = bars.Select(b => b.Ts.UtcDateTime.ToString("d MMM yy", CultureInfo.InvariantCulture)).ToList();
        var candles = bars.Select((b, i) => (object?)new ChartPoint(i, new[] { Round(b.Open), Round(b.High), Round(b.Low), Round(b.Close) })).ToList();
        List<object?> Markers(FillSide side) => detail.Legs.Where(l => l.Side == side)
            .Select(l => (Leg: l, Index: BarIndex(bars, l.ExecutedAt)))
            .Where(x => x.Index >= 0)
            .Select(x => (object?)new ChartPoint(x.Index, (double)x.Leg.Price))
            .ToList();

        var lines = new List<ChartYAnnotation>
        {
            new((double)detail.Summary.EntryAverage, "#1e88e5", "4", new ChartAnnotationLabel($"Entry avg {detail.Summary.EntryAverage:0.00##}")),
        };
        if (detail.Summary.ExitAverage is { } exit) lines.Add(new ChartYAnnotation((double)exit, "#757575", "2", new ChartAnnotationLabel($"Exit avg {exit:0.00##}")));
        if (detail.Stop is { } stop) lines.Add(new ChartYAnnotation((double)stop, SellColor, "6", new ChartAnnotationLabel($"Stop {stop:0.00##}")));

        return new ChartOptions
        {
            Chart = new ChartSettings { Type = "line", Height = "360", Animations = new ChartAnimations(false) },
            Series =
            [
                new ChartSeries("Price", candles, "candlestick"),
                new ChartSeries("Buys", Markers(FillSide.Buy), "scatter"),
                new ChartSeries("Sells", Markers(FillSide.Sell), "scatter"),
            ],
            Colors = ["#1e88e5", BuyColor, SellColor],
            Markers = new ChartMarkers([0, 8, 8]),
            Xaxis = new ChartXAxis { IndexLabels = labels, TickAmount = 8 },
            Yaxis = new ChartYAxis { DecimalsInFloat = 2 },
            Stroke = new ChartStroke(1, "straight"),
            Legend = new ChartLegend(true, "top"),
            Annotations = new ChartAnnotations(Yaxis: lines),
        };
    }

    /// <summary>The bar of the fill's trading date (daily bars sit at 00:00 UTC of their date), else the last bar before it; −1 when it is before them all.</summary>
    public static int BarIndex(IReadOnlyList<CampaignBar> bars, DateTimeOffset at)
    {
        var day = at.UtcDateTime.Date;
        var index = -1;
        for (var i = 0; i < bars.Count && bars[i].Ts.UtcDateTime.Date <= day; i++) index = i;
        return index;
    }

    private static double Round(double v) => Math.Round(v, 4);
}
