namespace Signalbook.Features.MarketData;

/// <summary>
/// When an exchange trades: its time zone, its regular session and its full-day holidays. Gap detection,
/// sync schedules and the demo market all measure against it. US exchanges follow the NYSE holiday rules
/// (source: NYSE "Holidays and trading hours" — New Year's Day, Martin Luther King Jr. Day, Washington's
/// Birthday, Good Friday, Memorial Day, Juneteenth from 2022, Independence Day, Labor Day, Thanksgiving,
/// Christmas; a Saturday holiday is observed on Friday, a Sunday one on Monday, except that New Year's Day
/// falling on a Saturday is not moved back into December). Other exchanges get weekdays only until their
/// calendars are added. Early closes (e.g. the day after Thanksgiving) are not modelled: a short day is
/// still a trading day, and its missing afternoon bars count as expected.
/// <para>
/// <b>The daily-bar rule.</b> A daily bar is stored at 00:00 UTC of its trading date (<see cref="DailyBarTs"/>), whatever
/// the exchange's time zone, and its trading date is read back as the UTC date of its timestamp (<see cref="TradingDate"/>).
/// So a Paris, Tokyo and New York bar of the same session share one timestamp, and a date shown, counted or grouped in UTC
/// is the trading date. (Local midnight, the earlier rule, is the previous UTC day east of Greenwich.) Intraday bars keep
/// their real instant; their trading date is the exchange-local date. <see cref="PriceBarWriter"/>, the one way bars are
/// written (imports, sync, demo), normalises every daily bar it writes; migration 0008 moved the rows stored before.
/// </para>
/// </summary>
public sealed class ExchangeCalendar
{
    private static readonly HashSet<string> UsExchanges = new(StringComparer.OrdinalIgnoreCase) { "NYSE", "NASDAQ", "AMEX", "ARCA", "BATS", "US", "DEMO" };

    public static readonly ExchangeCalendar Nyse = new("America/New_York", new TimeOnly(9, 30), new TimeOnly(16, 0), UsHoliday);

    private readonly Func<DateOnly, bool> _isHoliday;

    public ExchangeCalendar(string timeZone, TimeOnly open, TimeOnly close, Func<DateOnly, bool>? isHoliday = null)
    {
        TimeZoneId = timeZone;
        Zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        Open = open;
        Close = close;
        _isHoliday = isHoliday ?? (_ => false);
    }

    public string TimeZoneId { get; }
    public TimeZoneInfo Zone { get; }
    public TimeOnly Open { get; }
    public TimeOnly Close { get; }

    /// <summary>
    /// The calendar of an instrument's exchange: the NYSE's for US exchanges; for an exchange of <see cref="Exchanges"/> its
    /// session on weekdays; any other trades every weekday 09:00–17:30. Always in the instrument's own time zone.
    /// </summary>
    public static ExchangeCalendar For(string exchange, string timeZone) =>
        UsExchanges.Contains(exchange) ? Nyse
        : Exchanges.ByCode(exchange) is { } known ? new ExchangeCalendar(timeZone, known.Open, known.Close)
        : new ExchangeCalendar(timeZone, new TimeOnly(9, 0), new TimeOnly(17, 30));

    public bool IsTradingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_isHoliday(day);

    public IEnumerable<DateOnly> TradingDays(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
            if (IsTradingDay(d)) yield return d;
    }

