namespace Signalbook.Features.MarketData;

/// <summary>An exchange as the import knows it: its Yahoo symbol suffix, its code (ISO 10383 MIC; "US" for NYSE/NASDAQ), zone, currency and regular session.</summary>
public sealed record ExchangeInfo(string Suffix, string Code, string Name, string TimeZone, string Currency, TimeOnly Open, TimeOnly Close);

/// <summary>
/// The exchanges a file name's symbol suffix points to (<c>MC.PA</c> → Euronext Paris). A symbol without a known suffix is
/// taken as a US listing (NYSE/NASDAQ hours, America/New_York). Sessions are the regular continuous sessions as the
/// exchanges publish them; holidays are only modelled for US exchanges (<see cref="ExchangeCalendar"/>).
/// </summary>
public static class Exchanges
{
    public static readonly ExchangeInfo Us = new("", "US", "NYSE / NASDAQ", "America/New_York", "USD", new(9, 30), new(16, 0));

    public static readonly IReadOnlyList<ExchangeInfo> All =
    [
        Us,
        new("PA", "XPAR", "Euronext Paris", "Europe/Paris", "EUR", new(9, 0), new(17, 30)),
        new("AS", "XAMS", "Euronext Amsterdam", "Europe/Amsterdam", "EUR", new(9, 0), new(17, 30)),
        new("BR", "XBRU", "Euronext Brussels", "Europe/Brussels", "EUR", new(9, 0), new(17, 30)),
        new("LS", "XLIS", "Euronext Lisbon", "Europe/Lisbon", "EUR", new(8, 0), new(16, 30)),
        new("IR", "XDUB", "Euronext Dublin", "Europe/Dublin", "EUR", new(8, 0), new(16, 30)),
        new("DE", "XETR", "Xetra", "Europe/Berlin", "EUR", new(9, 0), new(17, 30)),
        new("F", "XFRA", "Frankfurt", "Europe/Berlin", "EUR", new(8, 0), new(22, 0)),
        new("L", "XLON", "London Stock Exchange", "Europe/London", "GBP", new(8, 0), new(16, 30)),
        new("MI", "XMIL", "Borsa Italiana", "Europe/Rome", "EUR", new(9, 0), new(17, 30)),
        new("MC", "XMAD", "Bolsa de Madrid", "Europe/Madrid", "EUR", new(9, 0), new(17, 30)),
        new("SW", "XSWX", "SIX Swiss Exchange", "Europe/Zurich", "CHF", new(9, 0), new(17, 30)),
        new("ST", "XSTO", "Nasdaq Stockholm", "Europe/Stockholm", "SEK", new(9, 0), new(17, 30)),
        new("CO", "XCSE", "Nasdaq Copenhagen", "Europe/Copenhagen", "DKK", new(9, 0), new(17, 0)),
        new("HE", "XHEL", "Nasdaq Helsinki", "Europe/Helsinki", "EUR", new(10, 0), new(18, 30)),
        new("OL", "XOSL", "Oslo Børs", "Europe/Oslo", "NOK", new(9, 0), new(16, 20)),
        new("VI", "XWBO", "Wiener Börse", "Europe/Vienna", "EUR", new(9, 0), new(17, 30)),
        new("T", "XTKS", "Tokyo Stock Exchange", "Asia/Tokyo", "JPY", new(9, 0), new(15, 30)),
        new("HK", "XHKG", "Hong Kong Exchanges", "Asia/Hong_Kong", "HKD", new(9, 30), new(16, 0)),
        new("SS", "XSHG", "Shanghai Stock Exchange", "Asia/Shanghai", "CNY", new(9, 30), new(15, 0)),
        new("SZ", "XSHE", "Shenzhen Stock Exchange", "Asia/Shanghai", "CNY", new(9, 30), new(15, 0)),
        new("KS", "XKRX", "Korea Exchange", "Asia/Seoul", "KRW", new(9, 0), new(15, 30)),
        new("SI", "XSES", "Singapore Exchange", "Asia/Singapore", "SGD", new(9, 0), new(17, 0)),
        new("NS", "XNSE", "National Stock Exchange of India", "Asia/Kolkata", "INR", new(9, 15), new(15, 30)),
        new("AX", "XASX", "Australian Securities Exchange", "Australia/Sydney", "AUD", new(10, 0), new(16, 0)),
        new("TO", "XTSE", "Toronto Stock Exchange", "America/Toronto", "CAD", new(9, 30), new(16, 0)),
        new("V", "XTSX", "TSX Venture", "America/Toronto", "CAD", new(9, 30), new(16, 0)),
        new("SA", "BVMF", "B3 São Paulo", "America/Sao_Paulo", "BRL", new(10, 0), new(17, 0)),
    ];

    private static readonly Dictionary<string, ExchangeInfo> BySuffix = All.Where(e => e.Suffix.Length > 0).ToDictionary(e => e.Suffix, StringComparer.OrdinalIgnoreCase);
    private static readonly Dictionary<string, ExchangeInfo> ByCodeMap = All.ToDictionary(e => e.Code, StringComparer.OrdinalIgnoreCase);

    /// <summary>The exchange of a Yahoo-style symbol (<c>7203.T</c> → Tokyo); US when there is no known suffix.</summary>
    public static ExchangeInfo ForSymbol(string symbol)
    {
        var dot = symbol.LastIndexOf('.');
        return dot > 0 && BySuffix.TryGetValue(symbol[(dot + 1)..], out var info) ? info : Us;
    }

    public static ExchangeInfo? BySuffixCode(string suffix) => BySuffix.GetValueOrDefault(suffix);

    public static ExchangeInfo? ByCode(string code) => ByCodeMap.GetValueOrDefault(code);
}
