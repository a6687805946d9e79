namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Freetrade's activity export: UTC ISO times, ORDER rows with the price in the instrument's currency ("Price per
/// Share") and costs in the account currency (stamp duty, FX fee), converted with the row's FX rate (instrument
/// currency per account currency). A FREESHARE_ORDER is a promotional share received at the stated price; it is
/// kept as a buy so later sells of it match a position.
/// </summary>
public sealed class FreetradeFormat : IBrokerFileFormat
{
    public string Id => "freetrade-csv";
    public string Broker => "Freetrade";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Title", "Type", "Timestamp", "Account Currency", "Buy / Sell", "Price per Share in Account Currency", "Stamp Duty");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Type"]?.ToUpperInvariant() ?? "";
            if (type is not ("ORDER" or "FREESHARE_ORDER"))
            {
                result.Skip(type switch
                {
                    "DIVIDEND" or "PROPERTY" => "dividend",
                    "TOP_UP" => "deposit",
                    "WITHDRAWAL" => "withdrawal",
                    "INTEREST_FROM_CASH" => "interest",
                    "MONTHLY_STATEMENT" => "statement",
                    _ when type.Contains("FEE") => "fee",
                    _ => "other",
                });
                continue;
            }
            FillSide? side = row["Buy / Sell"]?.ToUpperInvariant() switch { "BUY" => FillSide.Buy, "SELL" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Problem(row.Line, $"unknown side '{row["Buy / Sell"]}'", "Buy / Sell");
                continue;
            }
            if (!DateTimeOffset.TryParse(row["Timestamp"], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                result.Problem(row.Line, $"unreadable timestamp '{row["Timestamp"]}'", "Timestamp");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantity"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Price per Share"], out var price))
            {
                result.Problem(row.Line, "unreadable quantity or price", "Quantity");
                continue;
            }
            var currency = EuCsv.Currency(row["Instrument Currency"]) ?? EuCsv.Currency(row["Account Currency"]) ?? "GBP";
            var account = EuCsv.Currency(row["Account Currency"]) ?? "GBP";
            decimal? rate = EuCsv.TryDecimal(row["Base FX Rate"] ?? row["FX Rate"], out var r) && r > 0 ? r : null;
            EuCsv.TryDecimal(row["Stamp Duty"], out var stamp);
            EuCsv.TryDecimal(row["FX Fee Amount"], out var fxFee);
            var fees = EuCsv.Convert(Math.Abs(stamp) + Math.Abs(fxFee), account, currency, rate);
            if (fees is null)
            {
                result.Problem(row.Line, $"the costs are in {account} and the price in {currency}, with no FX rate", "FX Rate");
                continue;
            }
            var isin = row["ISIN"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = row["Ticker"] ?? isin ?? "",
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Title"],
                Venue = row["Venue"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = fees.Value,
                Currency = currency,
                ExecutedAt = at.ToUniversalTime(),
                ExternalTradeId = row["Order ID"],
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