    /// <summary>A daily bar's timestamp: 00:00 UTC of its trading date (see the daily-bar rule above).</summary>
    public static DateTimeOffset DailyBarTs(DateOnly tradingDate) => new(tradingDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));

    /// <summary>
    /// The trading date of a bar: the UTC date of a stored daily bar (a daily bar not yet normalised counts by <see cref="NormalizeDaily(DateTimeOffset)"/>),
    /// the exchange-local date of an intraday bar.
    /// </summary>
    public DateOnly TradingDate(string interval, DateTimeOffset ts) => interval == Intervals.OneDay ? DateOnly.FromDateTime(NormalizeDaily(ts).UtcDateTime) : LocalDate(ts);

    /// <summary>
    /// The stored timestamp of a daily bar given at any instant: an instant at 00:00 UTC already is one (it stays); any other
    /// instant belongs to the trading date it falls on at the exchange (local midnight in Paris, 05:00 UTC from Alpaca for
    /// New York, a close at 16:00 local …). Idempotent.
    /// </summary>
    public DateTimeOffset NormalizeDaily(DateTimeOffset ts)
        => ts.UtcTicks % TimeSpan.TicksPerDay == 0 ? ts.ToUniversalTime() : DailyBarTs(LocalDate(ts));

    /// <inheritdoc cref="NormalizeDaily(DateTimeOffset)"/>
    public long NormalizeDaily(long utcTicks)
        => utcTicks % TimeSpan.TicksPerDay == 0 ? utcTicks : DailyBarTs(LocalDate(new DateTimeOffset(utcTicks, TimeSpan.Zero))).UtcTicks;

    /// <summary>
    /// The stored timestamp (UTC ticks) of a daily bar read from a file: the date as written when the file wrote its timestamp
    /// with a non-zero UTC offset (yfinance's "2023-05-30 00:00:00+02:00"), else <see cref="NormalizeDaily(long)"/>.
    /// </summary>
    public long NormalizeDaily(in Import.BarRow row)
        => row.WrittenDay > 0 ? DailyBarTs(DateOnly.FromDayNumber(row.WrittenDay - 1)).UtcTicks : NormalizeDaily(row.UtcTicks);

    /// <summary>The exchange-local date of an instant.</summary>
    public DateOnly LocalDate(DateTimeOffset ts) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(ts, Zone).DateTime);

    /// <summary>The instant a local date and time happen at the exchange.</summary>
    public DateTimeOffset At(DateOnly day, TimeOnly time) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(time), Zone), TimeSpan.Zero);

    /// <summary>
    /// The bar timestamps the exchange should produce in [from, to]: for daily bars 00:00 UTC of each trading
    /// day (<see cref="DailyBarTs"/>); for intraday bars each bar's start within the session.
    /// </summary>
    public IEnumerable<DateTimeOffset> ExpectedBars(string interval, DateTimeOffset from, DateTimeOffset to)
    {
        var step = Step(interval);
        if (step is null)
        {
            foreach (var day in TradingDays(DateOnly.FromDateTime(from.UtcDateTime), DateOnly.FromDateTime(to.UtcDateTime)))
            {
                var ts = DailyBarTs(day);
                if (ts >= from && ts <= to) yield return ts;
            }
            yield break;
        }
        foreach (var day in TradingDays(LocalDate(from), LocalDate(to)))
        {
            for (var t = At(day, Open); t < At(day, Close); t += step.Value)
                if (t >= from && t <= to) yield return t;
        }
    }

    /// <summary>Whether the regular session is open at an instant.</summary>
    public bool IsOpen(DateTimeOffset ts)
    {
        var day = LocalDate(ts);
        return IsTradingDay(day) && ts >= At(day, Open) && ts < At(day, Close);
    }

    private static TimeSpan? Step(string interval) => interval switch
    {
        Intervals.OneDay => null,
        Intervals.OneHour => TimeSpan.FromHours(1),
        Intervals.FifteenMinutes => TimeSpan.FromMinutes(15),
        Intervals.OneMinute => TimeSpan.FromMinutes(1),
        _ => throw new ArgumentException($"Unknown interval '{interval}'; expected one of {string.Join(", ", Intervals.All)}.", nameof(interval)),
    };

    private static bool UsHoliday(DateOnly d)
    {
        var y = d.Year;
        return d == Observed(new DateOnly(y, 1, 1), newYear: true)
               || d == Nth(y, 1, DayOfWeek.Monday, 3)
               || d == Nth(y, 2, DayOfWeek.Monday, 3)
               || d == EasterSunday(y).AddDays(-2)
               || d == Last(y, 5, DayOfWeek.Monday)
               || (y >= 2022 && d == Observed(new DateOnly(y, 6, 19)))
               || d == Observed(new DateOnly(y, 7, 4))
               || d == Nth(y, 9, DayOfWeek.Monday, 1)
               || d == Nth(y, 11, DayOfWeek.Thursday, 4)
               || d == Observed(new DateOnly(y, 12, 25));
    }

    private static DateOnly Observed(DateOnly holiday, bool newYear = false) => holiday.DayOfWeek switch
    {
        DayOfWeek.Saturday => newYear ? DateOnly.MinValue : holiday.AddDays(-1),
        DayOfWeek.Sunday => holiday.AddDays(1),
        _ => holiday,
    };

    private static DateOnly Nth(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        return first.AddDays(((int)weekday - (int)first.DayOfWeek + 7) % 7 + 7 * (n - 1));
    }

    private static DateOnly Last(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((int)last.DayOfWeek - (int)weekday + 7) % 7));
    }

    /// <summary>Gregorian Easter Sunday (the anonymous Meeus/Jones/Butcher computus).</summary>
    internal static DateOnly EasterSunday(int y)
    {
        int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
        int m = (a + 11 * h + 22 * l) / 451, month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(y, month, day);
    }
}
