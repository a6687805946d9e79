using System.Globalization;
using System.Text;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Bench;

/// <summary>
/// The benches' data: the 88 real stocknet daily files (shared data) replicated under synthetic symbols
/// (<c>AAPL_000</c>, <c>AAPL_001</c> …, each a distinct instrument) until there are at least the requested bars.
/// </summary>
public sealed class BenchCorpus
{
    private BenchCorpus(IReadOnlyList<string> files, int rowsPerCopy, int copies)
        => (Files, RowsPerCopy, Copies) = (files, rowsPerCopy, copies);

    /// <summary>The 88 source files.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Data rows (valid or not) in one copy of the 88 files.</summary>
    public int RowsPerCopy { get; }

    public int Copies { get; }

    public long Rows => (long)RowsPerCopy * Copies;

    public static BenchCorpus Create(long minimumRows)
    {
        var dir = Path.Combine(BenchOutput.DataRoot(), "prices-daily-us", "stocknet-88-2012-2017");
        var files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.csv").Order(StringComparer.Ordinal).ToList() : [];
        if (files.Count == 0) throw new DirectoryNotFoundException($"No stocknet files in {dir}.");
        var rows = files.Sum(f => File.ReadLines(f).Skip(1).Count(l => !string.IsNullOrWhiteSpace(l)));
        var copies = (int)Math.Max(1, (minimumRows + rows - 1) / rows);
        return new BenchCorpus(files, rows, copies);
    }

    public static string Symbol(string file, int copy) => $"{Path.GetFileNameWithoutExtension(file)}_{copy:000}";

    /// <summary>Writes every copy as its own file into <paramref name="dir"/> (the text of the source file, renamed).</summary>
    public List<(string Path, string Symbol)> WriteFiles(string dir)
    {
        Directory.CreateDirectory(dir);
        var written = new List<(string, string)>();
        for (var copy = 0; copy < Copies; copy++)
        {
            foreach (var file in Files)
            {
                var symbol = Symbol(file, copy);
                var path = Path.Combine(dir, symbol + ".csv");
                File.Copy(file, path, overwrite: true);
                written.Add((path, symbol));
            }
        }
        return written;
    }

    /// <summary>The valid bars of every copy in memory, each copy in its own arrays.</summary>
    public List<BarSeries> LoadSeries()
    {
        var sources = Files.Select(f =>
        {
            using var reader = new StreamReader(f);
            var bars = CsvBarParser.Parse(reader, Path.GetFileName(f), ExchangeCalendar.Nyse.Zone).Bars;
            return new BarSeries(bars.Select(b => b.Open).ToArray(), bars.Select(b => b.High).ToArray(), bars.Select(b => b.Low).ToArray(),
                bars.Select(b => b.Close).ToArray(), bars.Select(b => b.Volume).ToArray());
        }).ToList();
        var all = new List<BarSeries>(sources.Count * Copies);
        for (var copy = 0; copy < Copies; copy++)
            all.AddRange(sources.Select(s => new BarSeries((double[])s.Open.Clone(), (double[])s.High.Clone(), (double[])s.Low.Clone(),
                (double[])s.Close.Clone(), (double[])s.Volume.Clone())));
        return all;
    }

    /// <summary>
    /// One file of <paramref name="rows"/> one-minute bars for a single instrument (Yahoo columns, exchange-local times
    /// with their offset, 390 bars a NYSE session): AAPL's daily bars replayed minute by minute.
    /// </summary>
    public void WriteSingleMinuteFile(string path, int rows)
    {
        var aapl = Files.First(f => Path.GetFileName(f) == "AAPL.csv");
        using var reader = new StreamReader(aapl);
        var bars = CsvBarParser.Parse(reader, "AAPL.csv", ExchangeCalendar.Nyse.Zone).Bars;
        var calendar = ExchangeCalendar.Nyse;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        writer.WriteLine("Datetime,Open,High,Low,Close,Adj Close,Volume");
        var day = new DateOnly(1970, 1, 2);
        var written = 0;
        var i = 0;
        var line = new StringBuilder(128);
        while (written < rows)
        {
            if (!calendar.IsTradingDay(day))
            {
                day = day.AddDays(1);
                continue;
            }
            var open = day.ToDateTime(calendar.Open);
            var offset = calendar.Zone.GetUtcOffset(open);
            var offsetText = (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
            for (var m = 0; m < 390 && written < rows; m++, written++)
            {
                var b = bars[i++ % bars.Count];
                line.Clear();
                line.Append(open.AddMinutes(m).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(offsetText)
                    .Append(',').Append(b.Open.ToString(CultureInfo.InvariantCulture)).Append(',').Append(b.High.ToString(CultureInfo.InvariantCulture))
                    .Append(',').Append(b.Low.ToString(CultureInfo.InvariantCulture)).Append(',').Append(b.Close.ToString(CultureInfo.InvariantCulture))
                    .Append(',').Append(b.Close.ToString(CultureInfo.InvariantCulture)).Append(',').Append(b.Volume.ToString(CultureInfo.InvariantCulture));
                writer.WriteLine(line);
            }
            day = day.AddDays(1);
        }
    }
}
